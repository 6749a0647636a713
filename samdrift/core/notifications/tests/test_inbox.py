"""The inbox page, the header counter, preferences and the API: each user sees and changes only
their own messages; another user's message is the same 404 as a missing one."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from samdrift.core.exceptions import ValidationFailed
from samdrift.core.notifications.kinds import KINDS
from samdrift.core.notifications.models import Channel, Notification, Preference
from samdrift.core.notifications.services import notify, preferences_set

from .conftest import actor, person

pytestmark = pytest.mark.django_db

CORE_KINDS = ("case_advanced", "invoice_issued", "signoff_required")

CONTEXT = {"agency": "Myndighet Å", "case_id": 1, "phase": {"sv": "Planera", "en": "Plan"}}


@pytest.fixture
def people():
    sender = actor(person("sender"))
    karin, other = person("karin", first_name="Karin"), person("other")
    with transaction.atomic():
        notify([karin.id], "signoff_required", CONTEXT, link="/connections/1/", actor=sender)
        notify([karin.id, other.id], "signoff_required", CONTEXT, link="/x/", actor=sender)
    return {"karin": karin, "other": other}


def _inbox_ids(user):  # type: ignore[no-untyped-def]
    return list(
        Notification.objects.filter(recipient=user, channel=Channel.IN_APP).values_list(
            "id", flat=True
        )
    )


def test_inbox_page_lists_own_messages_and_the_header_counts_them(people, client_for):
    client = client_for(people["karin"])
    page = client.get("/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Säkerhetsgodkännande behövs: Myndighet Å, fasen Planera</h2>") == 2
    assert 'id="inbox-counter"' in html and '<span class="badge">2</span>' in html
    assert f'data-live-topic="inbox:{people["karin"].id}"' in html
    assert "Du har 2 olästa meddelanden." in html
    # The counter is in the header of every page, not only the inbox.
    assert '<span class="badge">2</span>' in client.get("/connections/").content.decode()


def test_mark_one_read_then_all(people, client_for):
    client = client_for(people["karin"])
    first, second = _inbox_ids(people["karin"])
    response = client.post("/inbox/", {"read": first})
    assert response.status_code == 302
    assert Notification.objects.get(id=first).read_at is not None
    assert Notification.objects.get(id=second).read_at is None
    assert '<span class="badge">1</span>' in client.get("/inbox/").content.decode()
    unread_page = client.get("/inbox/?show=unread").content.decode()
    assert unread_page.count('name="read"') == 1
    client.post("/inbox/", {"all": "1"})
    assert not Notification.objects.filter(
        recipient=people["karin"], channel=Channel.IN_APP, read_at__isnull=True
    ).exists()
    # The other user's copy of the same event stays unread.
    assert Notification.objects.get(recipient=people["other"], channel="in_app").read_at is None
    html = client.get("/inbox/").content.decode()
    assert 'id="inbox-counter"' in html and 'class="badge"' not in html.split("</header>")[0]


def test_another_users_message_is_404_and_stays_unread(people, client_for):
    theirs = _inbox_ids(people["other"])[0]
    client = client_for(people["karin"])
    assert client.post("/inbox/", {"read": theirs}).status_code == 404
    assert client.post("/inbox/", {"read": 999999}).status_code == 404
    assert Notification.objects.get(id=theirs).read_at is None
    assert "/x/" not in client_for(person("stranger")).get("/inbox/").content.decode()


def test_inbox_needs_a_login(client_for):
    response = client_for().get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_preferences_page_saves_choices_and_language(people, client_for):
    client = client_for(people["karin"])
    page = client.get("/inbox/preferences/").content.decode()
    boxes = 2 * len(KINDS)  # every registered kind (apps register theirs), on both channels
    assert page.count('type="checkbox"') == boxes and page.count("checked") == boxes
    response = client.post(
        "/inbox/preferences/",
        {
            "language": "en",
            # every kind registered by the apps but these three stays on
            "email": ["invoice_issued", *sorted(set(KINDS) - set(CORE_KINDS))],
            "in_app": ["case_advanced", "invoice_issued", *sorted(set(KINDS) - set(CORE_KINDS))],
        },
    )
    assert response.status_code == 302
    stored = Preference.objects.get(user=people["karin"])
    assert stored.language == "en"
    assert stored.email_off == ["case_advanced", "signoff_required"]
    assert stored.in_app_off == ["signoff_required"]
    page = client.get("/inbox/preferences/").content.decode()
    on = 3 + 2 * len(set(KINDS) - set(CORE_KINDS))
    assert page.count("checked") == on and 'value="en" lang="en" selected' in page


def test_bad_preferences_are_refused_in_both_languages_and_change_nothing(people, client_for):
    client = client_for(people["karin"])
    response = client.post("/inbox/preferences/", {"language": "de", "email": ["nonsense"]})
    assert response.status_code == 422
    assert "Välj ett språk och meddelanden ur listan." in response.content.decode()
    assert not Preference.objects.filter(user=people["karin"]).exists()
    with pytest.raises(ValidationFailed) as refused:
        preferences_set(actor=actor(people["karin"]), language="sv", email=["nonsense"], in_app=[])
    assert refused.value.errors == {"kinds": ["nonsense"]}


def test_unknown_kind_is_refused(people):
    with pytest.raises(ValidationFailed):
        notify([people["karin"].id], "no_such_kind", {}, actor=actor(people["other"]))


def test_the_actor_is_not_told_about_their_own_step_and_no_address_means_inbox_only():
    actor_user = person("self")
    nomail = person("nomail", email="")
    nomail.email = ""
    nomail.save()
    with transaction.atomic():
        rows = notify(
            [actor_user.id, nomail.id],
            "signoff_required",
            CONTEXT,
            actor=actor(actor_user),
        )
    assert [(r.recipient_id, r.channel) for r in rows] == [(nomail.id, Channel.IN_APP)]


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_and_marks_only_own_messages(people, client_for):
    client = client_for(people["karin"])
    listing = client.get("/api/v1/inbox").json()
    assert listing["count"] == 2
    assert {item["kind"] for item in listing["items"]} == {"signoff_required"}
    assert listing["items"][0]["language"] == "sv" and listing["items"][0]["read_at"] is None
    first = listing["items"][0]["id"]
    marked = client.post(f"/api/v1/inbox/{first}/read", content_type="application/json")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert client.get("/api/v1/inbox?unread=true").json()["count"] == 1

    theirs = _inbox_ids(people["other"])[0]
    refused = client.post(f"/api/v1/inbox/{theirs}/read", content_type="application/json")
    assert refused.status_code == 404
    body = refused.json()
    assert body["code"] == "not_found" and body["message_sv"] and body["message_en"]
    assert Notification.objects.get(id=theirs).read_at is None

    everything = client.post("/api/v1/inbox/read-all", content_type="application/json")
    assert everything.json() == {"marked": 1, "unread": 0}
    assert client_for(people["other"]).get("/api/v1/inbox?unread=true").json()["count"] == 1


def test_api_needs_a_caller(client_for):
    assert client_for().get("/api/v1/inbox").status_code == 401


def test_prune_forgets_only_what_has_served_its_purpose(people):
    old = timezone.now() - datetime.timedelta(days=200)
    karin_rows = Notification.objects.filter(recipient=people["karin"])
    first, second = _inbox_ids(people["karin"])
    Notification.objects.filter(id=first).update(read_at=old)  # read long ago: goes
    Notification.objects.filter(id=second).update(created_at=old)  # unread, however old: stays
    karin_rows.filter(channel=Channel.EMAIL).update(created_at=old, status="sent")  # goes
    pending = Notification.objects.filter(recipient=people["other"], channel=Channel.EMAIL)
    pending.update(created_at=old)  # still to be sent: stays
    out = StringIO()
    call_command("notifications", "prune", "--days", "180", stdout=out)
    assert out.getvalue().strip() == (
        "Deleted 1 read messages and 2 e-mails / Raderade 1 lästa meddelanden och 2 e-brev"
    )
    assert set(Notification.objects.values_list("id", flat=True)) == {
        second,
        *pending.values_list("id", flat=True),
        *Notification.objects.filter(recipient=people["other"], channel=Channel.IN_APP).values_list(
            "id", flat=True
        ),
    }
