"""The API shapes of an agency that other apps' routers reuse (an agency reference, the agency's
own fields). Public like `selectors`: another app names these, never `organisations.api`."""

# No `from __future__ import annotations`: ninja reads the real annotations.
from ninja import Field, Schema


class OrganisationRef(Schema):
    id: int
    name: str


class AgencyOut(Schema):
    id: int
    name: str
    org_number: str = Field(description="NNNNNN-NNNN; empty for a group without legal entity.")
    ministry: str
    kind: str = Field(description="provider or customer")
    is_group: bool = Field(description="An umbrella without legal entity (Länsstyrelserna).")
    preparedness: bool = Field(
        description="A preparedness agency (beredskapsmyndighet) under förordning (2022:524)."
    )
    parent: OrganisationRef | None
