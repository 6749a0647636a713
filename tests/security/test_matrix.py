"""The generated cross-agency matrix: every URL pattern and every OpenAPI operation × every role
× another agency's (and another provider's) object.

For an address that names an object, the victim's object must be refused exactly like an id that
does not exist (status and body), at the same number of queries, with nothing changed. Every
answer to every role must be free of the names it may not see (agencies, drafts). The addresses
come from Django's resolver and from `/api/v1/openapi.json` themselves; `registry.py` declares
how to fill each one, and an undeclared address fails `test_every_address_is_declared`.

One database world per module (built in a transaction that is rolled back at the end); each
test runs in a savepoint of it. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.tests.dav import dav_call
from tests.api.support import rows_as_stored
from tests.security import registry
from tests.security.registry import API, API_PARAMS, LIST, OBJECT, PAGES, PUBLIC, Case
from tests.security.world import FK_ROLES, ROLES, World, build_world

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1"
REFUSED = {302, 400, 401, 403, 404, 405, 409, 422}


# --- the addresses, from the application itself --------------------------------------------------


def url_patterns() -> dict[str, tuple[str, list[str]]]:
    """Every named page pattern: name → (route, path parameters). The API's own patterns are
    enumerated from its OpenAPI document instead."""
    found: dict[str, tuple[str, list[str]]] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue
                inner = ":".join(x for x in (namespace, pattern.namespace or "") if x)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(x for x in (namespace, pattern.name or "") if x)
                route = prefix + str(pattern.pattern)
                params = list(pattern.pattern.regex.groupindex)
                found[name or route] = (route, params)

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> dict[tuple[str, str], list[str]]:
    from config.api import api

    schema = api.get_openapi_schema()
    return {
        (method.upper(), path.removeprefix(API_PREFIX)): re.findall(r"{(\w+)}", path)
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_every_address_is_declared():
    undeclared_pages = sorted(set(url_patterns()) - set(PAGES))
    undeclared_api = sorted(set(api_operations()) - set(API))
    unknown_params = sorted(
        {p for params in api_operations().values() for p in params} - set(API_PARAMS)
    )
    assert (undeclared_pages, undeclared_api, unknown_params) == ([], [], [])


def test_every_page_parameter_has_a_value():
    for name, (_route, params) in url_patterns().items():
        case = PAGES.get(name)
        if case is not None and case.kind in {OBJECT, LIST, PUBLIC}:
            assert set(params) <= set(case.params), name


def test_the_registry_names_nothing_that_is_gone():
    """A removed address leaves no stale declaration behind."""
    assert sorted(set(PAGES) - set(url_patterns())) == []
    assert sorted(set(API) - set(api_operations())) == []


# --- the world ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _resolve(value: str, ref: Any) -> Any:
    return value.removeprefix("literal:") if value.startswith("literal:") else ref(value)


def _page_path(name: str, case: Case, ref: Any) -> str:
    kwargs = {param: _resolve(value, ref) for param, value in case.params.items()}
    return reverse(name, kwargs=kwargs)


def _api_path(template: str, ref: Any) -> str:
    return API_PREFIX + re.sub(
        r"{(\w+)}", lambda m: str(_resolve(API_PARAMS[m.group(1)], ref)), template
    )


def _send(client: Any, method: str, path: str, data: dict[str, Any] | None, api: bool) -> Any:
    sender = getattr(client, method.lower())
    if method == "GET":
        return sender(path, data=data or {})  # a GET's data is its query
    if api:
        if method == "DELETE":
            return sender(path)
        return sender(path, data=json.dumps(data or {}), content_type="application/json")
    return sender(path, data=data or {})


def _samdrift_tables() -> dict[str, str]:
    """Every samdrift model's label → its table."""
    return {
        model._meta.label: model._meta.db_table
        for model in apps.get_models()
        if model.__module__.startswith("samdrift.")
    }


def _snapshot(world: World) -> dict[str, Any]:
    """Row counts of every samdrift table, and every stored field of each victim's objects.

    The counts come in one statement (one sub-select per table): the matrix takes two snapshots
    for each of its ~3,000 cases, and one COUNT query per table made them two thirds of its time.
    """
    tables = _samdrift_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # the models' own tables, quoted
        counted = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables.values())  # noqa: S608
        cursor.execute(f"SELECT {counted}")
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    objects: dict[tuple[str, str], Any] = {}
    for victim in (world.b, world.c):
        for name in VICTIM_ROWS:
            obj = getattr(victim, name)
            if obj is not None:
                objects[(victim.org.name, name)] = obj
    return {"counts": counts, "rows": rows_as_stored(objects)}


# The victim's objects whose every field must be as it was; the first nine always exist.
VICTIM_ROWS = (
    "org",
    "case",
    "request",
    "subscription",
    "invoice",
    "usage",
    "official",
    "service",
    "draft",
    "credential",
    "document",
    "membership",
    "token",
    "item",
    "run",
    "account",
)


CSRF = re.compile(r'(csrfmiddlewaretoken" value="|csrf-token" content=")[^"]+')
# Every error answer carries a fresh reference number for support (ADR 0700): random per answer,
# so it tells nothing about the object and is taken out before comparing.
REFERENCE = re.compile(r'(class="error-reference">.*?<strong>)[0-9A-Fa-f]+(</strong>)', re.S)


def _shape(response: Any, path: str, placeholder: str, *, mask_numbers: bool = False) -> Any:
    """What a caller learns from an answer, with the address it asked for taken out (a GET's
    query included: a page echoes its own address, e.g. in the language form). A form that
    named the object in its body echoes the id it was given: numbers are masked there."""
    location = response.get("Location", "")
    content = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        content = json.loads(content)
        if isinstance(content, dict):
            content.pop("reference", None)
    else:
        content = REFERENCE.sub(r"\1…\2", CSRF.sub("", content))
    text = json.dumps(content, sort_keys=True) if not isinstance(content, str) else content
    bare = path.partition("?")[0]
    for variant in dict.fromkeys((path, bare, bare.replace("/", "%2F"))):
        text = text.replace(variant, placeholder)
        location = location.replace(variant, placeholder)
    if mask_numbers:
        text = re.sub(r"\d+", "#", text)
    # A redirect may echo the id the caller sent (back to the object's page): that tells nothing.
    location = re.sub(r"\d+", "#", location)
    return response.status_code, location, text


def _markers_absent(response: Any, markers: tuple[str, ...]) -> list[str]:
    content = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        content = json.dumps(json.loads(content), ensure_ascii=False)
    return [marker for marker in markers if marker in content]


# --- object addresses: refused, same as missing, same cost, nothing changed ----------------------


def _object_cases() -> list[Any]:
    cases = []
    for name, case in PAGES.items():
        if case.kind == OBJECT:
            cases.append(pytest.param("page", name, case, id=f"page {name}"))
    for (method, template), case in API.items():
        if case.kind == OBJECT:
            cases.append(pytest.param("api", (method, template), case, id=f"{method} {template}"))
    return cases


def _request(world: World, role: str, surface: str, key: Any, case: Case, victim: Any) -> Any:
    ref = registry.ref_of(victim, world)
    data = case.data(ref) if case.data else None
    if surface == "page":
        path = _page_path(key, case, ref)
        method = case.method
    else:
        method, template = key
        path = _api_path(template, ref)
    client = world.clients[role]
    with CaptureQueriesContext(connection) as queries:
        response = _send(client, method, path, data, api=surface == "api")
    if method == "GET" and data:  # the address asked for is the path and its query
        path = f"{path}?{urlencode(data, doseq=True)}"
    return response, path, len(queries)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("surface", "key", "case"), _object_cases())
def test_another_agencys_object_is_refused_like_a_missing_one(world, role, surface, key, case):
    victim = world.victim_for(role)
    # given: the answer to an id that does not exist
    missing, missing_path, missing_queries = _request(world, role, surface, key, case, None)
    before = _snapshot(world)
    # when: the same address with the victim's object
    foreign, foreign_path, foreign_queries = _request(world, role, surface, key, case, victim)
    # then: refused (a form that names the object in its body re-renders with its error)
    in_body = (surface == "page" and not case.params) or (surface == "api" and "{" not in key[1])
    refused = REFUSED | ({200, 400, 409, 422} if in_body else set())
    assert foreign.status_code in refused, (foreign.status_code, foreign.content[:300])
    shape = {"placeholder": "<path>", "mask_numbers": in_body}
    assert _shape(foreign, foreign_path, **shape) == _shape(missing, missing_path, **shape)
    assert _snapshot(world) == before
    assert foreign_queries == missing_queries
    assert _markers_absent(foreign, world.markers_for(role)) == []


# --- every other address: no answer names what the role may not see ------------------------------


def _open_cases() -> list[Any]:
    cases = []
    for name, case in PAGES.items():
        if case.kind in {LIST, PUBLIC}:
            cases.append(pytest.param("page", name, case, id=f"page {name}"))
    for (method, template), case in API.items():
        if case.kind in {LIST, PUBLIC}:
            cases.append(pytest.param("api", (method, template), case, id=f"{method} {template}"))
    return cases


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("surface", "key", "case"), _open_cases())
def test_no_answer_names_what_the_role_may_not_see(world, role, surface, key, case):
    response, _path, _queries = _request(world, role, surface, key, case, world.victim_for(role))
    assert response.status_code < 500, response.content[:300]
    assert _markers_absent(response, world.markers_for(role)) == []


# --- live topics: a subscription is refused like the page ---------------------------------------


def test_every_live_topic_prefix_is_declared():
    from samdrift.core import live

    assert sorted(live.registered_prefixes() - set(registry.LIVE)) == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix", sorted(registry.LIVE))
def test_another_agencys_live_topic_is_refused(world, role, prefix):
    from samdrift.core import live

    actor = _actor(world, role) if role != "anonymous" else live_anonymous()
    victim_key = registry.ref_of(world.victim_for(role), world)(registry.LIVE[prefix])
    missing_key = registry.ref_of(None, world)(registry.LIVE[prefix])
    assert live.authorised(actor, f"{prefix}:{victim_key}") is False
    assert live.authorised(actor, f"{prefix}:{missing_key}") is False


def test_a_live_topic_is_open_to_whom_the_page_is(world):
    """The refusals above are not a closed door for everyone: B's own contact follows B."""
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.core import live

    contact = actor_for_user(world.b.contact)
    for prefix, ref in registry.LIVE.items():
        key = registry.ref_of(world.b, world)(ref)
        assert live.authorised(contact, f"{prefix}:{key}") is True, prefix


def live_anonymous() -> Any:
    from samdrift.core.actor import ANONYMOUS

    return ANONYMOUS


# --- the cases the issue names -------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in FK_ROLES and r != "anonymous"])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_draft_leak_a_service_page_names_no_draft_that_depends_on_it(world, role, surface):
    """`/catalogue/EFOS/` once listed the draft services linked to it; the API did not."""
    path = "/catalogue/EFOS/" if surface == "page" else "/api/v1/services/EFOS"
    response = world.clients[role].get(path)
    assert response.status_code == 200
    drafts = {world.b.draft.name_sv, world.b.draft.name_en, world.c.draft.name_sv}
    forbidden = tuple(drafts.intersection(world.markers_for(role)))
    assert forbidden  # every such role has a draft it must not see
    assert _markers_absent(response, forbidden) == []


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_draft_shows_to_its_own_providers_staff(world, surface):
    path = "/catalogue/EFOS/" if surface == "page" else "/api/v1/services/EFOS"
    content = world.clients["service_manager"].get(path).content.decode()
    assert world.b.draft.name_sv in content or world.b.draft.name_en in content
    assert world.c.draft.name_sv not in content and world.c.draft.name_en not in content


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/billing/invoices",
        "/api/v1/cases",
        "/api/v1/requests",
        "/api/v1/subscriptions?active_only=false",
        "/api/v1/agencies?limit=500",
    ],
)
def test_the_second_provider_sees_its_customer_and_none_of_fks(world, path):
    client = world.clients["second_provider"]
    body = client.get(path).json()
    rows = body if isinstance(body, list) else body["items"]
    text = json.dumps(rows, ensure_ascii=False)
    assert world.b.org.name not in text and world.a.name not in text
    if "agencies" not in path:
        assert world.c.org.name in text  # its own customer is there: the rule is not "nothing"


def test_the_second_provider_sees_none_of_fks_audit(world):
    from samdrift.audit.selectors import object_history

    actor = _actor(world, "second_provider")
    for victim, seen in ((world.b, False), (world.c, True)):
        history = object_history(
            actor=actor, object_type="organisations.organisation", object_ids=[str(victim.org.pk)]
        )
        assert bool(list(history)) is seen


def _actor(world: World, role: str) -> Any:
    from samdrift.accounts.selectors import actor_for_user

    return actor_for_user(world.users[role])


@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_search_case_finds_something_the_searcher_may_see(world, surface):
    """The search rows above would pass on an empty answer: here a member of the victim's own
    workspace, logged in like every role (loa3), finds its document with the same query."""
    client = Client()
    client.force_login(world.b.contact)
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": world.b.contact.pk, "rank": 3}
    session.save()
    path = "/collaboration/search/" if surface == "page" else "/api/v1/collaboration/search"
    response = client.get(path, {"q": "hemligt"})
    assert response.status_code == 200
    content = response.content.decode()
    assert world.b.cdoc.name in content
    assert world.c.cdoc.name not in content


# --- WebDAV (/dav/, ADR 0613): not a Django address, so declared here ------------------------------

DAV_LOCKINFO = (
    b'<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
    b"<D:locktype><D:write/></D:locktype></D:lockinfo>"
)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_another_agencys_workspace_over_webdav_is_refused_like_a_missing_one(world, role):
    from urllib.parse import quote

    from samdrift.accounts.app_passwords import app_password_create
    from samdrift.collaboration.webdav.provider import segment_for

    user = world.users[role]
    _row, secret = app_password_create(actor=_actor(world, role), name="matris", max_class=0)
    victim = world.victim_for(role)
    by_id = f"x ({victim.workspace.id})"  # a probe by id, and one with the exact name too
    for name, checks_markers in ((by_id, True), (segment_for(victim.workspace), False)):
        foreign = "/dav/" + quote(name)
        missing = "/dav/" + quote(f"{name.rpartition(' (')[0]} ({registry.MISSING_ID})")
        document = "/" + quote(victim.cdoc.name if not checks_markers else "x.txt")
        before = _snapshot(world)
        for method, suffix in (
            ("PROPFIND", ""),
            ("GET", document),
            ("PUT", "/matris.txt"),
            ("DELETE", document),
            ("MKCOL", "/Matris"),
            ("LOCK", document),  # a lock is a check-out (ADR 0687)
            ("LOCK", "/matris-ny.txt"),  # a name with no document yet
            ("UNLOCK", document),
        ):
            body = {"PUT": b"matris\n", "LOCK": DAV_LOCKINFO}.get(method, b"")
            headers = {"Lock-Token": "<opaquelocktoken:matris>"} if method == "UNLOCK" else {}
            got = dav_call(method, foreign + suffix, user.username, secret, body, headers)
            expected = dav_call(method, missing + suffix, user.username, secret, body, headers)
            assert got[0] == expected[0], (method, got, expected)
            assert got[0] in {403, 404, 405, 409}, (method, got)
            if checks_markers:
                assert _markers_absent_text(got[1], world.markers_for(role)) == []
        assert _snapshot(world) == before
    status, listing = dav_call("PROPFIND", "/dav/", user.username, secret)
    assert status in {207, 403}, status
    assert _markers_absent_text(listing, world.markers_for(role)) == []


def _markers_absent_text(text: str, markers: tuple[str, ...]) -> list[str]:
    return [m for m in markers if m and m in text]


# --- CalDAV's outbox (/caldav/<user>/outbox/, ADR 0648): free/busy by address ----------------------


def _free_busy_question(organizer: str, *attendees: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//matris//EN", "METHOD:REQUEST",
        "BEGIN:VFREEBUSY", "UID:matris@test", "DTSTAMP:20291201T080000Z",
        "DTSTART:20300107T000000Z", "DTEND:20300108T000000Z", f"ORGANIZER:mailto:{organizer}",
        *(f"ATTENDEE:mailto:{a}" for a in attendees), "END:VFREEBUSY", "END:VCALENDAR", "",
    ]  # fmt: skip
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_another_agencys_people_answer_the_caldav_outbox_as_unknown_ones(world, role):
    """Nobody shares a workspace with the victim's contact, who has a meeting that day: their
    address answers exactly as one nobody has, and nothing but the audited read is written."""
    from defusedxml import ElementTree

    from samdrift.accounts.app_passwords import app_password_create
    from samdrift.calendars.services import ensure_calendars

    user, victim = world.users[role], world.victim_for(role)
    savepoint = transaction.savepoint()
    try:
        for person in (user, victim.contact):
            person.email = f"{person.username}@example.se"
            person.save(update_fields=["email"])
        _row, secret = app_password_create(actor=_actor(world, role), name="matris", max_class=0)
        ensure_calendars(actor=_actor(world, role))  # what a first CalDAV login makes
        before = _snapshot(world)
        question = _free_busy_question(user.email, victim.contact.email, "saknas@example.se")
        status, text = dav_call(
            "POST", f"/{user.username}/outbox/", user.username, secret, question,
            {"Content-Type": "text/calendar"}, caldav=True,
        )  # fmt: skip
        assert status == 200, text
        answers = {
            item.findtext("{urn:ietf:params:xml:ns:caldav}recipient/{DAV:}href"): (
                item.findtext("{urn:ietf:params:xml:ns:caldav}request-status")
            )
            for item in ElementTree.fromstring(text)
        }
        assert answers == {
            f"mailto:{victim.contact.email}": "3.7;Invalid calendar user",
            "mailto:saknas@example.se": "3.7;Invalid calendar user",
        }
        assert "FREEBUSY" not in text.replace("VFREEBUSY", "")
        assert _markers_absent_text(text, world.markers_for(role)) == []
        after = _snapshot(world)
        after["counts"]["audit.AuditEvent"] -= 1  # the question itself, audited as a read
        counts = before["counts"].items()
        assert {k: (n, after["counts"][k]) for k, n in counts if after["counts"][k] != n} == {}
        assert after == before
    finally:
        transaction.savepoint_rollback(savepoint)
