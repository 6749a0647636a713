"""The site-wide search finds nothing of another agency's (issue 21 item 3, ADR 0702).

On the security matrix's world (`tests/security/world.py`): every role searches for each
victim's agency (name and organisation number), connection case (number), invoice (number) and
official (name), on the page and in the API, and no answer names or links the victim's object.
The victim is FK's customer B for customers, SITSSAM's staff and anonymous; SITSSAM's customer C
for FK's staff. The counter-checks: the provider that serves a victim finds each of the same
objects with the same words, so the searches are ones that do find them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from tests.security.world import ROLES, Victim, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _searches(victim: Victim) -> dict[str, tuple[str, str]]:
    """What each victim object is searched by, and the link that would lead to it."""
    return {
        "agency by name": (
            victim.org.name,
            reverse("organisations:detail", kwargs={"pk": victim.org.pk}),
        ),
        "agency by number": (
            victim.org.org_number.replace("-", ""),
            reverse("organisations:detail", kwargs={"pk": victim.org.pk}),
        ),
        "case by number": (
            str(victim.case.pk),
            reverse("onboarding:case_detail", kwargs={"pk": victim.case.pk}),
        ),
        "invoice by number": (
            victim.invoice.number,
            reverse("billing:invoice", kwargs={"invoice_id": victim.invoice.pk}),
        ),
        "official by name": (
            f"{victim.official.surname} {victim.official.given_name}",
            reverse("efos:official_detail", kwargs={"official_id": victim.official.pk}),
        ),
    }


def _answers(world: World, role: str, query: str) -> list[tuple[int, str]]:
    client = world.clients[role]
    page = client.get(reverse("ui:search"), {"q": query})
    api = client.get("/api/v1/search", {"q": query})
    return [
        (page.status_code, page.content.decode()),
        (api.status_code, json.dumps(api.json(), ensure_ascii=False)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_finds_another_agencys_agency_case_invoice_or_official(world, role):
    victim = world.victim_for(role)
    for what, (query, link) in _searches(victim).items():
        for status, body in _answers(world, role, query):
            assert status in {200, 302, 401}, (role, what, status)
            assert link not in body, (role, what)
            echo_removed = body.replace(query, "")  # the box shows what was typed
            assert victim.org.name not in echo_removed, (role, what)
            assert victim.official.surname not in echo_removed, (role, what)


@pytest.mark.parametrize(
    ("role", "victim_name"),
    [("provider_admin", "b"), ("finance", "b"), ("second_provider", "c")],
)
def test_the_provider_serving_the_agency_finds_each_of_them(world, role, victim_name):
    """The same searches find the objects for the staff of the provider that serves the agency:
    FK's admin and finance for B, SITSSAM's admin for its own customer C (the second provider
    sees its customers, and none of FK's: the test above)."""
    victim = getattr(world, victim_name)
    searches = _searches(victim)
    if role == "finance":  # finance reads invoices; officials are EFOS administrators' work
        searches = {"invoice by number": searches["invoice by number"]}
    if role == "second_provider":  # EFOS is FK's: SITSSAM operates no EFOS for its customers
        del searches["official by name"]
    for what, (query, link) in searches.items():
        api = world.clients[role].get("/api/v1/search", {"q": query})
        assert api.status_code == 200, (what, api.content[:300])
        urls = [hit["url"] for group in api.json()["groups"] for hit in group["hits"]]
        assert link in urls, (role, what, query)
        page = world.clients[role].get(reverse("ui:search"), {"q": query}).content.decode()
        assert f'href="{link}"' in page, (role, what)


def test_the_second_provider_finds_its_customer_and_none_of_fks_with_one_word(world):
    body = world.clients["second_provider"].get("/api/v1/search", {"q": "hemliga"}).json()
    agencies = next(group for group in body["groups"] if group["kind"] == "agency")
    names = [hit["title"] for hit in agencies["hits"]]
    assert world.c.org.name in names
    assert world.b.org.name not in names and world.a.name not in names
