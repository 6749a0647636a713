"""Every list operation of the API pages with `core.api.Page` (ADR 0095): its bounds are in the
OpenAPI document, a bad `limit`/`offset` is a 422 with the usual bilingual body, and `offset`
walks a list in one total order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from samdrift.tests.factories import OrganisationFactory
from tests.api.support import API, call

pytestmark = pytest.mark.django_db

# Being built today by the catalogue's own engineer, who pages it with core.api.Page (issue 10
# item 3); drop from this set when that lands.
CATALOGUE_IN_PROGRESS = {f"{API}/categories"}
# Not lists of records: summaries with a bounded number of rows (one per cost pool, fee area or
# ledger account) and a fixed vocabulary (the levels of assurance).
SUMMARIES = {
    f"{API}/billing/costs",
    f"{API}/billing/ledger",
    f"{API}/billing/fee-proposal",
    f"{API}/identity/levels",
}
# Being built today in another engineer's new app; it pages with core.api.Page when it lands.
IN_PROGRESS_APPS = (f"{API}/collaboration/",)


def _list_operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get and {p["name"] for p in get.get("parameters", [])} >= {"limit", "offset"}:
            found.append((path, get))
    return found


def test_every_list_operation_documents_its_bounds(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    operations = _list_operations(schema)
    assert len(operations) >= 10
    for path, get in operations:
        params = {p["name"]: p for p in get["parameters"]}
        limit, offset = params["limit"]["schema"], params["offset"]["schema"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 50), path
        assert (offset["minimum"], offset["maximum"]) == (0, 10**9), path
        assert "500" in limit["description"], path
        body = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in body, path


def test_no_list_endpoint_returns_a_bare_array(client: Client) -> None:
    """A list without `count` and `items` is not paged: every GET without a path parameter that
    answers an array is a missed list."""
    schema = client.get(f"{API}/openapi.json").json()
    bare: list[str] = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path or path in CATALOGUE_IN_PROGRESS | SUMMARIES:
            continue
        if path.startswith(IN_PROGRESS_APPS):
            continue
        body = get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if body.get("schema", {}).get("type") == "array":
            bare.append(path)
    assert bare == [], "\n".join(bare)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=501",
        "limit=abc",
        "offset=-1",
        "offset=1000000001",
        "offset=x",
        "limit=1.5",
    ],
)
def test_bad_limit_or_offset_is_a_bilingual_422(
    client_for: Any, account_manager: Any, query: str
) -> None:
    response = call(client_for(account_manager), "GET", f"/agencies?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message_sv"] and body["message_en"]
    assert body["errors"]


def test_offset_walks_the_list_once(client_for: Any, account_manager: Any) -> None:
    for i in range(7):
        OrganisationFactory(name=f"Samma namn {i}")
    client = client_for(account_manager)
    seen: list[int] = []
    total = call(client, "GET", "/agencies?limit=500").json()["count"]
    for offset in range(0, total + 3, 3):
        page = call(client, "GET", f"/agencies?limit=3&offset={offset}").json()
        assert page["count"] == total
        seen += [row["id"] for row in page["items"]]
    assert len(seen) == total == len(set(seen))
    assert call(client, "GET", f"/agencies?offset={total + 10}").json()["items"] == []
