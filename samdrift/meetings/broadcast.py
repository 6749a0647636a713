"""A webinar's broadcast to its viewers (issue 14, ADR 0970): the host starts or stops it, and
samdrift has Janus forward the chosen presenter's sound and video to an ffmpeg that packages
them as HLS (`hls`). One transaction and one audit record each; a Janus or an ffmpeg that
fails leaves no broadcast behind."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.engines import EngineError
from samdrift.core.exceptions import BusinessRuleViolation, DomainError

from . import hls, janus
from .choices import Role, State
from .models import MeetingAdmission, MeetingRoom
from .services import (
    admission_locked,
    broadcast_off,
    call_janus,
    host_access,
    janus_client,
    room_locked,
)

NOT_PRESENTER = _("Only a host or a presenter who is in the webinar can be broadcast.")
NOTHING_PUBLISHED = _("This person sends neither sound nor video yet: broadcast them once they do.")
NOT_BROADCASTING = _("The webinar is not being broadcast.")
NO_PACKAGER = _("The broadcast could not start on this server (ffmpeg). Try again in a while.")


class BroadcastUnavailable(DomainError):
    code = "broadcast_unavailable"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(NO_PACKAGER)


def _presenter(actor: Actor, room: MeetingRoom, admission_id: Any) -> MeetingAdmission:
    if admission_id is None:
        own = room.admissions.select_for_update().filter(user_id=actor.user_id or 0)
        admission = own.first()
    else:
        admission = admission_locked(room, admission_id)
    if admission is None or admission.state != State.ADMITTED or admission.role == Role.VIEWER:
        raise BusinessRuleViolation(NOT_PRESENTER, code="not_presenter")
    return admission


def _published(client: janus.Client, room: MeetingRoom, participant: str) -> dict[str, str]:
    """The first audio and video stream the participant publishes (kind -> mid)."""
    mids: dict[str, str] = {}
    for stream in call_janus(client.publisher_streams, room.janus_room, participant):
        kind = stream.get("type")
        if kind in hls.PAYLOAD and kind not in mids and not stream.get("disabled"):
            mids[kind] = str(stream["mid"])
    if not mids:
        raise BusinessRuleViolation(NOTHING_PUBLISHED, code="not_publishing")
    return mids


def _halt(client: janus.Client, room: MeetingRoom) -> None:
    """Stop the room's forwarders and its ffmpeg; what is already gone is not an error."""
    for stream_id in room.broadcast_forwarders:
        call_janus(client.stop_rtp_forward, room.janus_room, room.broadcast_feed, int(stream_id))
    broadcast_off(room)


def broadcast_start(
    *, actor: Actor, room_id: Any, admission_id: Any = None, client: janus.Client | None = None
) -> MeetingRoom:
    """Broadcast a presenter (by default the host themself) to the webinar's viewers; a
    broadcast already on switches to them."""
    access = host_access(actor, room_id, "broadcast")
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        presenter = _presenter(actor, room, admission_id)
        mids = _published(client, room, presenter.participant_id)
        before = room.broadcast_feed
        if room.broadcast_started_at is not None:
            _halt(client, room)
        try:
            receiver = hls.start(room.janus_room, set(mids))
        except EngineError as error:
            raise BroadcastUnavailable from error
        streams = [
            {"mid": mid, "port": receiver.ports[kind], "pt": hls.PAYLOAD[kind]}
            for kind, mid in mids.items()
        ]
        try:
            forwarders = call_janus(
                client.rtp_forward, room.janus_room, presenter.participant_id, streams
            )
        except DomainError:
            hls.stop(room.janus_room)
            raise
        room.broadcast_feed = presenter.participant_id
        room.broadcast_started_at = timezone.now()
        room.broadcast_forwarders = forwarders
        room.save(update_fields=["broadcast_feed", "broadcast_started_at", "broadcast_forwarders"])
        audit_record(
            actor=actor,
            action="meetings.broadcast_start",
            obj=room,
            organisation_id=room.owner_org_id,
            before={"feed": before},
            after={"feed": room.broadcast_feed, "person": presenter.user_id,
                   "media": sorted(mids), "forwarders": forwarders},
        )  # fmt: skip
    return room


def broadcast_stop(*, actor: Actor, room_id: Any, client: janus.Client | None = None) -> None:
    access = host_access(actor, room_id, "broadcast")
    client = janus_client(client)
    with transaction.atomic():
        room = room_locked(access)
        if room.broadcast_started_at is None:
            raise BusinessRuleViolation(NOT_BROADCASTING, code="not_broadcasting")
        feed = room.broadcast_feed
        _halt(client, room)
        room.save(update_fields=["broadcast_feed", "broadcast_started_at", "broadcast_forwarders"])
        audit_record(
            actor=actor,
            action="meetings.broadcast_stop",
            obj=room,
            organisation_id=room.owner_org_id,
            before={"feed": feed},
            after={"feed": ""},
        )
