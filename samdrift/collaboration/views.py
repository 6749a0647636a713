"""Pages of the SAFOS workspaces under /collaboration/. Thin: parse, call one selector or
service, render; the rules are in permissions, policy and services."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    DomainError,
    NotFound,
    error_text,
    errors_onto_form,
)
from samdrift.core.files.responses import file_response
from samdrift.core.paging import paginate
from samdrift.core.tenancy import StepUpRequired, scoped_page
from samdrift.organisations.selectors import visible_organisations

from . import selectors, services
from .forms import (
    AcceptForm,
    ClassifyForm,
    FolderForm,
    InviteForm,
    PublishingForm,
    RoleForm,
    ScaleForm,
    UploadForm,
    WorkspaceForm,
    class_initial,
)
from .models import HeldUpload, Version
from .policy import policy_for

page = scoped_page


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _act(request: HttpRequest, back: str, done: str, call: Callable[[], Any]) -> HttpResponse:
    """Run one service for a POST button: a refusal becomes a message on the page it came from
    (the one place this try/except is written)."""
    try:
        call()
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(back)


def _own_agencies(actor: Actor) -> list[tuple[int, str]]:
    own = actor.member_org_ids | actor.provider_org_ids
    return [
        (org.id, org.name)
        for org in visible_organisations(actor).filter(id__in=own).order_by("name")
    ]


# --- workspaces --------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def workspace_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = WorkspaceForm(request.POST or None, organisations=_own_agencies(actor))
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                actor=actor,
                name=form.cleaned_data["name"],
                classification=form.cleaned_data["classification"],
                organisation_id=form.cleaned_data["organisation"],
                description=form.cleaned_data["description"],
            )
        except (NotFound, StepUpRequired):
            raise
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The workspace was created."))
            return redirect("collaboration:workspace", workspace_id=workspace.id)
    context = {
        "nav": "collaboration",
        "workspaces": selectors.workspace_list(actor=actor),
        "invitations": selectors.my_invitations(actor=actor),
        "scale_agencies": selectors.scale_agencies(actor=actor),
        "form": form,
    }
    return render(request, "collaboration/workspace_list.html", context, status=_status(form))


def _status(form: Any) -> int:
    return 422 if form.is_bound and form.errors else 200


@page
@require_GET
def workspace_detail(request: HttpRequest, workspace_id: int) -> HttpResponse:
    return _workspace_page(request, workspace_id)


def _workspace_page(
    request: HttpRequest, workspace_id: int, upload_form: UploadForm | None = None
) -> HttpResponse:
    actor = _actor(request)
    access = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    folder = None
    folder_param = request.GET.get("folder", "")
    if folder_param:
        folder = selectors.folder_get(workspace=access.workspace, folder_id=_int(folder_param))
    used = access.workspace.used_bytes
    context = {
        "nav": "collaboration",
        "access": access,
        "workspace": access.workspace,
        "abilities": access.abilities,
        "policy": policy_for(access.workspace.classification),
        "folder": folder,
        "folders": selectors.folder_list(workspace=access.workspace).filter(parent=folder),
        # a folder may hold 100,000 documents: 50 a page (ADR 0095), two queries whatever the size
        **paginate(
            selectors.document_list(
                workspace=access.workspace, folder_id=folder.id if folder else None
            ),
            params=request.GET,
        ).context("documents"),
        "held": selectors.held_uploads(actor=actor, workspace_id=access.workspace.id),
        "used_mb": f"{used / 1024 / 1024:.1f}",
        "quota_mb": f"{access.workspace.quota_bytes / 1024 / 1024:.0f}",
        "upload_form": upload_form or UploadForm(),
        "folder_form": FolderForm(),
        "classify_form": ClassifyForm(
            initial=class_initial(access.workspace),
            labels=selectors.scale_labels(organisation_id=access.workspace.owner_org_id),
        ),
        "publishing_form": PublishingForm(
            initial={"require_accessible_pdfs": access.workspace.require_accessible_pdfs}
        ),
    }
    status = 422 if upload_form is not None and upload_form.errors else 200
    return render(request, "collaboration/workspace_detail.html", context, status=status)


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("object") from None


def _back_to_workspace(workspace_id: int, folder_id: Any = None) -> str:
    url = reverse("collaboration:workspace", kwargs={"workspace_id": workspace_id})
    return f"{url}?folder={folder_id}" if folder_id else url


def _say_stored(request: HttpRequest, stored: Version | HeldUpload, done: Any) -> None:
    if isinstance(stored, HeldUpload):  # a large file: stored, checked for malware next
        messages.info(
            request,
            _(
                "%(name)s was received. It is being checked for malware and becomes a document "
                "once found clean; you will get a note."
            )
            % {"name": stored.name},
        )
    else:
        messages.success(request, done)


@page
@require_POST
def upload(request: HttpRequest, workspace_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.workspace_get(actor=actor, workspace_id=workspace_id)  # 404 before reading a form
    form = UploadForm(request.POST, request.FILES)
    folder_id = request.POST.get("folder") or None
    if form.is_valid():
        incoming = form.cleaned_data["file"]
        try:
            stored = services.upload_or_hold(
                actor=actor,
                workspace_id=workspace_id,
                stream=incoming,
                name=incoming.name,
                content_type=incoming.content_type,
                folder_id=_int(folder_id) if folder_id else None,
            )
        except (NotFound, StepUpRequired):
            raise
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            _say_stored(request, stored, _("The file was stored."))
            return redirect(_back_to_workspace(workspace_id, folder_id))
    return _workspace_page(request, workspace_id, upload_form=form)


@page
@require_POST
def folder_create(request: HttpRequest, workspace_id: int) -> HttpResponse:
    form = FolderForm(request.POST)
    parent = request.POST.get("parent") or None
    back = _back_to_workspace(workspace_id, parent)
    if not form.is_valid():
        messages.error(request, _("Give the folder a name."))
        return redirect(back)
    return _act(
        request,
        back,
        _("The folder was created."),
        lambda: services.folder_create(
            actor=_actor(request),
            workspace_id=workspace_id,
            name=form.cleaned_data["name"],
            parent_id=_int(parent) if parent else None,
        ),
    )


@page
@require_POST
def workspace_classify(request: HttpRequest, workspace_id: int) -> HttpResponse:
    return _act(
        request,
        _back_to_workspace(workspace_id),
        _("The confidentiality class was changed."),
        lambda: services.workspace_classify(
            actor=_actor(request),
            workspace_id=workspace_id,
            classification=request.POST.get("classification", ""),
        ),
    )


@page
@require_GET
def trash(request: HttpRequest, workspace_id: int) -> HttpResponse:
    access = selectors.workspace_get(actor=_actor(request), workspace_id=workspace_id)
    if not access.abilities["see_trash"]:
        raise Http404
    context = {
        "nav": "collaboration",
        "workspace": access.workspace,
        "documents": selectors.document_list(workspace=access.workspace, trashed=True),
        "disposals": selectors.disposal_list(workspace=access.workspace)[:200],
    }
    return render(request, "collaboration/trash.html", context)


# --- members and invitations -------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, workspace_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(
                actor=actor,
                workspace_id=workspace_id,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except (NotFound, StepUpRequired):
            raise
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The invitation was sent to the address."))
            return redirect("collaboration:members", workspace_id=workspace_id)
    context = {
        "nav": "collaboration",
        "workspace": access.workspace,
        "abilities": access.abilities,
        "me": access.member,
        "members": selectors.member_list(workspace=access.workspace),
        "invitations": selectors.invitation_list(workspace=access.workspace)
        if access.abilities["invite"]
        else [],
        "form": form,
        "role_form": RoleForm(),
    }
    return render(request, "collaboration/members.html", context, status=_status(form))


def _members_url(workspace_id: int) -> str:
    return reverse("collaboration:members", kwargs={"workspace_id": workspace_id})


@page
@require_POST
def invitation_revoke(request: HttpRequest, workspace_id: int, invitation_id: int) -> HttpResponse:
    return _act(
        request,
        _members_url(workspace_id),
        _("The invitation was withdrawn."),
        lambda: services.invitation_revoke(
            actor=_actor(request), workspace_id=workspace_id, invitation_id=invitation_id
        ),
    )


@page
@require_POST
def member_role(request: HttpRequest, workspace_id: int, member_id: int) -> HttpResponse:
    return _act(
        request,
        _members_url(workspace_id),
        _("The role was changed."),
        lambda: services.member_set_role(
            actor=_actor(request),
            workspace_id=workspace_id,
            member_id=member_id,
            role=request.POST.get("role", ""),
        ),
    )


@page
@require_POST
def member_remove(request: HttpRequest, workspace_id: int, member_id: int) -> HttpResponse:
    return _act(
        request,
        _members_url(workspace_id),
        _("The member was removed."),
        lambda: services.member_remove(
            actor=_actor(request), workspace_id=workspace_id, member_id=member_id
        ),
    )


@page
@require_POST
def member_transfer(request: HttpRequest, workspace_id: int, member_id: int) -> HttpResponse:
    return _act(
        request,
        _members_url(workspace_id),
        _("The ownership was transferred."),
        lambda: services.transfer_ownership(
            actor=_actor(request), workspace_id=workspace_id, member_id=member_id
        ),
    )


@page
@require_POST
def leave(request: HttpRequest, workspace_id: int) -> HttpResponse:
    try:
        services.leave(actor=_actor(request), workspace_id=workspace_id)
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect("collaboration:members", workspace_id=workspace_id)
    messages.success(request, _("You have left the workspace."))
    return redirect("collaboration:workspaces")


@page
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search in the documents the person may see (ADR 0607); each hit is a read."""
    query = request.GET.get("q", "")
    context: dict[str, Any] = {"nav": "collaboration", "q": query, "hits": None, "error": ""}
    status = 200
    if query.strip():
        try:
            context["hits"], _more = services.search(actor=_actor(request), query=query)
        except DomainError as error:
            context["error"], status = error_text(error), 422
    return render(request, "collaboration/search.html", context, status=status)


@page
@require_GET
def my_invitations(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    context = {
        "nav": "collaboration",
        "invitations": selectors.my_invitations(actor=actor),
        "form": AcceptForm(organisations=_own_agencies(actor)),
    }
    return render(request, "collaboration/invitations.html", context)


@page
@require_POST
def invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor = _actor(request)
    organisation = request.POST.get("organisation") or None
    try:
        member = services.invitation_accept(
            actor=actor,
            invitation_id=invitation_id,
            organisation_id=_int(organisation) if organisation else None,
        )
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect("collaboration:invitations")
    messages.success(request, _("You are now a member of the workspace."))
    return redirect("collaboration:workspace", workspace_id=member.workspace_id)


@page
@require_POST
def invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _act(
        request,
        reverse("collaboration:invitations"),
        _("The invitation was declined."),
        lambda: services.invitation_decline(actor=_actor(request), invitation_id=invitation_id),
    )


# --- documents ---------------------------------------------------------------------------------


def _document_url(document_id: int) -> str:
    return reverse("collaboration:document", kwargs={"document_id": document_id})


@page
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    return _document_page(request, document_id)


def _document_page(
    request: HttpRequest, document_id: int, upload_form: UploadForm | None = None
) -> HttpResponse:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    versions = selectors.version_list(document=access.document)
    held = selectors.held_uploads(actor=actor, workspace_id=access.workspace.id)
    context = {
        "held": held.filter(document_id=document_id),
        "nav": "collaboration",
        "access": access,
        "document": access.document,
        "workspace": access.workspace,
        "abilities": access.abilities,
        "policy": policy_for(access.document.classification),
        "versions": versions,
        "upload_form": upload_form or UploadForm(),
        "classify_form": ClassifyForm(
            initial=class_initial(access.document),
            labels=selectors.scale_labels(organisation_id=access.workspace.owner_org_id),
        ),
        "publish_blocker": services.accessibility_blocker(
            access.workspace, access.document, versions.first()
        )
        if access.abilities["publish"]
        else None,
    }
    status = 422 if upload_form is not None and upload_form.errors else 200
    return render(request, "collaboration/document_detail.html", context, status=status)


@page
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    number = request.GET.get("version")
    version = selectors.version_get(
        document=access.document, number=_int(number) if number else None
    )
    try:
        services.ensure_download_allowed(access)
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect(_document_url(document_id))
    services.record_read(actor=actor, access=access, version=version)
    return file_response(version.file, request)


@page
@require_GET
def document_preview(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """The PNG preview of a version (the newest unless `version`); each showing is a read."""
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    number = request.GET.get("version")
    version = selectors.version_get(
        document=access.document, number=_int(number) if number else None
    )
    if not access.abilities["preview"] or version.preview_id is None or version.preview is None:
        raise Http404
    services.record_read(actor=actor, access=access, version=version, how="preview")
    return file_response(version.preview, request)


@page
@require_POST
def version_upload(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        incoming = form.cleaned_data["file"]
        try:
            stored = services.upload_or_hold(
                actor=actor,
                workspace_id=access.workspace.id,
                stream=incoming,
                name=incoming.name,
                content_type=incoming.content_type,
                document_id=document_id,
            )
        except (NotFound, StepUpRequired):
            raise
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            _say_stored(request, stored, _("A new version was stored."))
            return redirect(_document_url(document_id))
    return _document_page(request, document_id, upload_form=form)


def _document_action(name: str, done: Callable[[], str]) -> Callable[..., HttpResponseBase]:
    service = getattr(services, name)

    @page
    @require_POST
    def view(request: HttpRequest, document_id: int) -> HttpResponse:
        return _act(
            request,
            _document_url(document_id),
            done(),
            lambda: service(actor=_actor(request), document_id=document_id),
        )

    view.__name__ = name
    return view


document_lock = _document_action("document_lock", lambda: _("The document is checked out to you."))
document_unlock = _document_action("document_unlock", lambda: _("The document is checked in."))
document_trash = _document_action(
    "document_trash", lambda: _("The document was moved to the trash.")
)
document_untrash = _document_action("document_untrash", lambda: _("The document was restored."))
document_publish = _document_action("document_publish", lambda: _("The document is published."))
document_unpublish = _document_action(
    "document_unpublish", lambda: _("The document is a draft again.")
)


@page
@require_POST
def workspace_publishing(request: HttpRequest, workspace_id: int) -> HttpResponse:
    form = PublishingForm(request.POST)
    form.is_valid()  # a checkbox: absent is False
    return _act(
        request,
        _back_to_workspace(workspace_id),
        _("The publishing setting was saved."),
        lambda: services.workspace_publishing(
            actor=_actor(request),
            workspace_id=workspace_id,
            require_accessible_pdfs=bool(form.cleaned_data.get("require_accessible_pdfs")),
        ),
    )


# --- the agency's own confidentiality scale (ADR 0617) -----------------------------------------


@page
@require_http_methods(["GET", "POST"])
def agency_scale(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = _actor(request)
    scale = selectors.scale_get(actor=actor, organisation_id=agency_id)
    rows = min(_int(request.POST.get("rows", "0") or "0"), 30) if request.method == "POST" else 0
    form = ScaleForm(request.POST or None, labels=scale.labels, uses=scale.uses, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.scale_set(actor=actor, organisation_id=agency_id, labels=form.labels())
        except (NotFound, StepUpRequired):
            raise
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The confidentiality scale was saved."))
            return redirect("collaboration:agency_scale", agency_id=agency_id)
    context = {"nav": "collaboration", "scale": scale, "form": form}
    return render(request, "collaboration/scale.html", context, status=_status(form))


@page
@require_POST
def version_restore(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    return _act(
        request,
        _document_url(document_id),
        _("The old version was restored as a new version."),
        lambda: services.version_restore(
            actor=_actor(request), document_id=document_id, number=number
        ),
    )


@page
@require_POST
def document_classify(request: HttpRequest, document_id: int) -> HttpResponse:
    return _act(
        request,
        _document_url(document_id),
        _("The confidentiality class was changed."),
        lambda: services.document_classify(
            actor=_actor(request),
            document_id=document_id,
            classification=request.POST.get("classification", ""),
        ),
    )


@page
@require_GET
def document_reads(request: HttpRequest, document_id: int) -> HttpResponse:
    access = selectors.document_get(actor=_actor(request), document_id=document_id)
    context = {
        "nav": "collaboration",
        "document": access.document,
        "workspace": access.workspace,
        "reads": selectors.read_rows(access=access),
    }
    return render(request, "collaboration/reads.html", context)


@page
@require_GET
def document_reads_csv(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reads-{document_id}.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "who", "agency_id", "access", "version", "guest", "agency"])
    for row in selectors.read_rows(access=access, limit=None):
        writer.writerow(
            [
                row.at.isoformat(),
                _csv_safe(row.who),
                row.agency_id or "",
                row.access,
                row.version or "",
                row.guest,
                _csv_safe(row.agency),
            ]
        )
    services.record_export(actor=actor, access=access)
    return response


def _csv_safe(value: str) -> str:
    """No cell a spreadsheet would run as a formula."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
