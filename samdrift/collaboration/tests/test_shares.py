"""Share links (ADR 0609): named agencies and people only, logged in at the class's level, until
the expiry or a revocation; never where the class forbids links; every use an audited read;
uses rate-limited; bad input refused with nothing stored."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import ShareLink
from samdrift.core.exceptions import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def doc(safos):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Delning", classification=1
    )
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        stream=io.BytesIO(b"delad text\n"), name="Delad.txt", content_type="text/plain",
    )  # fmt: skip
    return version.document


def _share(safos, doc, **kwargs):
    return services.share_create(actor=safos.actor("owner"), document_id=doc.id, **kwargs)


def test_a_named_agency_opens_and_downloads_and_each_use_is_a_read(safos, doc):
    link, token = _share(safos, doc, agencies=[safos.c.id], days=3)
    assert link.token_hash != token and len(token) >= 40  # only the hash is kept
    client = safos.client("outsider")  # of agency C, not a member of the workspace
    page = client.get(f"/collaboration/shared/{token}/")
    assert page.status_code == 200 and "Delad.txt" in page.content.decode()
    download = client.get(f"/collaboration/shared/{token}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"delad text\n"
    reads = AuditEvent.objects.filter(object_type="collaboration.document", object_id=str(doc.id))
    uses = [e.after for e in reads if (e.after or {}).get("share") == link.id]
    assert [u["access"] for u in uses] == ["share_link", "download"]
    assert all(u["agency"] == safos.c.id and u["version"] == 1 for u in uses)
    assert ShareLink.objects.get(id=link.id).uses == 2
    assert not AuditEvent.objects.filter(after__icontains=token).exists()


def test_only_the_named_may_follow_a_link_even_a_member_is_not_let_in(safos, doc):
    _link, token = _share(safos, doc, people=["guest@example.se"])
    assert safos.client("guest").get(f"/collaboration/shared/{token}/").status_code == 200
    for name in ("outsider", "editor", "reader"):
        assert safos.client(name).get(f"/collaboration/shared/{token}/").status_code == 404, name
    assert safos.client("outsider").get("/collaboration/shared/nonsense/").status_code == 404
    anonymous = safos.client("outsider")
    anonymous.logout()
    assert anonymous.get(f"/collaboration/shared/{token}/").status_code == 302  # to the login


def test_a_login_below_the_class_is_sent_to_step_up(safos, doc):
    _link, token = _share(safos, doc, agencies=[safos.c.id])
    response = safos.client("outsider", loa=1).get(f"/collaboration/shared/{token}/")
    assert response.status_code == 302 and "step" in response["Location"].lower()


def test_the_class_decides_whether_links_may_be_made_at_all(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Två", classification=2)
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(b"x\n"),
        name="Känslig.txt", content_type="text/plain",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        services.share_create(
            actor=safos.actor("owner"), document_id=version.document_id, agencies=[safos.b.id]
        )
    assert "klass 2" in error.value.errors["classification"][0].lower() or "2" in str(error.value)
    client = safos.client("owner")
    response = client.post(
        f"/api/v1/collaboration/documents/{version.document_id}/shares",
        {"agencies": [safos.b.id]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "delningslänkar" in response.json()["message_sv"]
    assert "share links" in response.json()["message_en"]
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "agencies"),
        ({"agencies": [987654]}, "agencies"),
        ({"agencies": ["x"]}, "agencies"),
        ({"people": ["inte en adress"]}, "people"),
        ({"agencies": [1], "days": 0}, "days"),
        ({"agencies": [1], "days": 10_000}, "days"),
    ],
)
def test_bad_input_is_refused_with_nothing_stored(safos, doc, kwargs, field):
    with pytest.raises(ValidationFailed) as error:
        _share(safos, doc, **kwargs)
    assert field in error.value.errors
    assert not ShareLink.objects.exists()


def test_only_editors_share_and_a_stranger_learns_nothing(safos, doc):
    services.invite(
        actor=safos.actor("owner"), workspace_id=doc.workspace_id, email="reader@example.se",
        role="reader",
    )  # fmt: skip
    from samdrift.collaboration import selectors

    invitation = selectors.my_invitations(actor=safos.actor("reader")).get()
    services.invitation_accept(actor=safos.actor("reader"), invitation_id=invitation.id)
    with pytest.raises(services.Refused):
        services.share_create(actor=safos.actor("reader"), document_id=doc.id, agencies=[1])
    with pytest.raises(NotFound):
        services.share_create(actor=safos.actor("outsider"), document_id=doc.id, agencies=[1])
    assert safos.client("reader").get(f"/collaboration/documents/{doc.id}/shares/").status_code == 404  # fmt: skip


def test_revoked_and_expired_links_end_with_a_clear_answer(safos, doc):
    link, token = _share(safos, doc, agencies=[safos.c.id])
    client = safos.client("outsider")
    assert client.get(f"/collaboration/shared/{token}/").status_code == 200
    page = safos.client("owner").post(f"/collaboration/shares/{link.id}/revoke/")
    assert page.status_code == 302
    assert AuditEvent.objects.filter(action="collaboration.share_revoke").count() == 1
    ended = client.get(f"/collaboration/shared/{token}/")
    assert ended.status_code == 410 and "har gått ut eller återkallats" in ended.content.decode()
    api = client.get(f"/api/v1/collaboration/shared/{token}")
    assert api.status_code == 409 and "revoked" in api.json()["message_en"]

    _link2, token2 = _share(safos, doc, agencies=[safos.c.id], days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert client.get(f"/collaboration/shared/{token2}/download/").status_code == 410


def test_a_class_raised_above_what_links_allow_ends_the_link(safos, doc):
    _link, token = _share(safos, doc, agencies=[safos.c.id])
    services.workspace_classify(actor=safos.actor("owner"), workspace_id=doc.workspace_id, classification=2)  # fmt: skip
    assert safos.client("outsider").get(f"/collaboration/shared/{token}/").status_code == 410


def test_uses_are_rate_limited_with_retry_after(safos, doc, settings):
    settings.SAMDRIFT_SHARE_LINK_RATE = (2, 60)
    _link, token = _share(safos, doc, agencies=[safos.c.id])
    client = safos.client("outsider")
    assert client.get(f"/collaboration/shared/{token}/").status_code == 200
    assert client.get(f"/api/v1/collaboration/shared/{token}").status_code == 200
    page = client.get(f"/collaboration/shared/{token}/")
    assert page.status_code == 429 and int(page["Retry-After"]) >= 1
    api = client.get(f"/api/v1/collaboration/shared/{token}/content")
    assert api.status_code == 429 and api["Retry-After"]
    assert "För många" in api.json()["message_sv"]


def test_the_api_makes_lists_and_revokes_links(safos, doc):
    owner = safos.client("owner")
    made = owner.post(
        f"/api/v1/collaboration/documents/{doc.id}/shares",
        {"agencies": [safos.c.id], "people": ["Guest@Example.se"], "days": 2},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["people"] == ["guest@example.se"] and body["token"]
    listed = owner.get(f"/api/v1/collaboration/documents/{doc.id}/shares").json()
    assert [s["id"] for s in listed] == [body["id"]] and "token" not in listed[0]
    assert safos.client("outsider").get(f"/api/v1/collaboration/documents/{doc.id}/shares").status_code == 404  # fmt: skip
    shared = safos.client("guest").get(f"/api/v1/collaboration/shared/{body['token']}")
    assert shared.status_code == 200 and shared.json()["name"] == "Delad.txt"
    revoked = owner.post(f"/api/v1/collaboration/shares/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert safos.client("outsider").post(f"/api/v1/collaboration/shares/{body['id']}/revoke").status_code == 404  # fmt: skip


def test_the_share_page_makes_a_link_and_shows_it_once(safos, doc):
    owner = safos.client("owner")
    assert owner.get(f"/collaboration/documents/{doc.id}/shares/").status_code == 200
    response = owner.post(
        f"/collaboration/documents/{doc.id}/shares/",
        {"agencies": [str(safos.c.id)], "people": "", "days": "5"},
        follow=True,
    )
    text = response.content.decode()
    assert response.status_code == 200 and "/collaboration/shared/" in text
    assert ShareLink.objects.count() == 1
    bad = owner.post(f"/collaboration/documents/{doc.id}/shares/", {"people": "", "days": "5"})
    assert bad.status_code == 422 and ShareLink.objects.count() == 1
