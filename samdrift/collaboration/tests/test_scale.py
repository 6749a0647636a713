"""The agency's own confidentiality scale mapped onto KLASSA (issue 11 item 2, ADR 0617): labels
kept by the owner agency's security role, shown on workspaces and documents with the level,
rules on the level; every bad mapping refused in Swedish and English with nothing changed."""

from __future__ import annotations

import io

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Document, ScaleLabel, Workspace
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.tenancy import StepUpRequired

pytestmark = pytest.mark.django_db

SCALE = [
    {"name_sv": "Öppen", "name_en": "Open", "level": 0},
    {"name_sv": "Intern", "name_en": "Internal", "level": 1},
    {"name_sv": "Känslig", "name_en": "Sensitive", "level": 2},
    {"name_sv": "Mycket känslig", "name_en": "Very sensitive", "level": "3"},
]


def _scale(safos, labels=SCALE):
    return services.scale_set(
        actor=safos.actor("security"), organisation_id=safos.a.id, labels=labels
    )


def _rows(labels):
    return [
        {"id": x.id, "name_sv": x.name_sv, "name_en": x.name_en, "level": x.level} for x in labels
    ]


def _label(safos, name_sv):
    return ScaleLabel.objects.get(organisation=safos.a, name_sv=name_sv)


def test_the_security_role_sets_the_scale_and_it_is_audited(safos):
    labels = _scale(safos)
    assert [(x.name_sv, x.level) for x in labels] == [
        ("Öppen", 0),
        ("Intern", 1),
        ("Känslig", 2),
        ("Mycket känslig", 3),
    ]
    event = AuditEvent.objects.filter(action="collaboration.scale_set").get()
    assert event.organisation_id == safos.a.id and event.before == {"labels": []}
    assert [x["name_sv"] for x in event.after["labels"]][2] == "Känslig"


def test_only_the_agencys_security_role_keeps_its_scale(safos):
    for who in ("owner", "editor", "outsider"):
        with pytest.raises(NotFound):
            services.scale_set(actor=safos.actor(who), organisation_id=safos.a.id, labels=SCALE)
        with pytest.raises(NotFound):
            selectors.scale_get(actor=safos.actor(who), organisation_id=safos.a.id)
    assert not ScaleLabel.objects.exists()


def test_a_workspace_classified_with_a_label_keeps_the_label_and_the_rules_follow_the_level(safos):
    _scale(safos)
    sensitive = _label(safos, "Känslig")
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Tillsyn", classification=f"label:{sensitive.id}"
    )
    assert (workspace.classification, workspace.scale_label_id) == (2, sensitive.id)
    # the rules run on the level: class 2 asks for loa 2 and allows no share links
    with pytest.raises(StepUpRequired):
        selectors.workspace_get(actor=safos.actor("owner", loa=1), workspace_id=workspace.id)
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(b"text\n"),
        name="a.txt", content_type="text/plain",
    )  # fmt: skip
    document = Document.objects.get(id=version.document_id)
    assert (document.classification, document.scale_label_id) == (2, sensitive.id)
    # a plain level becomes the agency's label for it
    services.document_classify(
        actor=safos.actor("owner"), document_id=document.id, classification=3
    )
    document.refresh_from_db()
    assert (document.classification, document.scale_label_id) == (
        3,
        _label(safos, "Mycket känslig").id,
    )


def test_pages_show_the_agencys_label_and_the_klassa_level(safos):
    _scale(safos)
    workspace = services.workspace_create(
        actor=safos.actor("owner"),
        name="Tillsyn",
        classification=f"label:{_label(safos, 'Intern').id}",
    )
    sv = safos.client("owner").get(f"/collaboration/{workspace.id}/").content.decode()
    assert "Intern (KLASSA 1)" in sv
    en = safos.client("owner").get(f"/collaboration/{workspace.id}/", HTTP_ACCEPT_LANGUAGE="en")
    body = safos.client("owner").get(f"/api/v1/collaboration/workspaces/{workspace.id}").json()
    assert body["classification"] == 1 and body["label_id"] == _label(safos, "Intern").id
    assert en.status_code == 200


def test_an_unmapped_label_is_refused_in_both_languages_and_nothing_changes(safos):
    _scale(safos)
    before = _rows(ScaleLabel.objects.all())
    response = safos.client("security").put(
        f"/api/v1/collaboration/agencies/{safos.a.id}/scale",
        {"labels": [*before, {"name_sv": "Begränsad", "name_en": "Restricted"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "Begränsad" in body["message_sv"] and "saknar KLASSA-nivå" in body["message_sv"]
    assert "has no KLASSA level" in body["message_en"]
    assert _rows(ScaleLabel.objects.all()) == before


@pytest.mark.parametrize("level", [4, -1, "7", "x", "S"])
def test_a_level_outside_0_to_3_is_refused(safos, level):
    with pytest.raises(ValidationFailed) as error:
        _scale(safos, [{"name_sv": "Hemlig", "name_en": "Secret", "level": level}])
    assert "Hemlig" in str(error.value) or error.value.code == "security_protected"
    assert not ScaleLabel.objects.exists()
    assert not AuditEvent.objects.filter(action="collaboration.scale_set").exists()


def test_the_level_of_a_label_in_use_cannot_change_a_new_label_can_be_added(safos):
    labels = _scale(safos)
    services.workspace_create(
        actor=safos.actor("owner"), name="Tillsyn", classification=f"label:{labels[1].id}"
    )
    rows = _rows(labels)
    rows[1]["level"] = 2  # "Intern" is used by the workspace
    response = safos.client("security").put(
        f"/api/v1/collaboration/agencies/{safos.a.id}/scale",
        {"labels": rows}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert "Intern" in body["message_sv"] and "ny etikett" in body["message_sv"]
    assert "Add a new label" in body["message_en"]
    assert _label(safos, "Intern").level == 1
    # removing it is refused too; a new label, and renaming it, are fine
    with pytest.raises(ValidationFailed):
        _scale(safos, [r for r in _rows(labels) if r["name_sv"] != "Intern"])
    rows = _rows(labels)
    rows[1]["name_sv"] = "Intern (gammal)"
    rows.append({"name_sv": "Intern skyddad", "name_en": "Internal protected", "level": 2})
    _scale(safos, rows)
    assert _label(safos, "Intern (gammal)").level == 1
    assert Workspace.objects.get().scale_label.name_sv == "Intern (gammal)"
    # a label nobody uses may change its level
    rows = _rows(ScaleLabel.objects.filter(organisation=safos.a))
    rows[0]["level"] = 1
    _scale(safos, rows)
    assert _label(safos, "Öppen").level == 1


def test_duplicate_and_empty_names_are_refused(safos):
    for labels in (
        [{"name_sv": "Öppen", "name_en": "Open", "level": 0},
         {"name_sv": "öppen", "name_en": "Public", "level": 1}],
        [{"name_sv": "", "name_en": "Open", "level": 0}],
        [{"name_sv": "Öp\u0007pen", "name_en": "Open", "level": 0}],
    ):  # fmt: skip
        with pytest.raises(ValidationFailed):
            _scale(safos, labels)
    assert not ScaleLabel.objects.exists()


def test_a_label_of_another_agency_is_refused(safos):
    other = services.scale_set(
        actor=safos.actor("security"), organisation_id=safos.a.id,
        labels=[{"name_sv": "Öppen", "name_en": "Open", "level": 0}],
    )[0]  # fmt: skip
    services.invite(
        actor=safos.actor("owner"), workspace_id=services.workspace_create(
            actor=safos.actor("owner"), name="A", classification=0).id,
        email="editor@example.se", role="editor",
    )  # fmt: skip
    # B has no scale: a workspace of B cannot take A's label
    from samdrift.tests.factories import MembershipFactory

    MembershipFactory(user=safos.users["owner"], organisation=safos.b, role="member")
    with pytest.raises(ValidationFailed):
        services.workspace_create(
            actor=safos.actor("owner"), name="B", classification=f"label:{other.id}",
            organisation_id=safos.b.id,
        )  # fmt: skip
    assert not Workspace.objects.filter(name="B").exists()


def test_the_scale_page_saves_and_refuses_in_swedish(safos):
    client = safos.client("security")
    url = f"/collaboration/agencies/{safos.a.id}/scale/"
    assert client.get(url).status_code == 200
    assert safos.client("owner").get(url).status_code == 404
    data = {"rows": "3", "sv_0": "Öppen", "en_0": "Open", "level_0": "0",
            "sv_1": "Känslig", "en_1": "Sensitive", "level_1": "2"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert [x.name_sv for x in ScaleLabel.objects.all()] == ["Öppen", "Känslig"]
    bad = client.post(url, {**data, "sv_2": "Ny", "en_2": "New", "level_2": ""})
    assert bad.status_code == 422 and "saknar KLASSA-nivå" in bad.content.decode()
    assert ScaleLabel.objects.count() == 2
    # the workspace list links the scale for the security role
    assert url in client.get("/collaboration/").content.decode()
