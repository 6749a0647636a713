"""Meetings against the REAL Janus (issue 14): rooms samdrift creates exist in Janus; nothing
reaches Janus without a token samdrift issued; a removed participant's and an expired token stop
working in Janus itself; ending destroys the room; a weak login gets no token at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.collaboration.models import Member
from samdrift.core.engines import free_port
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.i18n import in_both_languages
from samdrift.core.tenancy import StepUpRequired
from samdrift.meetings import engine, janus, services
from samdrift.meetings.choices import Role, State
from samdrift.meetings.models import MeetingAdmission, MeetingCredential, MeetingRoom

from .conftest import Browser

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def _workspace(safos, level=1):
    return collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=level
    )


def _add(safos, workspace, name, role="editor", loa=3):
    collab.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{name}@example.se", role=role
    )
    invitation = collab_selectors.my_invitations(actor=safos.actor(name, loa)).get(
        workspace=workspace
    )
    return collab.invitation_accept(actor=safos.actor(name, loa), invitation_id=invitation.id)


def _room(safos, level=1, **kwargs):
    workspace = _workspace(safos, level)
    _add(safos, workspace, "editor")
    room = services.room_create(
        actor=safos.actor("owner"), title="Veckomöte", workspace_id=workspace.id, **kwargs
    )
    return workspace, room


def _admitted(safos, room, name):
    waiting = services.meeting_join(actor=safos.actor(name), room_id=room.id)
    assert waiting.state == State.WAITING and not waiting.token
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    joined = services.meeting_join(actor=safos.actor(name), room_id=room.id)
    assert joined.state == State.ADMITTED and joined.token
    return joined


def joined_credential(joined):
    return (
        AuditEvent.objects.filter(action="meetings.join", object_id=str(joined.admission.id))
        .latest("id")
        .after["credential"]
    )


def _state():
    return (
        MeetingRoom.objects.count(),
        MeetingAdmission.objects.count(),
        list(MeetingAdmission.objects.values_list("id", "state")),
        MeetingCredential.objects.count(),
        AuditEvent.objects.count(),
        sorted(janus.Client().list_tokens()),
    )


def test_a_room_created_through_samdrift_exists_in_janus(safos, meetings):
    _w, room = _room(safos)
    client = janus.Client()
    assert client.room_exists(room.janus_room)
    assert not client.room_exists("sd-never-made")
    assert AuditEvent.objects.filter(action="meetings.room_create", object_id=str(room.id)).exists()
    host = MeetingAdmission.objects.get(room=room)
    assert (host.user_id, host.role, host.state) == (
        safos.users["owner"].id,
        Role.HOST,
        State.ADMITTED,
    )


def test_control_requests_reuse_one_session_and_survive_its_loss(safos, meetings):
    """ADR 0682: one kept control session per process; when Janus has ended it (idle timeout,
    restart) the next request makes a new one and is answered, not refused."""
    _w, room = _room(safos)
    client = janus.Client()
    kept = janus._control[client.url]
    assert client.room_exists(room.janus_room) and janus._control[client.url] == kept
    assert client.destroy_session(kept[0])  # as Janus does after `session_timeout`
    assert client.room_exists(room.janus_room)
    assert janus._control[client.url] != kept


def test_janus_itself_refuses_a_request_without_a_token_or_with_a_forged_one(safos, meetings):
    _w, room = _room(safos)
    for token in (None, "", "forged-" + "x" * 36):
        answer = Browser(meetings, token).session()
        assert answer["janus"] == "error" and answer["error"]["code"] == 403, token
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    answer = Browser(meetings, joined.token).join(room.janus_room, joined.participant_id)
    assert answer["plugindata"]["data"]["videoroom"] == "joined", answer
    assert joined.participant_id in [p["id"] for p in janus.Client().participants(room.janus_room)]


def test_a_token_for_one_room_does_not_open_another(safos, meetings):
    _w, room = _room(safos)
    _w2, other = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    answer = Browser(meetings, joined.token).join(other.janus_room, "intruder")
    assert answer["plugindata"]["data"]["error_code"] == 433  # the room's ACL: unauthorized


def test_an_expired_token_is_removed_from_janus_and_refused_there(safos, meetings):
    _w, room = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    assert Browser(meetings, joined.token).session()["janus"] == "success"
    assert services.credentials_sweep(now=joined.expires_at - timedelta(seconds=1)) == 0
    assert services.credentials_sweep(now=joined.expires_at + timedelta(seconds=1)) == 1
    answer = Browser(meetings, joined.token).session()
    assert answer["janus"] == "error" and answer["error"]["code"] == 403
    assert AuditEvent.objects.filter(action="meetings.credentials_expired").count() == 1
    kept = MeetingCredential.objects.get(id=joined_credential(joined))
    assert kept.revoked_at is not None and kept.token.startswith("revoked:")
    assert joined.token not in kept.token


def test_the_lobby_admits_and_refuses_and_every_step_is_audited(safos, meetings):
    workspace, room = _room(safos)
    _add(safos, workspace, "reader", role="reader")
    joined = _admitted(safos, room, "editor")
    assert joined.admission.role == Role.PARTICIPANT
    waiting = services.meeting_join(actor=safos.actor("reader"), room_id=room.id)
    services.lobby_refuse(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    with pytest.raises(PermissionDenied) as refused:
        services.meeting_join(actor=safos.actor("reader"), room_id=room.id)
    assert refused.value.code == "meeting_refused"
    actions = list(
        AuditEvent.objects.filter(action__startswith="meetings.").values_list("action", flat=True)
    )
    for action in (
        "meetings.lobby_wait",
        "meetings.lobby_admit",
        "meetings.lobby_refuse",
        "meetings.join",
    ):
        assert action in actions
    # a participant may not admit anyone
    with pytest.raises(PermissionDenied):
        services.lobby_admit(
            actor=safos.actor("editor"), room_id=room.id, admission_id=waiting.admission.id
        )


def test_a_removed_participants_token_no_longer_works_and_they_are_kicked(safos, meetings):
    _w, room = _room(safos)
    joined = _admitted(safos, room, "editor")
    browser = Browser(meetings, joined.token)
    assert (
        browser.join(room.janus_room, joined.participant_id)["plugindata"]["data"]["videoroom"]
        == "joined"
    )
    session, handle = browser.last
    services.participant_remove(
        actor=safos.actor("owner"), room_id=room.id, admission_id=joined.admission.id
    )
    assert joined.participant_id not in [
        p["id"] for p in janus.Client().participants(room.janus_room)
    ]
    assert browser.session()["error"]["code"] == 403  # no new session
    answer = browser.send(
        f"/{session}/{handle}",
        {"janus": "message", "body": {"request": "listparticipants", "room": room.janus_room}},
    )
    assert answer["janus"] == "error" and answer["error"]["code"] == 403  # nor the old one
    assert joined.token not in janus.Client().list_tokens()
    assert session not in janus.Client().admin("list_sessions")["sessions"]  # closed at once
    with pytest.raises(PermissionDenied):
        services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    event = AuditEvent.objects.get(action="meetings.remove")
    assert event.after["tokens_revoked"] == 1 and event.after["kicked"] is True
    assert event.after["sessions_closed"] == 1


def test_ending_destroys_the_room_in_janus_and_revokes_every_token(safos, meetings):
    _w, room = _room(safos)
    host = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    guest = _admitted(safos, room, "editor")
    services.room_end(actor=safos.actor("owner"), room_id=room.id)
    assert not janus.Client().room_exists(room.janus_room)
    tokens = janus.Client().list_tokens()
    assert host.token not in tokens and guest.token not in tokens
    assert Browser(meetings, guest.token).session()["error"]["code"] == 403
    with pytest.raises(BusinessRuleViolation) as ended:
        services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    assert ended.value.code == "meeting_ended"
    assert AuditEvent.objects.get(action="meetings.end").after["destroyed"] is True


def test_a_join_below_the_class_level_is_refused_before_any_token_is_issued(safos, meetings):
    _w, room = _room(safos, level=3)
    before = _state()
    with pytest.raises(StepUpRequired) as weak:
        services.meeting_join(actor=safos.actor("editor", loa=2), room_id=room.id)
    assert weak.value.level == 3
    assert _state() == before
    assert services.meeting_join(actor=safos.actor("owner", loa=3), room_id=room.id).token


def _refusal(error: DomainError) -> dict[str, str]:
    both = in_both_languages(error.message, error.params)
    assert both["sv"] != both["en"], both  # really translated
    return both


def test_malformed_ids_are_refused_in_both_languages_and_change_nothing(safos, meetings):
    _w, room = _room(safos)
    before = _state()
    for bad in ("abc", "-1", "0", "1 OR 1=1", "١٢", "9" * 30, None):
        with pytest.raises(ValidationFailed) as caught:
            services.meeting_join(actor=safos.actor("owner"), room_id=bad)
        both = _refusal(caught.value)
        assert "room" in caught.value.errors
        assert "heltal" in both["sv"] and "whole number" in both["en"]
    with pytest.raises(ValidationFailed):
        services.lobby_admit(actor=safos.actor("owner"), room_id=room.id, admission_id="x")
    assert _state() == before


def test_a_locked_room_lets_no_one_new_in(safos, meetings):
    _w, room = _room(safos)
    services.room_lock(actor=safos.actor("owner"), room_id=room.id)
    before = _state()
    with pytest.raises(BusinessRuleViolation) as locked:
        services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    assert locked.value.code == "meeting_locked"
    both = _refusal(locked.value)
    assert "låst" in both["sv"] and "locked" in both["en"]
    assert _state() == before
    assert services.meeting_join(actor=safos.actor("owner"), room_id=room.id).token  # the host


def test_another_agencys_official_cannot_reach_an_ad_hoc_room(safos, meetings):
    room = services.room_create(
        actor=safos.actor("owner"), title="Internt", organisation_id=safos.a.id, classification=3
    )
    before = _state()
    with pytest.raises(NotFound) as hidden:
        services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    _refusal(hidden.value)
    with pytest.raises(NotFound):
        services.meeting_join(actor=safos.actor("editor"), room_id=room.id + 1000)
    assert _state() == before


def test_a_guest_is_refused_where_the_class_forbids_guests(safos, meetings):
    workspace, room = _room(safos, level=3)
    # A guest row the policy would not let in today (made before the class was raised)
    Member.objects.create(
        workspace=workspace,
        user=safos.users["guest"],
        organisation=safos.g,
        role="reader",
        is_guest=True,
    )
    before = _state()
    with pytest.raises(PermissionDenied) as refused:
        services.meeting_join(actor=safos.actor("guest"), room_id=room.id)
    assert refused.value.code == "guests_forbidden"
    both = _refusal(refused.value)
    assert "3" in both["sv"] and "3" in both["en"]
    assert _state() == before


def test_janus_configuration_keeps_its_secrets_and_listens_on_loopback(meetings):
    folder = engine.write_config(free_port(), free_port())
    core = (folder / "janus.jcfg").read_text()
    assert "token_auth = true" in core
    assert engine.secret("admin_secret") in core
    assert oct((folder / "janus.jcfg").stat().st_mode & 0o777) == "0o600"
    http = (folder / "janus.transport.http.jcfg").read_text()
    assert 'ip = "127.0.0.1"' in http and 'admin_ip = "127.0.0.1"' in http
    assert "string_ids = true" in (folder / "janus.plugin.videoroom.jcfg").read_text()


def test_a_join_hands_out_time_limited_turn_credentials(safos, meetings, settings):
    settings.MEETINGS_TURN_URLS = ["turn:127.0.0.1:3478?transport=udp"]
    settings.MEETINGS_TURN_TTL = 300
    _w, room = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    [ice] = joined.ice_servers
    expiry, person = str(ice["username"]).split(":")
    assert person == f"u{safos.users['owner'].id}"
    assert abs(int(expiry) - (joined.expires_at.timestamp() - 600 + 300)) < 5
    assert ice["urls"] == ["turn:127.0.0.1:3478?transport=udp"]


def test_the_cli_lists_rooms_shows_who_is_in_and_ends_a_meeting(safos, meetings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    _w, room = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    Browser(meetings, joined.token).join(room.janus_room, joined.participant_id)
    out = StringIO()
    call_command("meetings", "status", stdout=out)
    assert "running: Janus 1." in out.getvalue()
    call_command("meetings", "rooms", stdout=out)
    assert room.janus_room in out.getvalue()
    who = StringIO()
    call_command("meetings", "who", str(room.id), stdout=who)
    assert "safos_owner\thost\tadmitted" in who.getvalue()
    assert "in Janus / i Janus: 1" in who.getvalue() and joined.participant_id in who.getvalue()
    with pytest.raises(CommandError) as bad:
        call_command("meetings", "end", "x1")
    assert "heltal" in str(bad.value) and "whole number" in str(bad.value)
    call_command("meetings", "end", str(room.id), stdout=out)
    assert not janus.Client().room_exists(room.janus_room)
    assert AuditEvent.objects.get(action="meetings.end").actor_id is None


def test_janus_health_is_on_the_public_status_page(meetings, client, settings, db):
    from samdrift.core import health

    label = "Möten (mediaservern Janus)"
    health.forget("meetings")
    page = client.get("/operations/status/").content.decode()
    row = page[page.index(label) :][:80]
    assert "I drift" in row and meetings not in page

    settings.MEETINGS_URL = f"http://127.0.0.1:{free_port()}/janus"
    health.forget("meetings")
    page = client.get("/operations/status/").content.decode()
    assert "<strong>Avbrott</strong>" in page[page.index(label) :][:80]

    settings.MEETINGS_ENABLED = False
    health.forget("meetings")
    assert label not in client.get("/operations/status/").content.decode()


def test_who_waits_when_the_room_is_locked_still_waits_and_may_be_let_in(safos, meetings):
    workspace, room = _room(safos)
    waiting = services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    services.room_lock(actor=safos.actor("owner"), room_id=room.id)
    assert (
        services.meeting_join(actor=safos.actor("editor"), room_id=room.id).state == State.WAITING
    )
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    assert services.meeting_join(actor=safos.actor("editor"), room_id=room.id).token
    assert AuditEvent.objects.filter(action="meetings.lock", object_id=str(room.id)).count() == 1
    services.room_lock(actor=safos.actor("owner"), room_id=room.id, locked=False)
    _add(safos, workspace, "reader", role="reader")
    assert (
        services.meeting_join(actor=safos.actor("reader"), room_id=room.id).state == State.WAITING
    )


def test_a_token_holder_cannot_make_destroy_or_kick_in_janus_nor_use_the_admin_api(safos, meetings):
    _w, room = _room(safos)
    joined = _admitted(safos, room, "editor")
    browser = Browser(meetings, joined.token)
    browser.join(room.janus_room, joined.participant_id)
    session, handle = browser.last
    for body in (
        {"request": "create", "room": "sd-mine"},
        {"request": "destroy", "room": room.janus_room},
        {"request": "kick", "room": room.janus_room, "id": "a1"},
        {"request": "allowed", "room": room.janus_room, "action": "disable"},
    ):
        answer = browser.send(f"/{session}/{handle}", {"janus": "message", "body": body})
        data = answer["plugindata"]["data"]
        assert data["videoroom"] == "event" and data["error_code"] in (429, 433), (body, data)
    assert janus.Client().room_exists(room.janus_room)
    assert not janus.Client().room_exists("sd-mine")
    admin = janus.Client().admin_url
    for body in ({"janus": "list_tokens"}, {"janus": "list_tokens", "admin_secret": joined.token}):
        answer = Browser(admin, None).send("", body)
        assert answer["janus"] == "error" and answer["error"]["code"] == 403


def test_a_room_janus_lost_is_made_again_at_the_next_join_with_the_live_tokens(safos, meetings):
    _w, room = _room(safos)
    host = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    client = janus.Client()
    assert client.destroy_room(room.janus_room)  # as if Janus had restarted
    client.remove_token(host.token)
    joined = _admitted(safos, room, "editor")
    assert client.room_exists(room.janus_room)
    for token, who in ((joined.token, joined.participant_id), (host.token, host.participant_id)):
        answer = Browser(meetings, token).join(room.janus_room, who)
        assert answer["plugindata"]["data"]["videoroom"] == "joined", answer
    event = AuditEvent.objects.get(action="meetings.room_restored")
    assert event.after == {"janus_room": room.janus_room, "tokens": 2}


def test_a_janus_that_does_not_answer_leaves_nothing_behind(safos, meetings):
    workspace, room = _room(safos)
    dead = janus.Client(
        url=f"http://127.0.0.1:{free_port()}/janus",
        admin_url=f"http://127.0.0.1:{free_port()}/admin",
    )
    before = _state()
    with pytest.raises(services.MediaServerUnavailable) as down:
        services.room_create(
            actor=safos.actor("owner"), title="Nytt", workspace_id=workspace.id, client=dead
        )
    both = _refusal(down.value)
    assert "svarar inte" in both["sv"] and "does not answer" in both["en"]
    with pytest.raises(services.MediaServerUnavailable):
        services.meeting_join(actor=safos.actor("owner"), room_id=room.id, client=dead)
    assert _state() == before


def test_removal_works_when_janus_has_lost_the_room(safos, meetings):
    _w, room = _room(safos)
    joined = _admitted(safos, room, "editor")
    assert janus.Client().destroy_room(room.janus_room)
    services.participant_remove(
        actor=safos.actor("owner"), room_id=room.id, admission_id=joined.admission.id
    )
    assert joined.token not in janus.Client().list_tokens()
    assert AuditEvent.objects.get(action="meetings.remove").after["kicked"] is False


def test_muting_bad_media_or_someone_who_sends_nothing_is_refused_and_changes_nothing(
    safos, meetings
):
    _w, room = _room(safos)
    joined = _admitted(safos, room, "editor")
    before = _state()
    with pytest.raises(ValidationFailed) as bad:
        services.participant_mute(
            actor=safos.actor("owner"), room_id=room.id, admission_id=joined.admission.id,
            media="screen",
        )  # fmt: skip
    both = _refusal(bad.value)
    assert "ljud" in both["sv"] or "audio" in both["sv"]
    with pytest.raises(BusinessRuleViolation) as silent:
        services.participant_mute(
            actor=safos.actor("owner"), room_id=room.id, admission_id=joined.admission.id,
            media="video",
        )  # fmt: skip
    assert silent.value.code == "not_publishing"
    both = _refusal(silent.value)
    assert "video" in both["en"]
    assert _state() == before


def test_a_guest_of_an_unconnected_agency_waits_in_the_lobby_until_admitted(safos, meetings):
    workspace, room = _room(safos, level=2)  # class 2 allows guests, at an e-ID login
    member = _add(safos, workspace, "guest", role="reader", loa=2)
    assert member.is_guest
    with pytest.raises(StepUpRequired):  # a password login (level 0) gets nothing
        services.meeting_join(actor=safos.actor("guest", loa=0), room_id=room.id)
    waiting = services.meeting_join(actor=safos.actor("guest", loa=2), room_id=room.id)
    assert waiting.state == State.WAITING and not waiting.token
    assert waiting.admission.is_guest and waiting.admission.organisation_id == safos.g.id
    assert Browser(meetings, None).session()["janus"] == "error"  # nothing to reach Janus with
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    joined = services.meeting_join(actor=safos.actor("guest", loa=2), room_id=room.id)
    answer = Browser(meetings, joined.token).join(room.janus_room, joined.participant_id)
    assert answer["plugindata"]["data"]["videoroom"] == "joined", answer
    wait = AuditEvent.objects.get(action="meetings.lobby_wait")
    assert wait.after["guest"] is True and wait.organisation_id == safos.a.id
