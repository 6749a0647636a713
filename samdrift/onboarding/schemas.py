"""The API shapes of onboarding that other apps' routers reuse (a subscription and the references
it carries). Public like `selectors`: another app names these, never `onboarding.api`."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime

from ninja import Field, Schema

from samdrift.organisations.schemas import OrganisationRef


class ServiceRef(Schema):
    code: str
    name_sv: str
    name_en: str


class SubscriptionOut(Schema):
    id: int
    organisation: OrganisationRef
    service: ServiceRef
    start_date: datetime.date
    end_date: datetime.date | None
    agreement_basis: str = Field(description="assignment, separate or own_use")
    case_id: int | None = Field(description="The connection case that connected the agency.")
