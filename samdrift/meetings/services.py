"""Meeting rooms on Janus: create, join through the lobby, admit, refuse, remove, lock, end
(ADRs 0671–0673). samdrift is the control plane: every change is one transaction and one audit
record, and the request to Janus runs inside it, so a Janus that refuses leaves nothing behind.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.calendars.selectors import calendars_for
from samdrift.calendars.services import ensure_calendars, event_create
from samdrift.collaboration.policy import parse_classification
from samdrift.collaboration.selectors import require_level, workspace_get
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    DomainError,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.tenancy import visible_or_404

from . import conf, engine, hls, janus
from .choices import PUBLISHERS, Mode, Role, State
from .credentials import TurnCredential, janus_token, retired_token, turn_credential
from .models import MeetingAdmission, MeetingCredential, MeetingRoom
from .permissions import may_start, role_for
from .selectors import RoomAccess, expired_credentials, live_credentials, parse_id, room_get

log = logging.getLogger(__name__)

BAD_TITLE = _("Give the meeting a title of 1 to 200 characters.")
BAD_MODE = _("Choose the mode “meeting” or “webinar”.")
BAD_WINDOW = _("A scheduled meeting needs a start and an end after it.")
SCHEDULE_WORKSPACE = _("Only a workspace's meetings are scheduled in a calendar.")
JOIN_AT = _("Join the video meeting: %(url)s")
NOT_YOURS = _("You may only hold meetings for an agency you work for.")
NOT_CREATOR = _("Only the workspace's owners and editors may start a meeting in it.")
ENDED = _("The meeting has ended.")
LOCKED = _("The meeting is locked: the host lets no one new in.")
GUESTS_FORBIDDEN = _(
    "Guests may not join meetings of confidentiality class %(cls)s. Ask the host to meet in a "
    "workspace of a class that allows guests."
)
NOT_MEMBER = _("Only the workspace's members may join its meetings.")
REFUSED = _("The host has not let you in to this meeting.")
NOT_HOST = _("Only the meeting's host may do this.")
NOT_WAITING = _("This person is not waiting in the lobby.")
NOT_ADMITTED = _("This person is not in the meeting.")
BAD_MEDIA = _("Choose the media “audio” or “video”.")
NOT_PUBLISHING = {
    "audio": _("This person sends no sound to the meeting."),
    "video": _("This person sends no video to the meeting."),
}
UNAVAILABLE = _("The media server does not answer. Try again in a while.")


class MediaServerUnavailable(DomainError):
    code = "meetings_unavailable"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)


@dataclass(frozen=True)
class JoinResult:
    room: MeetingRoom
    admission: MeetingAdmission
    state: str
    token: str = ""
    participant_id: str = ""
    expires_at: datetime | None = None
    janus_url: str = ""
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    watch_only: bool = False


def janus_client(client: janus.Client | None) -> janus.Client:
    return client or janus.Client()


def call_janus(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A request to Janus; no answer, or an error samdrift did not expect, is a 503 for the
    caller (and a log line), and the caller's transaction rolls back."""
    try:
        return fn(*args, **kwargs)
    except (requests.RequestException, ValueError, janus.JanusError) as error:
        log.warning("Janus: %s", error)
        raise MediaServerUnavailable from error


def _title(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not 1 <= len(text) <= 200:
        raise ValidationFailed(BAD_TITLE, errors={"title": [str(BAD_TITLE)]})
    return text


def _mode(value: Any) -> str:
    if value not in {m.value for m in Mode}:
        raise ValidationFailed(BAD_MODE, errors={"mode": [str(BAD_MODE)]})
    return str(value)


def _window(starts: Any, ends: Any, workspace_id: Any) -> tuple[datetime, datetime] | None:
    if starts is None and ends is None:
        return None
    if workspace_id is None:
        raise ValidationFailed(SCHEDULE_WORKSPACE, errors={"starts": [str(SCHEDULE_WORKSPACE)]})
    if not isinstance(starts, datetime) or not isinstance(ends, datetime) or ends <= starts:
        raise ValidationFailed(BAD_WINDOW, errors={"ends": [str(BAD_WINDOW)]})
    return starts, ends


def _schedule(
    actor: Actor, room: MeetingRoom, window: tuple[datetime, datetime], place: str = ""
) -> None:
    """The meeting as an event in the workspace's calendar, with the room's address as its
    place (unless a place was given: a meeting in a room with some joining by video) and
    link: every member's calendar client shows it (ADR 0679)."""
    ensure_calendars(actor=actor)
    access = next(
        (a for a in calendars_for(actor=actor) if a.calendar.workspace_id == room.workspace_id),
        None,
    )
    if access is None or not access.abilities["write"]:
        raise PermissionDenied(NOT_CREATOR)
    address = settings.SAMDRIFT_BASE_URL.rstrip("/") + reverse("meetings:room", args=[room.id])
    room.event = event_create(
        actor=actor,
        calendar_id=access.calendar.id,
        summary=room.title,
        start=window[0],
        end=window[1],
        location=place or address,
        description=str(JOIN_AT) % {"url": address},
    )
    room.save(update_fields=["event"])


def _keyframes(mode: str) -> int:
    """A webinar's publishers send a key frame every broadcast segment: its HLS packager
    (ffmpeg) starts from one, and a viewer starts at any segment (ADR 0970)."""
    return conf.hls_segment_seconds() if mode == Mode.WEBINAR else 0


def room_create(
    *,
    actor: Actor,
    title: Any,
    workspace_id: Any = None,
    organisation_id: Any = None,
    classification: Any = None,
    mode: Any = Mode.MEETING,
    starts: Any = None,
    ends: Any = None,
    place: str = "",
    client: janus.Client | None = None,
) -> MeetingRoom:
    """A room in a workspace (its owners and editors start one), or an ad hoc room of one of
    the actor's agencies at a class of its own. The creator hosts it. With a start and an end
    it is scheduled: an event in the workspace's calendar carries its address."""
    clean, chosen_mode = _title(title), _mode(mode)
    window = _window(starts, ends, workspace_id)
    if workspace_id is not None:
        access = workspace_get(actor=actor, workspace_id=parse_id(workspace_id, "workspace"))
        if not may_start(member=access.member):
            raise PermissionDenied(NOT_CREATOR)
        workspace = access.workspace
        org_id, level, ws_id = workspace.owner_org_id, workspace.classification, workspace.id
    else:
        org_id = parse_id(organisation_id, "organisation")
        if org_id not in actor.roles_by_org:
            raise PermissionDenied(NOT_YOURS)
        level = parse_classification(1 if classification is None else classification)
        require_level(actor, level)
        ws_id = None
    client = janus_client(client)
    with transaction.atomic():
        room = MeetingRoom.objects.create(
            title=clean,
            workspace_id=ws_id,
            owner_org_id=org_id,
            classification=level,
            mode=chosen_mode,
            janus_room=f"sd-{uuid.uuid4().hex}",
            created_by_id=actor.user_id,
        )
        if actor.user_id is not None:
            MeetingAdmission.objects.create(
                room=room,
                user_id=actor.user_id,
                organisation_id=org_id if org_id in actor.roles_by_org else None,
                role=Role.HOST,
                state=State.ADMITTED,
                decided_at=timezone.now(),
                decided_by_id=actor.user_id,
            )
        if window is not None:
            _schedule(actor, room, window, place)
        audit_record(
            actor=actor,
            action="meetings.room_create",
            obj=room,
            organisation_id=org_id,
            after={"title": clean, "workspace": ws_id, "class": level, "mode": chosen_mode,
                   "janus_room": room.janus_room, "event": room.event_id},
        )  # fmt: skip
        # Without a media server (not enabled) the room is planned only: the first join makes
        # it on Janus, as for a room Janus lost (ADR 0675).
        if conf.enabled():
            call_janus(
                client.create_room,
                room.janus_room,
                description=clean,
                publishers=PUBLISHERS[Mode(chosen_mode)],
                allowed=[],
                keyframe_every=_keyframes(chosen_mode),
            )
    return room


def room_for_event_form(actor: Actor, calendar: Any, fields: Any) -> MeetingRoom:
    """The calendar's event form with "hold it as a video meeting" ticked (ADR 0649): a room in
    the calendar's workspace, scheduled by the very event the form describes."""
    return room_create(
        actor=actor,
        title=fields.summary,
        workspace_id=calendar.workspace_id,
        starts=fields.start,
        ends=fields.end,
        place=fields.location,
    )


def room_locked(access: RoomAccess) -> MeetingRoom:
    return MeetingRoom.objects.select_for_update().get(id=access.room.id)


def _turn(person: str, now: datetime) -> list[dict[str, Any]]:
    urls = conf.turn_urls()
    if not urls:
        return []
    expires = int(now.timestamp()) + conf.turn_ttl()
    turn: TurnCredential = turn_credential(
        secret=engine.secret("turn_secret"), person=person, expires=expires, urls=urls
    )
    return [turn.ice_server()]


def meeting_join(*, actor: Actor, room_id: Any, client: janus.Client | None = None) -> JoinResult:
    """Knock on the room's door. A host, or someone the host admitted, gets a fresh Janus token
    for this room (and TURN credentials), except a webinar's viewer, who watches the broadcast
    (`watch_only`); anyone else waits in the lobby. The class's level of assurance is demanded
    before anything else (`room_get`)."""
    access = room_get(actor=actor, room_id=room_id)
    room = access.room
    if room.ended_at is not None:
        raise BusinessRuleViolation(ENDED, code="meeting_ended")
    if not access.abilities["join"]:
        if access.member is not None and access.member.is_guest:
            raise PermissionDenied(
                GUESTS_FORBIDDEN, code="guests_forbidden", cls=access.classification
            )
        raise PermissionDenied(NOT_MEMBER)
    if actor.user_id is None:
        raise PermissionDenied(NOT_MEMBER)
    user_id: int = actor.user_id
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        if room.ended_at is not None:
            raise BusinessRuleViolation(ENDED, code="meeting_ended")
        admission = MeetingAdmission.objects.filter(room=room, user_id=user_id).first()
        host = access.abilities["host"]
        if admission is not None and admission.state in (State.REFUSED, State.REMOVED):
            raise PermissionDenied(REFUSED, code="meeting_refused")
        if admission is None or admission.state == State.WAITING:
            if admission is None and room.locked and not host:
                raise BusinessRuleViolation(LOCKED, code="meeting_locked")
            if admission is None:
                member = access.member
                admission = MeetingAdmission.objects.create(
                    room=room,
                    user_id=user_id,
                    organisation_id=member.organisation_id if member else room.owner_org_id,
                    is_guest=bool(member and member.is_guest),
                    role=role_for(room=room, member=member, host=host),
                    state=State.ADMITTED if host else State.WAITING,
                    decided_at=timezone.now() if host else None,
                )
                if not host:
                    audit_record(
                        actor=actor,
                        action="meetings.lobby_wait",
                        obj=admission,
                        organisation_id=room.owner_org_id,
                        after={"room": room.id, "role": admission.role,
                               "guest": admission.is_guest},
                    )  # fmt: skip
                    return JoinResult(room, admission, State.WAITING)
            else:
                return JoinResult(room, admission, State.WAITING)
        if admission.role == Role.VIEWER:
            # A webinar's viewer watches the broadcast and gets nothing for the media server.
            audit_record(
                actor=actor,
                action="meetings.join",
                obj=admission,
                organisation_id=room.owner_org_id,
                after={"room": room.id, "role": admission.role, "credential": None},
            )
            return JoinResult(room, admission, State.ADMITTED, watch_only=True)
        now = timezone.now()
        credential = _ahead_of_click(admission, now)
        if credential is not None:  # issued when the page opened: the click only records it
            credential.joined_at = now
            credential.save(update_fields=["joined_at"])
        else:
            credential = _issue(client, actor, room, admission, now)
        audit_record(
            actor=actor,
            action="meetings.join",
            obj=admission,
            organisation_id=room.owner_org_id,
            after={"room": room.id, "role": admission.role, "credential": credential.id,
                   "expires_at": credential.expires_at.isoformat()},
        )  # fmt: skip
    return _admitted(actor, room, admission, credential, now)


def meeting_ready(
    *, actor: Actor, room_id: Any, client: janus.Client | None = None
) -> JoinResult | None:
    """Get ready to join before the click (ADR 0662): someone the host already let in (the
    host included) gets the Janus token now, so the click goes straight to Janus, as Jitsi's
    pre-join screen connects before its button is pressed. Nothing knocks: anyone not yet let
    in gets None and knocks with `meeting_join`. The token is recorded as issued ahead (audited
    as such) and becomes the join when the click's `meeting_join` claims it; unclaimed, it
    expires and the sweep removes it from Janus like any other."""
    access = room_get(actor=actor, room_id=room_id)
    if access.room.ended_at is not None or not access.abilities["join"] or actor.user_id is None:
        return None
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        admission = MeetingAdmission.objects.filter(
            room=room, user_id=actor.user_id, state=State.ADMITTED
        ).first()
        if room.ended_at is not None or admission is None or admission.role == Role.VIEWER:
            return None
        now = timezone.now()
        credential = _ahead_of_click(admission, now) or _issue(
            client, actor, room, admission, now, ahead=True
        )
        audit_record(
            actor=actor,
            action="meetings.ready",
            obj=admission,
            organisation_id=room.owner_org_id,
            after={"room": room.id, "credential": credential.id,
                   "expires_at": credential.expires_at.isoformat()},
        )  # fmt: skip
    return _admitted(actor, room, admission, credential, now)


def _ahead_of_click(admission: MeetingAdmission, now: datetime) -> MeetingCredential | None:
    """A token issued ahead and not yet joined with, with time left to connect and refresh (a
    quarter of a token's life, at most a minute); an older one is left to expire."""
    margin = timedelta(seconds=min(60, conf.token_ttl() // 4))
    return (
        live_credentials(admission_ids=[admission.id])
        .filter(joined_at__isnull=True, expires_at__gt=now + margin)
        .order_by("-expires_at")
        .first()
    )


def _issue(
    client: janus.Client,
    actor: Actor,
    room: MeetingRoom,
    admission: MeetingAdmission,
    now: datetime,
    *,
    ahead: bool = False,
) -> MeetingCredential:
    credential = MeetingCredential.objects.create(
        admission=admission,
        token=janus_token(),
        issued_at=now,
        expires_at=now + timedelta(seconds=conf.token_ttl()),
        joined_at=None if ahead else now,
    )
    call_janus(client.add_token, credential.token, [engine.VIDEOROOM])
    _allow_or_restore(client, actor, room, credential.token)
    return credential


def _admitted(
    actor: Actor,
    room: MeetingRoom,
    admission: MeetingAdmission,
    credential: MeetingCredential,
    now: datetime,
) -> JoinResult:
    return JoinResult(
        room,
        admission,
        State.ADMITTED,
        token=credential.token,
        participant_id=admission.participant_id,
        expires_at=credential.expires_at,
        janus_url=conf.public_url(),
        ice_servers=_turn(f"u{actor.user_id}", now),
    )


def _allow_or_restore(client: janus.Client, actor: Actor, room: MeetingRoom, token: str) -> None:
    """Put the token on the room's ACL. A Janus that no longer has the room (restarted, or the
    room was lost) gets it made again, with the tokens still live, and the restoring audited."""
    try:
        call_janus(client.allow, room.janus_room, [token], add=True)
        return
    except MediaServerUnavailable as unavailable:
        cause = unavailable.__cause__
        if not isinstance(cause, janus.JanusError) or cause.code != janus.NO_SUCH_ROOM:
            raise
    live = list(
        MeetingCredential.objects.filter(admission__room=room, revoked_at__isnull=True)
        .exclude(token=token)
        .values_list("token", flat=True)
    )
    call_janus(
        client.create_room,
        room.janus_room,
        description=room.title,
        publishers=PUBLISHERS[Mode(room.mode)],
        allowed=[*live, token],
        keyframe_every=_keyframes(room.mode),
    )
    for other in live:  # a restarted Janus lost its stored tokens too
        call_janus(client.add_token, other, [engine.VIDEOROOM])
    audit_record(
        actor=actor,
        action="meetings.room_restored",
        obj=room,
        organisation_id=room.owner_org_id,
        after={"janus_room": room.janus_room, "tokens": len(live) + 1},
    )


def host_access(actor: Actor, room_id: Any, ability: str) -> RoomAccess:
    access = room_get(actor=actor, room_id=room_id)
    if access.room.ended_at is not None:
        raise BusinessRuleViolation(ENDED, code="meeting_ended")
    if not access.abilities[ability]:
        raise PermissionDenied(NOT_HOST)
    return access


def admission_locked(room: MeetingRoom, admission_id: Any) -> MeetingAdmission:

    return visible_or_404(
        MeetingAdmission.objects.select_for_update().filter(room=room),
        "admission",
        id=parse_id(admission_id, "admission"),
    )


def _decide(actor: Actor, room_id: Any, admission_id: Any, state: str, action: str) -> None:
    access = host_access(actor, room_id, "admit")
    with transaction.atomic():
        room = room_locked(access)
        admission = admission_locked(room, admission_id)
        if admission.state != State.WAITING:
            raise BusinessRuleViolation(NOT_WAITING, code="not_waiting")
        admission.state = state
        admission.decided_at = timezone.now()
        admission.decided_by_id = actor.user_id
        admission.save(update_fields=["state", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action=action,
            obj=admission,
            organisation_id=room.owner_org_id,
            before={"state": State.WAITING},
            after={"state": state, "room": room.id, "person": admission.user_id},
        )


def lobby_admit(*, actor: Actor, room_id: Any, admission_id: Any) -> None:
    """The host lets a waiting person in; their next join gets a token."""
    _decide(actor, room_id, admission_id, State.ADMITTED, "meetings.lobby_admit")


def lobby_refuse(*, actor: Actor, room_id: Any, admission_id: Any) -> None:
    _decide(actor, room_id, admission_id, State.REFUSED, "meetings.lobby_refuse")


def _revoke(client: janus.Client, room: MeetingRoom, admission_ids: list[int]) -> int:
    """Remove the admissions' live tokens from Janus's core and the room's allowed list."""
    credentials = list(live_credentials(admission_ids=admission_ids))
    tokens = [c.token for c in credentials]
    for token in tokens:
        call_janus(client.remove_token, token)
    if tokens and room.ended_at is None:
        call_janus(client.allow, room.janus_room, tokens, add=False)
    _retire(credentials, timezone.now())
    return len(tokens)


def _retire(credentials: list[MeetingCredential], moment: datetime) -> None:
    """Mark revoked; the token itself is kept only while it lives (a digest stays, so that a
    record still tells which token it was)."""
    for credential in credentials:
        credential.revoked_at = moment
        credential.token = retired_token(credential.token)
    MeetingCredential.objects.bulk_update(credentials, ["revoked_at", "token"])


def participant_remove(
    *, actor: Actor, room_id: Any, admission_id: Any, client: janus.Client | None = None
) -> None:
    """The host removes someone: their tokens stop working in Janus at once, they are kicked
    out of the room, and they cannot come back to this meeting."""
    access = host_access(actor, room_id, "remove")
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        admission = admission_locked(room, admission_id)
        if admission.state != State.ADMITTED or admission.user_id == actor.user_id:
            raise BusinessRuleViolation(NOT_ADMITTED, code="not_admitted")
        admission.state = State.REMOVED
        admission.decided_at = timezone.now()
        admission.decided_by_id = actor.user_id
        admission.save(update_fields=["state", "decided_at", "decided_by"])
        tokens = set(live_credentials(admission_ids=[admission.id]).values_list("token", flat=True))
        revoked = _revoke(client, room, [admission.id])
        kicked = call_janus(client.kick, room.janus_room, admission.participant_id)
        # Their other handles (the feeds they watch) go with their sessions, at once.
        sessions = call_janus(client.sessions_holding, tokens) if tokens else set()
        for session in sessions:
            call_janus(client.destroy_session, session)
        audit_record(
            actor=actor,
            action="meetings.remove",
            obj=admission,
            organisation_id=room.owner_org_id,
            before={"state": State.ADMITTED},
            after={"state": State.REMOVED, "room": room.id, "person": admission.user_id,
                   "tokens_revoked": revoked, "kicked": kicked,
                   "sessions_closed": len(sessions)},
        )  # fmt: skip


def participant_mute(
    *,
    actor: Actor,
    room_id: Any,
    admission_id: Any,
    media: Any,
    mute: bool = True,
    client: janus.Client | None = None,
) -> int:
    """The host mutes (or lets again) a participant's audio or video in Janus (VideoRoom
    `moderate`): the others stop receiving it whatever the participant's own client does. A
    participant cannot lift a host's mute themselves. Returns how many streams were moderated."""
    if media not in ("audio", "video"):
        raise ValidationFailed(BAD_MEDIA, errors={"media": [str(BAD_MEDIA)]})
    access = host_access(actor, room_id, "mute")
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        admission = admission_locked(room, admission_id)
        if admission.state != State.ADMITTED:
            raise BusinessRuleViolation(NOT_ADMITTED, code="not_admitted")
        streams = call_janus(client.publisher_streams, room.janus_room, admission.participant_id)
        mids = [str(s["mid"]) for s in streams if s.get("type") == media]
        if not mids:
            raise BusinessRuleViolation(NOT_PUBLISHING[media], code="not_publishing")
        for mid in mids:
            call_janus(client.moderate, room.janus_room, admission.participant_id, mid, mute=mute)
        setattr(admission, f"{media}_muted", mute)
        admission.save(update_fields=[f"{media}_muted"])
        audit_record(
            actor=actor,
            action="meetings.mute" if mute else "meetings.unmute",
            obj=admission,
            organisation_id=room.owner_org_id,
            after={"room": room.id, "person": admission.user_id, "media": media, "mids": mids},
        )
    return len(mids)


def hand_raise(*, actor: Actor, room_id: Any, raised: bool = True) -> MeetingAdmission:
    """An admitted person raises or lowers their hand; the host sees hands in the order raised."""
    access = room_get(actor=actor, room_id=room_id)
    if not access.abilities["in_room"] or access.admission is None:
        raise BusinessRuleViolation(NOT_ADMITTED, code="not_admitted")
    with transaction.atomic():
        admission = MeetingAdmission.objects.select_for_update().get(id=access.admission.id)
        if (admission.hand_raised_at is not None) == raised:
            return admission
        admission.hand_raised_at = timezone.now() if raised else None
        admission.save(update_fields=["hand_raised_at"])
        audit_record(
            actor=actor,
            action="meetings.hand_raise" if raised else "meetings.hand_lower",
            obj=admission,
            organisation_id=access.room.owner_org_id,
            after={"room": access.room.id},
        )
    return admission


def room_lock(*, actor: Actor, room_id: Any, locked: bool = True) -> None:
    """A locked room lets no one new into the lobby; who is in stays in."""
    access = host_access(actor, room_id, "lock")
    with transaction.atomic():
        room = room_locked(access)
        if room.locked == locked:
            return
        room.locked = locked
        room.save(update_fields=["locked"])
        audit_record(
            actor=actor,
            action="meetings.lock" if locked else "meetings.unlock",
            obj=room,
            organisation_id=room.owner_org_id,
            before={"locked": not locked},
            after={"locked": locked},
        )


def broadcast_off(room: MeetingRoom) -> None:
    """Stop the room's ffmpeg, delete what it wrote and mark the room as not broadcast (the
    caller saves it; Janus's forwarders are the caller's: they go with a destroyed room)."""
    hls.stop(room.janus_room)
    room.broadcast_feed, room.broadcast_started_at, room.broadcast_forwarders = "", None, []


def room_end(*, actor: Actor, room_id: Any, client: janus.Client | None = None) -> None:
    """End the meeting for everyone: every token is revoked and Janus destroys the room, which
    disconnects whoever is in it."""
    access = host_access(actor, room_id, "end")
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        ids = list(room.admissions.values_list("id", flat=True))
        revoked, destroyed = 0, False
        if room.broadcast_started_at is not None:  # Janus's forwarders go with its room
            broadcast_off(room)
        if conf.enabled():  # without a media server nothing of the room is on one
            revoked = _revoke(client, room, ids)
            destroyed = call_janus(client.destroy_room, room.janus_room)
        room.ended_at = timezone.now()
        room.save(update_fields=["ended_at", "broadcast_feed", "broadcast_started_at",
                                 "broadcast_forwarders"])  # fmt: skip
        audit_record(
            actor=actor,
            action="meetings.end",
            obj=room,
            organisation_id=room.owner_org_id,
            after={"ended_at": room.ended_at.isoformat(), "tokens_revoked": revoked,
                   "destroyed": destroyed},
        )  # fmt: skip


def credentials_sweep(*, now: datetime | None = None, client: janus.Client | None = None) -> int:
    """Remove every expired token from Janus (a job every minute): after its expiry a token
    opens nothing. Returns how many were removed."""

    moment = now or timezone.now()
    client = janus_client(client)
    expired = list(expired_credentials(now=moment))
    if not expired:
        return 0
    by_room: dict[int, list[MeetingCredential]] = {}
    for credential in expired:
        by_room.setdefault(credential.admission.room_id, []).append(credential)
    with transaction.atomic():
        for credentials in by_room.values():
            room = credentials[0].admission.room
            tokens = [c.token for c in credentials]
            for token in tokens:
                call_janus(client.remove_token, token)
            if room.ended_at is None:
                call_janus(client.allow, room.janus_room, tokens, add=False)
        _retire(expired, moment)
        audit_record(
            actor=SYSTEM,
            action="meetings.credentials_expired",
            object_type="meetings.meetingcredential",
            object_id="",
            after={"credentials": [c.id for c in expired]},
        )
    return len(expired)
