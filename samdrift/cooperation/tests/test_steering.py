"""Steering group decisions (issue 18 item 3, ADR 0972): recorded by a provider agency's
administrator, read by the staff of the provider agencies they bind and by nobody else, never
changed; bad input refused in Swedish and English with nothing stored; page, API and CLI."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.cooperation import selectors, services
from samdrift.cooperation.models import SteeringDecision
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.tests.factories import MembershipFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 12)


@pytest.fixture
def other_provider(db):
    return ProviderFactory(name="Institutet för rymdfysik", org_number="202100-3708")


@pytest.fixture
def other_admin(other_provider):
    user = UserFactory(username="irf_admin")
    MembershipFactory(user=user, organisation=other_provider, role="provider_admin")
    return user


def _record(actor, provider, **changes):
    values = {
        "recorded_for": provider.id, "body": "sitssam", "reference": "SITSSAM-2025-03",
        "decided_on": DAY, "title": "Gemensam incidentsamordning",
        "text": "Styrgruppen beslutar att samordna incidenter.\n\nGäller från 1 april.",
        "provider_ids": [],
    }  # fmt: skip
    return services.decision_record(actor=actor, **{**values, **changes})


def _stored():
    return (
        list(SteeringDecision.objects.values()),
        AuditEvent.objects.filter(action="cooperation.decision_recorded").count(),
    )


def test_recorded_audited_and_read_by_the_providers_it_binds(
    provider, provider_admin, account_manager, other_provider, other_admin, agency_contact
):
    admin = actor_for_user(provider_admin)
    alone = _record(admin, provider, reference="P-1")
    both = _record(admin, provider, reference="P-2", provider_ids=[other_provider.id])
    assert set(both.providers.values_list("id", flat=True)) == {provider.id, other_provider.id}
    assert list(alone.providers.values_list("id", flat=True)) == [provider.id]
    event = AuditEvent.objects.get(action="cooperation.decision_recorded", object_id=str(both.pk))
    assert event.after["providers"] == sorted([provider.id, other_provider.id])
    assert event.organisation_id == provider.id
    # the recording provider's staff read both; the other provider only the one binding it
    staff = actor_for_user(account_manager)
    assert {d.reference for d in selectors.decision_list(actor=staff)} == {"P-1", "P-2"}
    other = actor_for_user(other_admin)
    assert [d.reference for d in selectors.decision_list(actor=other)] == ["P-2"]
    with pytest.raises(NotFound):
        selectors.decision_get(actor=other, decision_id=alone.pk)
    customer = actor_for_user(agency_contact)
    assert not selectors.decision_list(actor=customer).exists()
    with pytest.raises(NotFound):
        selectors.decision_get(actor=customer, decision_id=both.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "styrelsen"}, "body"),
        ({"reference": "  "}, "reference"),
        ({"reference": "SIT\x1bSAM"}, "reference"),
        ({"title": "x" * 201}, "title"),
        ({"text": ""}, "text"),
        ({"text": "Beslut\x00"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"decided_on": None}, "decided_on"),
        ({"decided_on": timezone.localdate() + datetime.timedelta(days=1)}, "decided_on"),
        ({"provider_ids": ["customer"]}, "providers"),
        ({"reference": "SITSSAM-2025-03"}, "reference"),  # used before by the steering group
    ],
)
def test_bad_input_is_refused_in_both_languages_and_stores_nothing(
    provider, provider_admin, agency, changes, field
):
    admin = actor_for_user(provider_admin)
    _record(admin, provider)
    if changes.get("provider_ids") == ["customer"]:
        changes = {**changes, "provider_ids": [agency.id], "reference": "NY-1"}
    before = _stored()
    with pytest.raises(ValidationFailed) as caught:
        _record(admin, provider, **changes)
    assert field in caught.value.errors
    both = in_both_languages(caught.value.message, caught.value.params)
    assert both["sv"] != both["en"], both
    assert _stored() == before


def test_only_an_administrator_of_the_recording_provider_records(
    provider, account_manager, other_provider, other_admin, agency, agency_contact
):
    before = _stored()
    for user, org in (
        (account_manager, provider),  # staff, not an administrator
        (other_admin, provider),  # another provider's administrator
        (agency_contact, agency),  # a customer
    ):
        with pytest.raises(NotFound):
            _record(actor_for_user(user), org)
    with pytest.raises(NotFound):  # the system records only for a provider agency
        _record(SYSTEM, agency)
    assert _stored() == before


def test_the_page_records_and_shows_a_decision_and_keeps_a_refused_form(
    client_for, provider, provider_admin, other_provider, agency_contact
):
    page = client_for(provider_admin)
    listing = page.get("/cooperation/decisions/").content.decode()
    assert "Registrera ett beslut" in listing and "Institutet för rymdfysik" in listing
    form = {
        "recorded_for": provider.id, "body": "sitssam", "reference": "SITSSAM-2025-03",
        "decided_on": "2025-03-12", "title": "Gemensam incidentsamordning",
        "text": "Styrgruppen beslutar.", "providers": [other_provider.id],
    }  # fmt: skip
    refused = page.post("/cooperation/decisions/record/", {**form, "decided_on": "2999-01-01"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "kan inte ligga framåt i tiden" in body and "Gemensam incidentsamordning" in body
    assert not SteeringDecision.objects.exists()
    made = page.post("/cooperation/decisions/record/", form)
    decision = SteeringDecision.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/cooperation/decisions/{decision.pk}/"
    shown = page.get(made["Location"]).content.decode()
    assert "Styrgruppen beslutar." in shown and "SITSSAM:s styrgrupp" in shown
    customer = client_for(agency_contact)
    assert customer.get(made["Location"]).status_code == 404
    assert (
        "Gemensam incidentsamordning"
        not in customer.get("/cooperation/decisions/").content.decode()
    )
    assert (
        customer.post("/cooperation/decisions/record/", {**form, "reference": "X"}).status_code
        == 404
    )
    assert SteeringDecision.objects.count() == 1


def test_the_api_lists_reads_and_records(client_for, provider, provider_admin, other_admin):
    api = client_for(provider_admin)
    body = {"reference": "P2032-1", "decided_on": "2025-05-20", "title": "Placering",
            "text": "Två civilområden.", "body": "program_2032"}  # fmt: skip
    made = api.post("/api/v1/cooperation/decisions", json.dumps(body),
                    content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    created = made.json()
    assert created["providers"] == ["Försäkringskassan"] and created["body"] == "program_2032"
    assert api.get("/api/v1/cooperation/decisions").json()["items"][0]["reference"] == "P2032-1"
    assert api.get(f"/api/v1/cooperation/decisions/{created['id']}").json()["title"] == "Placering"
    other = client_for(other_admin)
    assert other.get(f"/api/v1/cooperation/decisions/{created['id']}").status_code == 404
    again = api.post("/api/v1/cooperation/decisions", json.dumps(body),
                     content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert again.status_code == 422 and "already has a decision P2032-1" in again.content.decode()
    assert SteeringDecision.objects.count() == 1


def test_the_command_records_and_lists(provider, other_provider):
    out = io.StringIO()
    call_command(
        "steering", "record", "--for", provider.org_number, "--bind", other_provider.org_number,
        "--reference", "SITSSAM-1", "--date", "2025-03-12", "--title", "Samordning",
        "--text", "Beslut.", stdout=out,
    )  # fmt: skip
    assert "SITSSAM-1" in out.getvalue()
    listed = io.StringIO()
    call_command("steering", "list", stdout=listed)
    assert (
        "SITSSAM-1  Samordning  (Försäkringskassan, Institutet för rymdfysik)" in listed.getvalue()
    )
    with pytest.raises(CommandError, match="already has a decision"):
        call_command(
            "steering", "record", "--for", provider.org_number, "--reference", "SITSSAM-1",
            "--date", "2025-03-12", "--title", "Igen", "--text", "Beslut.",
        )  # fmt: skip
    with pytest.raises(CommandError, match="invalid date"):
        call_command(
            "steering", "record", "--for", provider.org_number, "--reference", "SITSSAM-2",
            "--date", "12/3", "--title", "Igen", "--text", "Beslut.",
        )  # fmt: skip
    assert SteeringDecision.objects.count() == 1
