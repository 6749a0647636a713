"""Pages of chat under /chat/, and the application-service endpoints the homeserver calls
(`/chat/appservice/_matrix/app/v1/…`, Matrix Application Service API). Thin: parse, call one
selector or service, answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    error_text,
)
from samdrift.core.files.responses import file_response
from samdrift.core.i18n import page_language
from samdrift.core.oidc.django_responses import token_error, token_response
from samdrift.core.tenancy import StepUpRequired, scoped_page, step_up_redirect
from samdrift.identity.stepup import session_login

from . import attachments, conf, conversation, entry, retention, selectors, services, sso

MAX_TRANSACTION = 4 * 1024 * 1024
MAX_QUESTION = 64 * 1024


page = scoped_page


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@page
@require_GET
def room(request: HttpRequest, workspace_id: int) -> HttpResponse:
    return _room_page(request, workspace_id)


def _room_page(
    request: HttpRequest,
    workspace_id: int,
    *,
    hold_error: str = "",
    reason: str = "",
    message_error: str = "",
    draft: str = "",
    answering: str = "",
    in_thread: bool | None = None,
    attach_error: str = "",
) -> HttpResponse:
    actor = _actor(request)
    access = selectors.room_get(actor=actor, workspace_id=workspace_id)
    talk, talk_error = _conversation(actor, workspace_id, access.abilities["chat"])
    # "Reply" links to ?reply=<event id>: the form answers that message when it is one shown.
    answering = answering or request.GET.get("reply", "")
    replying_to = next((m for m in talk or [] if m.event_id == answering), None)
    # "Start a thread" adds thread=1; a message already in a thread answers in it anyway
    if in_thread is None:
        in_thread = request.GET.get("thread") == "1"
    starts_thread = bool(replying_to and in_thread and not replying_to.thread_of)
    me = access.workspace.member
    workspace = access.workspace.workspace
    context = {
        "nav": "collaboration",
        "workspace": workspace,
        "room": access.room,
        "abilities": access.abilities,
        "matrix_id": selectors.matrix_user_id(me.user_id) if me else "",
        "server_name": conf.server_name(),
        "homeserver_address": conf.public_baseurl(),
        "retention_days": conf.retention_days(workspace.classification),
        "archives": (
            retention.archives(actor=actor, workspace_id=workspace_id)
            if access.abilities["export"]
            else []
        ),
        "hold_error": hold_error,
        "hold_reason": reason or (access.room.hold_reason if access.room else ""),
        "conversation": talk,
        "conversation_error": talk_error,
        "message_error": message_error,
        "draft": draft,
        "replying_to": replying_to,
        "starts_thread": starts_thread,
        "unread": conversation.unread(talk or []),
        "reaction_keys": conversation.REACTION_KEYS,
        "attach_error": attach_error,
    }
    status = 422 if hold_error or message_error or attach_error else 200
    return render(request, "chat/room.html", context, status=status)


def _conversation(
    actor: Actor, workspace_id: int, member: bool
) -> tuple[list[conversation.Message] | None, str]:
    """The newest messages for the page, or why there are none to show (the page stands)."""
    if not member or not conf.enabled():
        return None, ""
    try:
        # the page shows them: they are read now, here and in any Matrix program
        talk = conversation.recent_messages(actor=actor, workspace_id=workspace_id, mark_read=True)
        return talk, ""
    except services.HomeserverUnavailable as error:
        return None, str(error)


@page
@require_POST
def send(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A message to the workspace's room from the page's form (ADR 0656)."""
    text, answering = request.POST.get("text", ""), request.POST.get("in_reply_to", "")
    in_thread = request.POST.get("in_thread") == "1"
    try:
        conversation.send_message(
            actor=_actor(request), workspace_id=workspace_id, text=text, in_reply_to=answering,
            in_thread=in_thread,
        )  # fmt: skip
    except (PermissionDenied, NotFound):
        raise Http404 from None
    except (services.HomeserverUnavailable, ValidationFailed) as error:
        return _room_page(
            request, workspace_id, message_error=_why_not_sent(error), draft=text,
            answering=answering, in_thread=in_thread,
        )  # fmt: skip
    return redirect(reverse("chat:room", args=[workspace_id]) + "#conversation")


def _why_not_sent(error: Exception) -> str:
    return error_text(error) if isinstance(error, DomainError) else str(error)


NO_FILE = gettext_lazy("Choose the file to send.")


@page
@require_POST
def attach(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A file to the room from the page's form, kept as a document of the workspace (ADR 0660)."""
    incoming, text = request.FILES.get("file"), request.POST.get("text", "")
    if incoming is None:
        return _room_page(request, workspace_id, attach_error=str(NO_FILE), draft=text)
    try:
        attachments.send_attachment(
            actor=_actor(request), workspace_id=workspace_id, stream=incoming,
            name=incoming.name or "", content_type=incoming.content_type, text=text,
        )  # fmt: skip
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:  # refused by chat or by the workspace's documents
        return _room_page(request, workspace_id, attach_error=_why_not_sent(error), draft=text)
    messages.success(request, _("The file is kept in the workspace's documents and sent."))
    return redirect(reverse("chat:room", args=[workspace_id]) + "#conversation")


@page
@require_POST
def react(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A reaction to a message from the page's buttons."""
    try:
        conversation.react(
            actor=_actor(request),
            workspace_id=workspace_id,
            event_id=request.POST.get("event_id", ""),
            key=request.POST.get("key", ""),
        )
    except (PermissionDenied, NotFound):
        raise Http404 from None
    except (services.HomeserverUnavailable, ValidationFailed) as error:
        return _room_page(request, workspace_id, message_error=_why_not_sent(error))
    return redirect(reverse("chat:room", args=[workspace_id]) + "#conversation")


@page
@require_POST
def hold(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Set (or change the reason of) the room's legal hold, or lift it (ADR 0655)."""
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "release":
            retention.hold_release(actor=_actor(request), workspace_id=workspace_id)
            messages.success(request, _("The legal hold is lifted."))
        else:
            retention.hold_set(actor=_actor(request), workspace_id=workspace_id, reason=reason)
            messages.success(request, _("The room is on legal hold: nothing of it is purged."))
    except (PermissionDenied, NotFound):
        raise Http404 from None
    except ValidationFailed as error:
        return _room_page(request, workspace_id, hold_error=str(error.message), reason=reason)
    return redirect("chat:room", workspace_id=workspace_id)


@page
@require_GET
def archive_download(
    request: HttpRequest, workspace_id: int, archive_id: int, kind: str
) -> HttpResponseBase:
    """One archived part of the room's history (JSON or PDF), audited (ADR 0655)."""
    try:
        stored = retention.archive_open(
            actor=_actor(request), workspace_id=workspace_id, archive_id=archive_id, kind=kind
        )
    except (PermissionDenied, NotFound):
        raise Http404 from None
    return file_response(stored, request)


@page
@require_POST
def provision(request: HttpRequest, workspace_id: int) -> HttpResponse:
    try:
        services.provision_request(actor=_actor(request), workspace_id=workspace_id)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The chat room will be brought in line with the workspace."))
    return redirect("chat:room", workspace_id=workspace_id)


@page
@require_GET
def export(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The room's history for the archive, as a JSON download with its SHA-256 in a header."""
    try:
        done = services.export_room(actor=_actor(request), workspace_id=workspace_id)
    except PermissionDenied:
        raise Http404 from None
    except services.HomeserverUnavailable as error:
        messages.error(request, str(error.message))
        return redirect("chat:room", workspace_id=workspace_id)
    return _download(done, "application/json")


@page
@require_GET
def export_pdf(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The same history as an accessible PDF in the page's language (ADR 0654)."""
    try:
        done = services.export_room_pdf(
            actor=_actor(request), workspace_id=workspace_id, language=page_language()
        )
    except PermissionDenied:
        raise Http404 from None
    except services.HomeserverUnavailable as error:
        messages.error(request, str(error.message))
        return redirect("chat:room", workspace_id=workspace_id)
    return _download(done, "application/pdf")


def _download(done: services.RoomExport, content_type: str) -> HttpResponse:
    response = HttpResponse(done.body, content_type=content_type)
    response["X-Checksum-SHA256"] = done.sha256
    response["Content-Disposition"] = f'attachment; filename="{done.filename}"'
    return response


# The application service (the homeserver calls these) -----------------------------------------


def _matrix_error(status: int, errcode: str, message: str) -> JsonResponse:
    return JsonResponse({"errcode": errcode, "error": message}, status=status)


def _hs_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.GET.get("access_token", "")


def appservice(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """The homeserver's token first (401 without one, 403 for a wrong one), then the view."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        token = _hs_token(request)
        try:
            services.check_hs_token(token)
        except PermissionDenied as error:
            if not token:
                return _matrix_error(401, "M_UNAUTHORIZED", str(error.message))
            return _matrix_error(403, "M_FORBIDDEN", str(error.message))
        return view(request, *args, **kwargs)

    return wrapper


@appservice
@require_http_methods(["PUT"])
def appservice_transaction(request: HttpRequest, txn_id: str) -> JsonResponse:
    if len(request.body) > MAX_TRANSACTION:
        return _matrix_error(413, "M_TOO_LARGE", "Transaction too large")
    try:
        body = json.loads(request.body or b"{}")
        events = body.get("events", [])
        if not isinstance(events, list):
            raise ValueError
    except (ValueError, AttributeError):
        return _matrix_error(400, "M_NOT_JSON", "Not a transaction")
    try:
        services.receive_transaction(token=_hs_token(request), txn_id=txn_id, events=events)
    except NotFound:
        return _matrix_error(400, "M_INVALID_PARAM", "Bad transaction id")
    return JsonResponse({})


@appservice
def appservice_query(request: HttpRequest, rest: str) -> JsonResponse:
    """User and alias queries, pings: samdrift makes its users and rooms itself, so a query for
    one it has not made is answered 'not found'; a ping is answered."""
    if rest == "ping" and request.method == "POST":
        return JsonResponse({})
    return _matrix_error(404, "M_NOT_FOUND", "Not found")


@csrf_exempt
@require_POST
def room_entry(request: HttpRequest) -> JsonResponse:
    """The homeserver's room-entry module asks whether a local user may enter a room officials
    made themselves (ADR 0666): its secret first (401 without, 403 wrong), then 200 with
    `allow`, and for a refusal the error Synapse gives the Matrix client."""
    secret = _hs_token(request)
    try:
        entry.check_secret(secret)
    except PermissionDenied as error:
        status, code = (403, "M_FORBIDDEN") if secret else (401, "M_UNAUTHORIZED")
        return _matrix_error(status, code, str(error.message))
    if len(request.body) > MAX_QUESTION:
        return _matrix_error(413, "M_TOO_LARGE", "Question too large")
    try:
        answer, refusal = entry.decide(secret=secret, body=json.loads(request.body or b"{}"))
    except (ValueError, ValidationFailed):
        return _matrix_error(400, "M_BAD_JSON", "Not a room-entry question")
    if answer.allowed:
        return JsonResponse({"allow": True})
    return JsonResponse({"allow": False, "errcode": "M_FORBIDDEN", "error": refusal})


# samdrift's OpenID provider for the homeserver's sign-in (ADR 0657) ---------------------------


@require_GET
def sso_discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(sso.discovery())


@require_GET
def sso_jwks(request: HttpRequest) -> HttpResponse:
    return JsonResponse(sso.jwks())


@require_GET
def sso_authorize(request: HttpRequest) -> HttpResponseBase:
    """A Matrix client's "Log in with samdrift": the person's own e-ID session at the level all
    their rooms need (step-up otherwise), then a code back to the homeserver."""
    try:
        ask = sso.parse_request(request.GET)
    except sso.UnknownClient:
        return render(request, "chat/sign_in_refused.html", {"reason": "client"}, status=400)
    except sso.Refused as refused:
        return redirect(refused.location)
    if not request.user.is_authenticated:
        return step_up_redirect(request, 1)
    actor, user_id = _actor(request), int(request.user.pk)
    level = selectors.sign_in_level(user_id)
    if level is None:
        return render(request, "chat/sign_in_refused.html", {"reason": "rooms"}, status=403)
    if actor.loa_rank < level:
        return step_up_redirect(request, level)
    login = session_login(request)
    location = sso.issue_code(
        ask,
        actor=actor,
        user_id=user_id,
        acr=str(login.get("acr", "")),
        rank=actor.loa_rank,
        auth_time=int(login.get("auth_time") or 0),
    )
    return redirect(location)


@csrf_exempt
@require_POST
def sso_token(request: HttpRequest) -> HttpResponse:
    try:
        answer = sso.redeem(request.POST, request.headers.get("Authorization", ""))
    except sso.TokenRefused as refused:
        response = token_error(refused.error, refused.description, refused.status)
        if refused.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="samdrift"'
        return response
    return token_response(answer)
