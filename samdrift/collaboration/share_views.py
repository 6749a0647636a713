"""Pages of share links (ADR 0609): a document's links (make, list, revoke) and the page a named
person reaches by following one. Thin, like views.py: the rules are in services.shares."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.exceptions import DomainError, NotFound, error_text, errors_onto_form
from samdrift.core.files.responses import file_response
from samdrift.core.tenancy import StepUpRequired

from . import selectors, services
from .forms import ShareForm
from .services.shares import ShareRateLimited
from .views import _actor, page


def _agency_choices() -> list[tuple[int, str]]:
    from samdrift.core.actor import SYSTEM
    from samdrift.organisations.selectors import organisation_list

    return list(organisation_list(actor=SYSTEM).order_by("name").values_list("id", "name"))


@page
@require_http_methods(["GET", "POST"])
def document_shares(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    if not (access.abilities["share"] or access.abilities["revoke_shares"]):
        raise NotFound("document")
    form = ShareForm(request.POST or None, organisations=_agency_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                _link, token = services.share_create(
                    actor=actor,
                    document_id=document_id,
                    agencies=data["agencies"],
                    people=data["people"].split(),
                    days=data["days"],
                )
            except (NotFound, StepUpRequired):
                raise
            except DomainError as error:
                errors_onto_form(form, error)
            else:
                url = request.build_absolute_uri(reverse("collaboration:shared", args=[token]))
                messages.success(
                    request,
                    _("The link was made. Copy it now; it is not shown again: %(url)s")
                    % {"url": url},
                )
                return redirect("collaboration:document_shares", document_id=document_id)
        status = 422
    links = list(selectors.share_list(access=access))
    names = selectors.agency_names(sorted({i for link in links for i in link.agencies}))
    context: dict[str, Any] = {
        "nav": "collaboration",
        "document": access.document,
        "workspace": access.workspace,
        "abilities": access.abilities,
        "form": form,
        "links": [(link, [names.get(i, str(i)) for i in link.agencies]) for link in links],
    }
    return render(request, "collaboration/shares.html", context, status=status)


@page
@require_POST
def share_revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    try:
        link = services.share_revoke(actor=_actor(request), share_id=share_id)
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect("collaboration:workspaces")
    messages.success(request, _("The link was revoked."))
    return redirect("collaboration:document_shares", document_id=link.document_id)


def _open(request: HttpRequest, token: str, how: str) -> Any:
    return services.share_open(actor=_actor(request), token=token, how=how)


def _limited(request: HttpRequest, error: ShareRateLimited) -> HttpResponse:
    response = render(
        request,
        "collaboration/shared.html",
        {"nav": "collaboration", "error": error_text(error)},
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


def _follow(request: HttpRequest, token: str, how: str) -> Any:
    """The link's document for this person, or the answer that replaces it: 429 when rate
    limited, 410 for a revoked, expired or raised-class link; missing and step-up propagate."""
    try:
        return _open(request, token, how)
    except ShareRateLimited as error:
        return _limited(request, error)
    except (NotFound, StepUpRequired):
        raise
    except DomainError as error:
        context = {"nav": "collaboration", "error": error_text(error)}
        return render(request, "collaboration/shared.html", context, status=410)


@page
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a named person sees on following a link; the visit is recorded as a read."""
    found = _follow(request, token, "share_link")
    if isinstance(found, HttpResponseBase):
        return found  # type: ignore[return-value]
    context = {"nav": "collaboration", "found": found, "token": token}
    return render(request, "collaboration/shared.html", context)


@page
@require_GET
def shared_download(request: HttpRequest, token: str) -> HttpResponseBase:
    found = _follow(request, token, "download")
    if isinstance(found, HttpResponseBase):
        return found
    return file_response(found.version.file, request)


__all__ = ["document_shares", "share_revoke", "shared", "shared_download"]
