"""Security cases (issue 17 item 5, ADR 0968): an operations incident with security fields;
personal data involved makes it reportable under GDPR art. 33 in the operations app, whose
deadlines then run. Only the SOC of the incident's provider keeps them."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.operations import services as operations
from samdrift.operations.selectors import incident_get
from samdrift.security import selectors
from samdrift.security.cases import case_rows, security_case_set
from samdrift.security.models import SecurityCase
from samdrift.tests.factories import SecondProviderFactory, ServiceFactory, SubscriptionFactory

from .conftest import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(soc, provider):
    from samdrift.tests.factories import OrganisationFactory

    service = ServiceFactory(code="EFOS", provider=provider)
    SubscriptionFactory(organisation=OrganisationFactory(name="Myndighet A"), service=service)
    return operations.incident_open(
        actor=soc, service_code="EFOS", title="Intrång i inloggningen", impact=2, urgency=2
    )


def test_personal_data_makes_the_incident_reportable_with_deadlines_from_operations(soc, incident):
    case = security_case_set(
        actor=soc, incident_id=incident.pk, category="intrusion",
        information_classes=["personal", "confidential"], personal_data=False,
    )  # fmt: skip
    assert case.personal_data  # a personal class implies it
    assert "gdpr-33" in incident_get(actor=soc, incident_id=incident.pk).regimes
    [row] = case_rows(actor=soc, cases=[case])
    assert row.next_deadline is not None and row.next_deadline.regime == "gdpr-33"
    assert AuditEvent.objects.filter(action="security.case_set").count() == 1
    # changing the fields again keeps one case and records before and after
    security_case_set(
        actor=soc, incident_id=incident.pk, category="leak",
        information_classes=["personal"], personal_data=True,
    )  # fmt: skip
    assert SecurityCase.objects.get().category == "leak"
    assert AuditEvent.objects.filter(action="security.case_set").count() == 2


def test_without_personal_data_no_regime_is_added(soc, incident):
    security_case_set(
        actor=soc, incident_id=incident.pk, category="availability",
        information_classes=["public"], personal_data=False,
    )  # fmt: skip
    assert incident_get(actor=soc, incident_id=incident.pk).regimes == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": "spionage"}, "category"),
        ({"information_classes": ["hemligt"]}, "information_classes"),
        ({"information_classes": ["public"], "personal_data": True}, "information_classes"),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_nothing_changes(soc, incident, values, field):
    arguments = {"category": "malware", "information_classes": [], "personal_data": False}
    with pytest.raises(ValidationFailed) as refused:
        security_case_set(actor=soc, incident_id=incident.pk, **{**arguments, **values})
    assert field in refused.value.errors
    rendered = in_both_languages(refused.value.message, refused.value.params)
    assert rendered["sv"] != rendered["en"]
    assert not SecurityCase.objects.exists()
    assert incident_get(actor=soc, incident_id=incident.pk).regimes == []


def test_only_the_soc_of_the_incidents_provider_keeps_security_cases(soc, incident):
    customer = member_of(incident.provider, "kund", role="member")  # provider staff, not SOC
    other_soc = member_of(SecondProviderFactory(), "annan-soc", role="security")
    for actor in (customer, other_soc):
        with pytest.raises(NotFound):
            security_case_set(
                actor=actor, incident_id=incident.pk, category="malware",
                information_classes=[], personal_data=False,
            )  # fmt: skip
        assert list(selectors.security_case_list(actor=actor)) == []
    assert not SecurityCase.objects.exists()


def test_the_page_and_api_list_and_mark_security_cases(soc, incident, security_officer, client_for):
    client = client_for(security_officer)
    answer = client.post(
        "/security/cases/",
        {"incident": incident.pk, "category": "malware", "information_classes": ["personal"]},
    )
    assert answer.status_code == 302
    page = client.get("/security/cases/").content.decode()
    assert f"INC{incident.pk}" in page and "Skadlig kod" in page and "Personuppgifter" in page
    refused = client.post("/security/cases/", {"incident": 99999, "category": "malware"})
    assert refused.status_code == 422
    items = client.get("/api/v1/security/cases").json()["items"]
    assert [i["incident"] for i in items] == [incident.pk] and items[0]["next_deadline"]
    changed = client.post(
        "/api/v1/security/cases",
        data={"incident": incident.pk, "category": "leak", "information_classes": ["personal"]},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["category"] == "leak"
    bad = client.post(
        "/api/v1/security/cases",
        data={"incident": incident.pk, "category": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and SecurityCase.objects.get().category == "leak"
