"""Pages of the live notes and whiteboards: a workspace's list, and one document's page, whose
script edits it over `/ws/coedit/<id>` (ADR 0681). Thin: parse, call one selector or service,
answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from samdrift.collaboration.selectors import workspace_get
from samdrift.core.exceptions import DomainError, NotFound, PermissionDenied, submit_form
from samdrift.core.tenancy import scoped_page

from . import selectors, services
from .choices import DocKind
from .consumer import REFUSALS
from .forms import DocForm, VersionForm

page = scoped_page


@page
@require_http_methods(["GET", "POST"])
def doc_list(request: HttpRequest, workspace_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    workspace = workspace_get(actor=actor, workspace_id=workspace_id)
    form = DocForm(request.POST or None)
    created: list[Any] = []
    if request.method == "POST" and submit_form(
        form,
        lambda: created.append(
            services.doc_create(
                actor=actor,
                workspace_id=workspace_id,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        ),
    ):
        return redirect("coediting:doc", doc_id=created[0].pk)
    context = {
        "workspace": workspace.workspace,
        "abilities": workspace.abilities,
        "docs": selectors.doc_list(workspace=workspace),
        "form": form,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "coediting/doc_list.html", context, status=status)


@page
@require_http_methods(["GET"])
def doc_detail(request: HttpRequest, doc_id: int) -> HttpResponse:
    access = selectors.doc_get(actor=request.actor, doc_id=doc_id)  # type: ignore[attr-defined]
    return _detail(request, access, VersionForm())


def _detail(request: HttpRequest, access: Any, form: VersionForm) -> HttpResponse:
    context = {
        "doc": access.doc,
        "workspace": access.workspace.workspace,
        "abilities": access.abilities,
        "workspace_abilities": access.workspace.abilities,
        "versions": selectors.version_list(doc=access.doc),
        "form": form,
        "close_messages": {str(code): str(text) for code, text in REFUSALS.items()},
        "board_texts": _board_texts() if access.doc.kind == DocKind.BOARD else None,
        "images": (
            selectors.note_images(access=access)
            if access.doc.kind == DocKind.NOTE and access.abilities["edit"]
            else []
        ),
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "coediting/doc_detail.html", context, status=status)


@page
@require_POST
def version_keep(request: HttpRequest, doc_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    access = selectors.doc_get(actor=actor, doc_id=doc_id)
    form = VersionForm(request.POST)
    if submit_form(
        form,
        lambda: services.version_keep(actor=actor, doc_id=doc_id, name=form.cleaned_data["name"]),
    ):
        messages.success(request, _("The version was kept."))
        return redirect("coediting:doc", doc_id=doc_id)
    return _detail(request, access, form)


@page
@require_POST
def version_restore(request: HttpRequest, doc_id: int, version_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        services.version_restore(actor=actor, doc_id=doc_id, version_id=version_id)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("coediting:doc", doc_id=doc_id)
    messages.success(request, _("The version was restored. Everyone editing now sees it."))
    return redirect("coediting:doc", doc_id=doc_id)


#: The whiteboard script's words; `%(x)s`-style placeholders are filled by the script.
BOARD_TEXTS = {
    "outline": _("Items on the whiteboard"),
    "drawing": _("The whiteboard, with %(count)s items. The list below holds the same items."),
    "add": _("Add to the whiteboard"),
    "kind": _("Kind"),
    "text": _("Text"),
    "where": _("at %(x)s, %(y)s"),
    "left": _("Move left"),
    "right": _("Move right"),
    "up": _("Move up"),
    "down": _("Move down"),
    "remove": _("Remove"),
}
BOARD_KINDS = {
    "sticky": _("Sticky note"),
    "box": _("Box"),
    "ellipse": _("Ellipse"),
}


def _board_texts() -> dict[str, Any]:
    texts: dict[str, Any] = {key: str(text) for key, text in BOARD_TEXTS.items()}
    texts["kinds"] = {key: str(text) for key, text in BOARD_KINDS.items()}
    return texts


@page
@require_http_methods(["GET"])
def export(request: HttpRequest, doc_id: int, fmt: str) -> HttpResponse:
    """The document as a file: a note as HTML, tagged PDF or DOCX, a whiteboard as SVG or PNG
    (audited)."""
    actor = request.actor  # type: ignore[attr-defined]
    access = selectors.doc_get(actor=actor, doc_id=doc_id)
    try:
        file = services.doc_export_file(actor=actor, access=access, fmt=fmt, request=request)
    except PermissionDenied as error:  # a view-only class: said on the document's page
        messages.error(request, str(error))
        return redirect("coediting:doc", doc_id=doc_id)
    response = HttpResponse(file.content, content_type=file.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
