"""EFOS pages for the agency's EFOS administrator (own officials only) and the provider's
operator. Thin: parse, call one selector or service, render."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samdrift.audit.services import audit_read
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.core.paging import paginate
from samdrift.efos import conf, selectors, services
from samdrift.efos.choices import CredentialStatus
from samdrift.efos.forms import (
    ClientForm,
    DocumentForm,
    IssueForm,
    OfficialFilterForm,
    OfficialForm,
    RevokeForm,
    SignForm,
    ValidateForm,
    VerifyForm,
)
from samdrift.efos.oidc import internal
from samdrift.efos.permissions import (
    can_use_efos_pages,
    credential_abilities,
    document_abilities,
    is_operator,
)
from samdrift.efos.signing import validate_pdf

MAX_UPLOAD = 20 * 1024 * 1024
SIGNING = "efos_signing"


def efos_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in; a missing or forbidden object is the same 404 (tenancy rule)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return wrapper


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _require_admin(request: HttpRequest) -> None:
    if not can_use_efos_pages(_actor(request)):
        raise DjangoPermissionDenied


def _org_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in selectors.administered_organisations(_actor(request))]


@efos_page
def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    signer = selectors.signer_for(actor)
    if not can_use_efos_pages(actor) and signer is None:
        raise DjangoPermissionDenied
    counts = selectors.credential_counts(actor=actor) if can_use_efos_pages(actor) else {}
    return render(
        request,
        "efos/home.html",
        {
            "nav": "efos",
            "operator": is_operator(actor),
            "signer": signer,
            "counts": [(label, counts.get(value, 0)) for value, label in CredentialStatus.choices],
            "queue": selectors.credentials_awaiting_operator(actor=actor)[:50],
            "latest_crl": selectors.latest_crl(),
        },
    )


@efos_page
def official_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = OfficialFilterForm(request.GET or None)
    search = status = ""
    if form.is_valid():
        search, status = form.cleaned_data["q"], form.cleaned_data["status"]
    officials = selectors.official_list(actor=_actor(request), search=search, status=status)
    return render(
        request,
        "efos/official_list.html",
        {
            "nav": "efos",
            "operator": is_operator(_actor(request)),
            "form": form,
            **paginate(officials, params=request.GET).context("officials"),
        },
    )


@efos_page
@require_http_methods(["GET", "POST"])
def official_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    choices = _org_choices(request)
    form = OfficialForm(request.POST or None, organisations=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            official = services.add_official(
                actor=_actor(request),
                organisation_id=data["organisation"],
                given_name=data["given_name"],
                surname=data["surname"],
                uid=data["uid"],
                email=data["email"],
            )
            if data["order"]:
                services.order_credential(actor=_actor(request), official=official)
        except ValidationFailed as exc:
            for field_name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field_name if field_name in form.fields else None, error)
        else:
            messages.success(request, _("The official was added."))
            return redirect("efos:official_detail", official_id=official.pk)
    return render(
        request,
        "efos/official_form.html",
        {"nav": "efos", "operator": is_operator(_actor(request)), "form": form},
    )


@efos_page
def official_detail(request: HttpRequest, official_id: int) -> HttpResponse:
    _require_admin(request)
    actor = _actor(request)
    official = selectors.official_get(actor=actor, official_id=official_id)
    credentials = [
        {
            "credential": c,
            "abilities": credential_abilities(actor, c),
            "certificates": selectors.certificates_of(c),
        }
        for c in official.credentials.select_related("official").order_by("-created_at")
    ]
    audit_read(actor=actor, obj=official, access="open", organisation_id=official.organisation_id,
               detail={"credentials": list(official.credentials.values_list("pk", flat=True))})  # fmt: skip
    return render(
        request,
        "efos/official_detail.html",
        {
            "nav": "efos",
            "operator": is_operator(_actor(request)),
            "official": official,
            "credentials": credentials,
            "verify_form": VerifyForm(),
            "issue_form": IssueForm(),
            "revoke_form": RevokeForm(),
            "can_order": not official.credentials.filter(
                status__in=["ordered", "verified"]
            ).exists(),
        },
    )


def _software_token(result: services.IssueResult) -> HttpResponse:
    """Keys made here leave the server once, in this download, and are not kept."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for usage, cert in result.certificates.items():
            stem = "cert" if usage == "authentication" else "sign-cert"
            archive.writestr(f"{stem}.pem", cert.public_bytes(serialization.Encoding.PEM))
        for usage, pem in result.software_keys.items():
            archive.writestr("key.pem" if usage == "authentication" else "sign-key.pem", pem)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="efos-{result.credential.pk}.zip"'
    return response


@efos_page
@require_POST
def credential_action(request: HttpRequest, credential_id: int, action: str) -> HttpResponse:
    _require_admin(request)
    actor = _actor(request)
    credential = selectors.credential_get(actor=actor, credential_id=credential_id)
    back = HttpResponseRedirect(reverse("efos:official_detail", args=[credential.official_id]))
    try:
        if action == "verify":
            form = VerifyForm(request.POST)
            services.verify_identity(
                actor=actor, credential=credential, note=form.data.get("note", "")
            )
        elif action == "issue":
            form_issue = IssueForm(request.POST)
            form_issue.is_valid()
            result = services.issue_credential(
                actor=actor,
                credential=credential,
                csrs={
                    "authentication": form_issue.cleaned_data.get("authentication", ""),
                    "signature": form_issue.cleaned_data.get("signature", ""),
                },
            )
            if result.software_keys:
                return _software_token(result)
        elif action == "activate":
            services.activate_credential(actor=actor, credential=credential)
        elif action == "suspend":
            services.suspend_credential(actor=actor, credential=credential)
        elif action == "resume":
            services.resume_credential(actor=actor, credential=credential)
        elif action == "revoke":
            services.revoke_credential(
                actor=actor, credential=credential, reason=request.POST.get("reason", "")
            )
        elif action == "renew":
            services.renew_credential(actor=actor, credential=credential)
        else:
            raise Http404
    except NotFound:
        raise
    except ValidationFailed as exc:
        details = "; ".join(e for errors in exc.errors.values() for e in errors)
        messages.error(request, f"{exc} {details}".strip())
        return back
    except DomainError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("Done."))
    return back


# --- documents and signing -------------------------------------------------------------------------


@efos_page
@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    signer = selectors.signer_for(actor)
    if not can_use_efos_pages(actor) and signer is None:
        raise DjangoPermissionDenied
    choices = _org_choices(request)
    form = (
        DocumentForm(request.POST or None, request.FILES or None, organisations=choices)
        if choices
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        upload = form.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD:
            form.add_error("pdf", _("The file is too large."))
        else:
            try:
                document = services.create_document(
                    actor=actor,
                    organisation_id=form.cleaned_data["organisation"],
                    title=form.cleaned_data["title"],
                    sign_message=form.cleaned_data["sign_message"],
                    pdf=upload.read(),
                )
            except ValidationFailed as exc:
                for field_name, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field_name if field_name in form.fields else None, error)
            else:
                messages.success(request, _("The document was added."))
                return redirect("efos:document_detail", document_id=document.pk)
    documents = selectors.document_list(actor=actor).prefetch_related("signatures__official")
    return render(
        request,
        "efos/document_list.html",
        {
            "nav": "efos",
            "operator": is_operator(_actor(request)),
            **paginate(documents, params=request.GET).context("documents"),
            "form": form,
        },
    )


@efos_page
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = _actor(request)
    document = selectors.document_get(actor=actor, document_id=document_id)
    signer = selectors.signer_for(actor)
    signatures = list(selectors.signatures_of(document))
    report = None
    if signatures:
        report = validate_pdf(
            bytes(signatures[0].signed_pdf), issuing_crl_der=bytes(services.current_crl().der)
        )
    return render(
        request,
        "efos/document_detail.html",
        {
            "nav": "efos",
            "operator": is_operator(_actor(request)),
            "document": document,
            "signatures": signatures,
            "report": report,
            "abilities": document_abilities(actor, document, signer=signer),
            "sign_form": SignForm(),
        },
    )


@efos_page
@require_POST
def document_sign(request: HttpRequest, document_id: int) -> HttpResponse:
    """Start the re-authentication: off to our own OP with the sign message in a signed request."""
    actor = _actor(request)
    document = selectors.document_get(actor=actor, document_id=document_id)
    signer = selectors.signer_for(actor)
    if not document_abilities(actor, document, signer=signer)["sign"]:
        raise Http404
    form = SignForm(request.POST)
    level = form.cleaned_data["level"] if form.is_valid() else "PAdES-B-LTA"
    issuer = conf.issuer(request)
    internal.ensure_client(issuer)
    url, pending = internal.start(document.sign_message, issuer=issuer)
    request.session[SIGNING] = {**pending, "document_id": document.pk, "level": level}
    return HttpResponseRedirect(url)


@efos_page
def sign_callback(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    pending = request.session.pop(SIGNING, None)
    if not pending or request.GET.get("state") != pending.get("state"):
        messages.error(
            request, _("The signing request has expired or does not match. Nothing was signed.")
        )
        return redirect("efos:document_list")
    back = redirect("efos:document_detail", document_id=pending["document_id"])
    if "error" in request.GET or "code" not in request.GET:
        messages.error(request, _("The re-authentication was not completed. Nothing was signed."))
        return back
    document = selectors.document_get(actor=actor, document_id=pending["document_id"])
    signer = selectors.signer_for(actor)
    if signer is None:
        raise Http404
    try:
        claims = internal.finish(request.GET["code"], pending)
    except Exception:  # any token failure: refuse to sign, say so
        messages.error(
            request, _("The re-authentication could not be verified. Nothing was signed.")
        )
        return back
    import datetime as dt

    try:
        services.sign_document(
            actor=actor,
            document=document,
            official=signer,
            id_claims=claims,
            sign_message=document.sign_message,
            level=pending["level"],
            started_at=dt.datetime.fromtimestamp(pending["started_at"], dt.UTC),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("The document was signed."))
    return back


@efos_page
def signature_pdf(request: HttpRequest, document_id: int, signature_id: int) -> HttpResponse:
    signature = selectors.signature_get(
        actor=_actor(request), document_id=document_id, signature_id=signature_id
    )
    audit_read(actor=_actor(request), obj=signature, access="download",
               organisation_id=signature.document.organisation_id)  # fmt: skip
    response = HttpResponse(bytes(signature.signed_pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="signed-{document_id}-{signature_id}.pdf"'
    )
    return response


@efos_page
@require_http_methods(["GET", "POST"])
def validate_upload(request: HttpRequest) -> HttpResponse:
    form = ValidateForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD:
            form.add_error("pdf", _("The file is too large."))
        else:
            report = validate_pdf(upload.read(), issuing_crl_der=bytes(services.current_crl().der))
    return render(
        request,
        "efos/validate.html",
        {"nav": "efos", "operator": is_operator(_actor(request)), "form": form, "report": report},
    )


@efos_page
@require_http_methods(["GET", "POST"])
def client_list(request: HttpRequest) -> HttpResponse:
    """The operator's register of relying parties of the EFOS OpenID provider."""
    actor = _actor(request)
    if not is_operator(actor):
        raise DjangoPermissionDenied
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            jwks = json.loads(data["jwks"])
        except ValueError:
            form.add_error("jwks", _("Give the client's public keys as a JWK set."))
        else:
            try:
                services.register_client(
                    actor=actor,
                    client_id=data["client_id"],
                    name=data["name"],
                    redirect_uris=[
                        u.strip() for u in data["redirect_uris"].splitlines() if u.strip()
                    ],
                    jwks=jwks if isinstance(jwks, dict) else {},
                )
            except ValidationFailed as exc:
                for field_name, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field_name if field_name in form.fields else None, error)
            else:
                messages.success(request, _("The client was registered."))
                return redirect("efos:client_list")
    return render(
        request,
        "efos/client_list.html",
        {
            "nav": "efos",
            "operator": is_operator(_actor(request)),
            **paginate(selectors.client_list(actor=actor), params=request.GET).context("clients"),
            "form": form,
        },
    )
