"""`GET /search`: the site-wide search in the API (issue 21 item 3, ADR 0702), the same
composition and the same scoping as the page (`samdrift.ui.search`)."""

# No `from __future__ import annotations`: ninja reads the real annotations.
from dataclasses import asdict

from ninja import Field, Query, Router, Schema

from samdrift.core.api import ApiRequest, errors

from .search import PER_KIND, site_search

router = Router(tags=["search"])

KIND_NAMES = "agency, service, case, request, invoice, official, workspace, document, incident"


class SiteSearchHitOut(Schema):
    id: str = Field(description="The object's id (a service's code).")
    title: str
    detail: str = Field(description="A second line: the agency, the service, the phase.")
    url: str = Field(description="The object's page in samdrift.")


class SiteSearchGroupOut(Schema):
    kind: str = Field(description=f"One of: {KIND_NAMES}.")
    label: str = Field(description="The kind's name in the caller's language.")
    count: int = Field(description=f"Hits shown, at most {PER_KIND}.")
    more: bool = Field(description=f"There are more than {PER_KIND}: add a word to narrow.")
    hits: list[SiteSearchHitOut]


class SiteSearchOut(Schema):
    words: list[str] = Field(description="The words searched for, as read from `q`.")
    total: int
    groups: list[SiteSearchGroupOut] = Field(description="Every kind, in a fixed order.")


@router.get(
    "/search",
    response={200: SiteSearchOut, **errors(422)},
    summary="Search everything the caller may see",
    description=(
        "Agencies (name, organisation number), services, connection cases, requests, invoices "
        "(number), officials, workspaces, documents and incidents, each within what the caller "
        "may see. `q` is read as words (its first 500 characters; quotes, operators and "
        "wildcards separate words); every word must match. No word in `q`: 422 `empty_query`."
    ),
    operation_id="samdrift_ui_search",
)
def search(
    request: ApiRequest,
    q: str = Query("", description="The words to find."),
) -> dict[str, object]:
    result = site_search(actor=request.auth, query=q)
    return {
        "words": list(result.words),
        "total": result.total,
        "groups": [
            {
                "kind": group.kind,
                "label": str(group.label),
                "count": group.count,
                "more": group.more,
                "hits": [asdict(hit) for hit in group.hits],
            }
            for group in result.groups
        ],
    }
