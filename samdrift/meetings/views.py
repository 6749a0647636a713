"""Pages of meetings: a workspace's rooms, the caller's rooms, and one room's page, whose script
(frontend/src/meeting.js) is a client of the meetings API and of the media server (ADR 0677).
Thin: parse, call one selector or service, answer."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from samdrift.collaboration.selectors import workspace_get
from samdrift.core.exceptions import NotFound, submit_form
from samdrift.core.headers import allow_media
from samdrift.core.tenancy import scoped_page

from . import conf, selectors, services
from .choices import Role, State
from .forms import RoomForm
from .present import room_detail, scheduled

page = scoped_page


def _rows(rooms: Any) -> list[dict[str, Any]]:
    return [{"room": room, "starts": scheduled(room)["starts"]} for room in rooms]


@page
@require_GET
def my_rooms(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    context = {"rows": _rows(selectors.room_list(actor=actor)[:100])}
    return render(request, "meetings/my_rooms.html", context)


@page
@require_http_methods(["GET", "POST"])
def workspace_rooms(request: HttpRequest, workspace_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    access = workspace_get(actor=actor, workspace_id=workspace_id)
    form = RoomForm(request.POST or None)
    created: list[Any] = []
    if request.method == "POST" and submit_form(
        form,
        lambda: created.append(
            services.room_create(
                actor=actor,
                workspace_id=workspace_id,
                title=form.cleaned_data["title"],
                mode=form.cleaned_data["mode"],
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
            )
        ),
    ):
        return redirect("meetings:room", room_id=created[0].pk)
    context = {
        "workspace": access.workspace,
        "abilities": access.abilities,
        "may_start": selectors.may_start(access=access),
        "rows": _rows(selectors.workspace_rooms(actor=actor, workspace_id=workspace_id)),
        "form": form,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "meetings/workspace_rooms.html", context, status=status)


#: The meeting script's words (it fills `%(name)s`-style placeholders itself).
TEXTS = {
    "join": _("Join the meeting"),
    "joining": _("Joining…"),
    "waiting": _("You are waiting in the lobby. The host lets you in."),
    "in": _("You are in the meeting."),
    "left": _("You have left the meeting."),
    "ended": _("The meeting has ended."),
    "removed": _("The host removed you from the meeting."),
    "refused": _("The host has not let you in to this meeting."),
    "failed": _("The meeting could not be reached: %(why)s"),
    "no_media": _("Your camera or microphone could not be used: %(why)s. You can still watch."),
    "mic_off": _("Turn microphone off"),
    "mic_on": _("Turn microphone on"),
    "cam_off": _("Turn camera off"),
    "cam_on": _("Turn camera on"),
    "share": _("Share screen"),
    "unshare": _("Stop sharing screen"),
    "hand_up": _("Raise hand"),
    "hand_down": _("Lower hand"),
    "leave": _("Leave"),
    "speaking": _("speaking"),
    "hand": _("hand raised"),
    "you": _("you"),
    "guest": _("guest"),
    "screen": _("%(name)s's screen"),
    "video_of": _("Video of %(name)s"),
    "admit": _("Let in"),
    "refuse": _("Refuse"),
    "remove": _("Remove"),
    "mute_audio": _("Mute"),
    "mute_video": _("Stop video"),
    "unmute_audio": _("Let speak"),
    "unmute_video": _("Let show video"),
    "muted_audio": _("sound muted by the host"),
    "muted_video": _("video stopped by the host"),
    "lock": _("Lock the meeting"),
    "unlock": _("Open the meeting"),
    "end": _("End the meeting for everyone"),
    "end_confirm": _("End the meeting for everyone?"),
    "nobody_waiting": _("No one is waiting."),
    "joined_you": _("%(name)s joined."),
    "waits": _("%(name)s is waiting in the lobby."),
    "hand_raised": _("%(name)s raised their hand."),
    "watching": _("You are watching the webinar. Only its presenters are seen and heard."),
    "not_live": _("The broadcast has not started yet. It starts here by itself."),
    "live_video": _("The webinar's broadcast"),
    "broadcast_me": _("Broadcast me to the viewers"),
    "broadcast": _("Broadcast"),
    "broadcast_stop": _("Stop the broadcast"),
    "on_air": _("broadcast to the viewers"),
}


@page
@require_GET
def room(request: HttpRequest, room_id: int) -> HttpResponse:
    access = selectors.room_get(actor=request.actor, room_id=room_id)  # type: ignore[attr-defined]
    context = {
        "room": access.room,
        "classification": access.classification,
        "abilities": access.abilities,
        "admission": access.admission,
        "detail": room_detail(access),
        "texts": {
            **{key: str(text) for key, text in TEXTS.items()},
            # in the page's language, not the one the module was imported in
            "states": {s.value: str(s.label) for s in State},
            "roles": {r.value: str(r.label) for r in Role},
        },
    }
    return allow_media(render(request, "meetings/room.html", context), conf.public_url())


@require_GET
def broadcast_playlist(request: HttpRequest, room_id: int) -> HttpResponse:
    """A webinar's live playlist for its signed address (no session: ADR 0970)."""
    try:
        text = selectors.broadcast_playlist(room_id=room_id, signed=request.GET)
    except NotFound as gone:
        raise Http404 from gone
    response = HttpResponse(text, content_type="application/vnd.apple.mpegurl")
    response["Cache-Control"] = "private, no-store"  # a new one every segment
    return response


@require_GET
def broadcast_segment(request: HttpRequest, room_id: int, name: str) -> HttpResponse:
    """One segment, for the signed address a playlist gave (no session: ADR 0970). Sent in one
    piece (tens to hundreds of kB): under ASGI Django reads a streamed file whole anyway."""
    try:
        path = selectors.broadcast_segment(room_id=room_id, name=name, signed=request.GET)
        response = HttpResponse(path.read_bytes(), content_type="video/mp2t")
    except (NotFound, FileNotFoundError) as gone:  # ffmpeg may roll a segment off meanwhile
        raise Http404 from gone
    response["Cache-Control"] = "private, max-age=60"  # a segment never changes
    return response
