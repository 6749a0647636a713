"""Share links (ADR 0609): one document, for named agencies and/or named people, until an expiry;
never where the class forbids links; revocable; every use an audited read.

The token is 32 random bytes shown once; only its SHA-256 is stored. Whoever follows the link must
be logged in (at the class's level) and be one of the named: a link is never public. Unknown,
foreign and revoked tokens answer alike (404) to anyone who is not named; uses are rate-limited
per person (429 with Retry-After), counted in the cache. A token is 256 random bits, so guessing
is no threat; the limit keeps one login from scraping through links.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.organisations.selectors import organisation_list

from ..choices import ReadAccess
from ..models import Document, ShareLink, Version, Workspace
from ..permissions import document_abilities
from ..policy import policy_for
from ..selectors import (
    DocumentAccess,
    actor_email,
    agency_connected,
    require_level,
    workspace_scope,
)
from .common import _document_for, _refuse
from .reads import record_read

MAX_DAYS_DEFAULT = 30
RATE_DEFAULT = (60, 10 * 60)  # uses per person per window of seconds

LINKS_FORBIDDEN = _("Confidentiality class %(cls)s does not allow share links.")
NO_RECIPIENT = _("Name at least one agency or one person to share with.")
BAD_DAYS = _("Choose an expiry of 1 to %(max)s days.")
UNKNOWN_AGENCY = _("There is no agency with the id %(id)s.")
AGENCY_FORBIDDEN = _(
    "Class %(cls)s does not allow sharing with %(agency)s, which is not connected to SAFOS."
)
BAD_PERSON = _("%(value)s is not a valid e-mail address.")
LINK_ENDED = _("The share link has expired or been revoked. Ask the person who shared it.")
TOO_MANY = _("Too many uses of share links. Try again in %(seconds)s seconds.")


class ShareRateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(TOO_MANY, seconds=seconds)
        self.retry_after = seconds


@dataclass(frozen=True)
class SharedDocument:
    link: ShareLink
    document: Document
    version: Version
    download_allowed: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def max_days() -> int:
    return int(getattr(settings, "SAMDRIFT_SHARE_LINK_MAX_DAYS", MAX_DAYS_DEFAULT))


def _check_class(document: Document) -> None:
    for cls in (document.workspace.classification, document.classification):
        if not policy_for(cls).share_links_allowed:
            raise ValidationFailed(
                LINKS_FORBIDDEN,
                errors={"classification": [str(LINKS_FORBIDDEN) % {"cls": cls}]},
                cls=cls,
            )


def _agencies(ids: list[Any], cls: int) -> list[int]:
    try:
        wanted = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise ValidationFailed(UNKNOWN_AGENCY, errors={"agencies": [str(UNKNOWN_AGENCY) % {"id": ids}]}, id=ids) from None  # fmt: skip
    found = {o.id: o for o in organisation_list(actor=SYSTEM).filter(id__in=wanted)}
    for org_id in wanted:
        if org_id not in found:
            message = str(UNKNOWN_AGENCY) % {"id": org_id}
            raise ValidationFailed(UNKNOWN_AGENCY, errors={"agencies": [message]}, id=org_id)
        if not policy_for(cls).guests_allowed and not agency_connected(org_id=org_id):
            params = {"cls": cls, "agency": found[org_id].name}
            raise ValidationFailed(
                AGENCY_FORBIDDEN, errors={"agencies": [str(AGENCY_FORBIDDEN) % params]}, **params
            )
    return wanted


def _people(values: list[Any]) -> list[str]:
    people = sorted({str(v).strip().lower() for v in values if str(v).strip()})
    for address in people:
        local, _at, domain = address.partition("@")
        if (
            not local
            or "." not in domain
            or len(address) > 254
            or any(c.isspace() for c in address)
        ):
            message = str(BAD_PERSON) % {"value": address}
            raise ValidationFailed(BAD_PERSON, errors={"people": [message]}, value=address)
    return people


def share_create(
    *,
    actor: Actor,
    document_id: int,
    agencies: list[Any] | None = None,
    people: list[Any] | None = None,
    days: Any = 7,
) -> tuple[ShareLink, str]:
    """A new link and its token (shown once). Refused, with nothing stored, when the class forbids
    links, no one is named, an agency is unknown or forbidden, or the expiry is out of range."""
    try:
        days_n = int(days)
    except (TypeError, ValueError):
        days_n = 0
    if not 1 <= days_n <= max_days():
        message = str(BAD_DAYS) % {"max": max_days()}
        raise ValidationFailed(BAD_DAYS, errors={"days": [message]}, max=max_days())
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "view")
        _check_class(document)
        abilities = document_abilities(
            actor=actor, document=document, workspace=document.workspace, member=_me
        )
        if not abilities["share"]:
            raise _refuse(_("You may not share this document."))
        org_ids = _agencies(list(agencies or []), document.classification)
        addresses = _people(list(people or []))
        if not org_ids and not addresses:
            raise ValidationFailed(NO_RECIPIENT, errors={"agencies": [str(NO_RECIPIENT)]})
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        link = ShareLink.objects.create(
            document=document,
            token_hash=token_hash(token),
            agencies=org_ids,
            people=addresses,
            expires_at=now + datetime.timedelta(days=days_n),
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="collaboration.share_create",
            obj=link,
            organisation_id=document.workspace.owner_org_id,
            after={"document": document.id, "agencies": org_ids, "people": addresses,
                   "expires_at": link.expires_at.isoformat()},
        )  # fmt: skip
    return link, token


def share_revoke(*, actor: Actor, share_id: int) -> ShareLink:
    with transaction.atomic():
        # through the actor's scope: a foreign id costs what a missing one does
        seen = Workspace.objects.filter(workspace_scope(actor))
        link = (
            ShareLink.objects.select_for_update(of=("self",))
            .filter(id=share_id, document__workspace__in=seen)
            .first()
        )
        if link is None:
            raise NotFound("share")
        try:
            document, _me = _document_for(actor, link.document_id, "revoke_shares")
        except NotFound:
            raise NotFound("share") from None
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.revoked_by_id = actor.user_id
            link.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor,
                action="collaboration.share_revoke",
                obj=link,
                organisation_id=document.workspace.owner_org_id,
                before={"revoked_at": None},
                after={"revoked_at": link.revoked_at.isoformat()},
            )
    return link


def _rate(key: str, now: float) -> int:
    """One use on the key's fixed window; 0 if within the limit, else the seconds to wait."""
    limit, seconds = getattr(settings, "SAMDRIFT_SHARE_LINK_RATE", RATE_DEFAULT)
    cache_key = f"samdrift:collab-share:{key}"
    cache.add(f"{cache_key}:end", now + seconds, timeout=seconds)
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = int(cache.incr(cache_key))
    except ValueError:
        cache.add(cache_key, 1, timeout=seconds)
        count = 1
    if count <= int(limit):
        return 0
    return max(1, int((cache.get(f"{cache_key}:end") or now + 1) - now + 0.999))


def _named(mine: frozenset[int], email: str, link: ShareLink) -> tuple[bool, int | None]:
    """Whether the actor (agencies `mine`, address `email`) is one of the link's named, and for
    which agency."""
    matched = sorted(mine.intersection(int(i) for i in link.agencies))
    if matched:
        return True, matched[0]
    named = bool(email) and email in link.people
    return named, (min(mine) if named and mine else None)


def share_open(*, actor: Actor, token: str, how: str = ReadAccess.SHARE_LINK) -> SharedDocument:
    """Follow a link: the named person, logged in at the class's level, sees the document's
    newest version; the use is counted and recorded as a read (who, agency, version, link)."""
    if actor.user_id is None:
        raise NotFound("share")
    now = time.time()
    wait = _rate(f"user:{actor.user_id}", now)
    if wait:
        raise ShareRateLimited(wait)
    # Who the actor is, asked before the lookup: a foreign token costs what a missing one does.
    mine = frozenset(actor.member_org_ids | actor.provider_org_ids)
    email = actor_email(actor)
    link = (
        ShareLink.objects.select_related("document", "document__workspace")
        .filter(token_hash=token_hash(str(token or "")))
        .first()
    )
    named, agency_id = _named(mine, email, link) if link is not None else (False, None)
    if link is None or not named or link.document.trashed_at is not None:
        raise NotFound("share")
    document = link.document
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise _refuse(LINK_ENDED)
    _check_class(document)  # a class raised since the link was made ends it
    require_level(actor, document.classification)
    if how == ReadAccess.DOWNLOAD and not policy_for(document.classification).download_allowed:
        raise _refuse(_("Class %(cls)s documents may only be viewed, not downloaded."), cls=document.classification)  # fmt: skip
    version = document.versions.select_related("file").order_by("-number").first()
    if version is None:
        raise NotFound("share")
    ShareLink.objects.filter(id=link.id).update(uses=F("uses") + 1)
    access = DocumentAccess(document, document.workspace, None, {})
    record_read(
        actor=actor, access=access, version=version, how=how, share_id=link.id, agency_id=agency_id
    )
    return SharedDocument(
        link, document, version, policy_for(document.classification).download_allowed
    )
