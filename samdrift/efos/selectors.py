"""Reads of EFOS data, always for an actor (except the public OCSP/CRL/OP lookups by serial)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from samdrift.core.actor import Actor
from samdrift.core.tenancy import visible_or_404
from samdrift.organisations.selectors import agencies_with_org_number

if TYPE_CHECKING:
    from samdrift.organisations.models import Organisation

from .ca.revocation import CertStatusRow, Revoked
from .choices import CredentialStatus
from .models import (
    Credential,
    CrlPublication,
    DocumentSignature,
    IssuedCertificate,
    Official,
    OidcClient,
    SignableDocument,
    name_key,
)
from .permissions import administered_org_ids, can_use_efos_pages, is_operator


def _org_filter(actor: Actor, field: str = "organisation_id") -> Q:
    """Agencies the actor administers; an operator also those its provider serves."""
    if actor.sees_everything:
        return Q()
    ids = set(administered_org_ids(actor))
    if is_operator(actor):
        ids |= actor.customer_org_ids | actor.prospect_org_ids | actor.provider_org_ids
    return Q(**{f"{field}__in": ids})


def administered_organisations(actor: Actor) -> QuerySet[Organisation]:
    return agencies_with_org_number().filter(_org_filter(actor, "id")).order_by("name")


def official_list(*, actor: Actor, search: str = "", status: str = "") -> QuerySet[Official]:
    queryset = Official.objects.filter(_org_filter(actor)).select_related("organisation")
    if search:
        queryset = queryset.filter(
            Q(given_name__icontains=search) | Q(surname__icontains=search) | Q(uid__iexact=search)
        )
    if status:
        queryset = queryset.filter(credentials__status=status).distinct()
    return queryset.prefetch_related(
        Prefetch("credentials", queryset=Credential.objects.order_by("-created_at"))
    ).order_by("organisation__name", "surname", "given_name")


def official_get(*, actor: Actor, official_id: int) -> Official:
    queryset = Official.objects.filter(_org_filter(actor)).select_related("organisation")
    return visible_or_404(queryset, "official", id=official_id)


def credential_get(*, actor: Actor, credential_id: int) -> Credential:
    queryset = Credential.objects.filter(
        _org_filter(actor, "official__organisation_id")
    ).select_related("official__organisation")
    return visible_or_404(queryset, "credential", id=credential_id)


def credential_counts(*, actor: Actor) -> dict[str, int]:
    """E-IDs per status, one grouped query (the overview must stay cheap at national scale)."""
    rows = (
        Credential.objects.filter(_org_filter(actor, "official__organisation_id"))
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {str(status): int(n) for status, n in rows}  # typed for mypy


def credentials_awaiting_operator(*, actor: Actor) -> QuerySet[Credential]:
    if not is_operator(actor):
        return Credential.objects.none()
    return (
        Credential.objects.filter(status__in=[CredentialStatus.ORDERED, CredentialStatus.VERIFIED])
        .filter(_org_filter(actor, "official__organisation_id"))
        .select_related("official__organisation")
        .order_by("created_at")
    )


def certificates_of(credential: Credential) -> QuerySet[IssuedCertificate]:
    return IssuedCertificate.objects.filter(credential=credential).order_by("usage")


# --- public lookups (no actor: OCSP, CRL and the OpenID provider answer anyone) ---------------


def certificate_status(serial_hex: str) -> CertStatusRow | None:
    """One indexed read by serial, in plain SQL: this is the OCSP hot path (ADR 0302), and the
    ORM's query compilation cost more than the lookup itself."""
    table = IssuedCertificate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT revoked_at, revocation_reason FROM {table} WHERE serial = %s",  # noqa: S608
            [serial_hex],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    revoked_at = row[0]
    if isinstance(revoked_at, str):  # SQLite hands back text
        revoked_at = parse_datetime(revoked_at)
    if revoked_at is not None and timezone.is_naive(revoked_at):
        revoked_at = timezone.make_aware(revoked_at, dt.UTC)
    return CertStatusRow(revoked_at=revoked_at, reason=row[1])


def certificate_by_serial(serial_hex: str) -> IssuedCertificate | None:
    return (
        IssuedCertificate.objects.filter(serial=serial_hex)
        .select_related("credential__official__organisation")
        .first()
    )


def revoked_for_crl() -> list[Revoked]:
    """Revoked (or on hold) certificates that have not expired yet; expired ones leave the CRL."""
    rows = (
        IssuedCertificate.objects.filter(revoked_at__isnull=False, not_after__gt=timezone.now())
        .values_list("serial", "revoked_at", "revocation_reason")
        .iterator(chunk_size=5000)
    )
    return [
        Revoked(int(serial, 16), revoked_at, reason)
        for serial, revoked_at, reason in rows
        if revoked_at is not None
    ]


def latest_crl() -> CrlPublication | None:
    return CrlPublication.objects.order_by("-number").first()


def client_list(*, actor: Actor) -> QuerySet[OidcClient]:
    if not is_operator(actor):
        return OidcClient.objects.none()
    return OidcClient.objects.order_by("client_id")


def oidc_client(client_id: str) -> OidcClient | None:
    return OidcClient.objects.filter(client_id=client_id, active=True).first()


# --- documents ---------------------------------------------------------------------------------


def signer_for(actor: Actor) -> Official | None:
    """The official the logged-in user is, if any (linked by the administrator)."""
    if actor.user_id is None:
        return None
    # Ordered in Python, not by `.first()`: with planner statistics (ANALYZE) an ORDER BY … LIMIT 1
    # lets the database walk the name index over every official instead of the user_id index.
    officials = Official.objects.filter(user_id=actor.user_id).select_related("organisation")
    return min(officials.order_by(), key=lambda o: (o.surname, o.given_name, o.pk), default=None)


def document_list(*, actor: Actor) -> QuerySet[SignableDocument]:
    signer = signer_for(actor)
    condition = _org_filter(actor)
    if not is_operator(actor):
        own = Q(organisation_id=signer.organisation_id) if signer else Q(pk__in=[])
        condition = condition | own
    return SignableDocument.objects.filter(condition).select_related("organisation").defer("pdf")


def document_get(*, actor: Actor, document_id: int) -> SignableDocument:
    return visible_or_404(document_list(actor=actor), "document", id=document_id)


def signatures_of(document: SignableDocument) -> QuerySet[DocumentSignature]:
    return document.signatures.select_related("official").order_by("-signed_at")


def signature_get(*, actor: Actor, document_id: int, signature_id: int) -> DocumentSignature:
    document = document_get(actor=actor, document_id=document_id)
    queryset = document.signatures.select_related("official", "document")
    return visible_or_404(queryset, "signature", id=signature_id)


def signature_by_user(*, document_id: int, user_id: int) -> DocumentSignature | None:
    """The first signature of a document by the official who is `user_id`, over the document as
    it was filed (not over a later counter-signed revision). For an app that owns the reason of
    the signature and has checked who may see it (reporting, ADR 0516)."""
    return (
        DocumentSignature.objects.select_related("official", "document")
        .filter(document_id=document_id, official__user_id=user_id,
                document_sha256=F("document__sha256"))
        .order_by("signed_at", "id")
        .first()
    )  # fmt: skip


def _starts_with(field: str, prefix: str) -> Q:
    """`field` begins with `prefix`, through the field's index: a range on SQLite (whose LIKE
    would need a NOCASE index), LIKE on PostgreSQL (Django's `_like` pattern index) (ADR 0703)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


def search_officials(*, actor: Actor, words: Sequence[str], limit: int) -> list[Official]:
    """The site-wide search's officials (ADR 0703): the first word begins the given name or the
    surname (an index range each), every further word is in one of them; only for actors with
    the EFOS pages (no query for others), within the agencies they administer or operate for."""
    if not words or not can_use_efos_pages(actor):
        return []
    first, *rest = (name_key(word) for word in words)
    matching = _starts_with("given_key", first) | _starts_with("surname_key", first)
    for word in rest:
        matching &= Q(given_key__contains=word) | Q(surname_key__contains=word)
    return list(
        # `organisation_id + 0`: the agencies filter the rows the name index found, and never
        # steer the plan to the agency index (347 agencies: every official, then a sort)
        Official.objects.annotate(agency_id=F("organisation_id") + Value(0))
        .filter(_org_filter(actor, "agency_id"), matching)
        .select_related("organisation")
        .only("id", "given_name", "surname", "organisation__id", "organisation__name")
        .order_by("surname_key", "given_key", "id")[:limit]
    )
