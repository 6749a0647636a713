"""E-mail intake (issue 16 item 1, ADR 0841): a message to a provider's intake address becomes an
incident of the sender's agency.

The mail server hands each message for `drift+<provider's organisation number>@<domain>` to
`samdrift operations mailgate --to ADDRESS` (a pipe transport). The sender must be an active
samdrift user of a customer agency of that provider; the service is the `[CODE]` in the subject, a
`Tjänst: CODE` / `Service: CODE` line, or the one service of that provider the agency has. The
incident is opened through `services.incident_open`, so the same checks, clocks and audit apply as
for the page and the API. Anything else is refused with the reason and changes nothing.

The mail server is trusted to have checked the sender (SPF/DKIM/DMARC).
"""

from __future__ import annotations

import email
import email.policy
import re
from email.utils import parseaddr
from typing import Any

from django.utils.translation import gettext_lazy as _

from samdrift.accounts.selectors import active_users_by_email, actor_for_user
from samdrift.audit.services import record_security_event
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.onboarding.selectors import subscription_list
from samdrift.organisations.selectors import provider_agencies

from . import selectors, services
from .choices import Impact, Urgency
from .models import Incident

MAX_BYTES = 2 * 1024 * 1024
LOCAL_PART = selectors.INTAKE_LOCAL_PART

NOT_AN_INTAKE = _("%(address)s is not a provider's incident address.")
UNKNOWN_SENDER = _(
    "%(sender)s is not a samdrift user: report the incident on the web or ask your agency's "
    "contact to add you."
)
NOT_A_CUSTOMER = _("%(sender)s's agency is not a customer of %(provider)s.")
WHICH_SERVICE = _("Name the service in the subject as [CODE], one of: %(codes)s.")
UNKNOWN_SERVICE = _("Your agency does not have the service %(code)s from %(provider)s.")
EMPTY = _("The message has neither a subject nor any text.")
TOO_BIG = _("The message is larger than %(limit)s bytes.")

SUBJECT_CODE = re.compile(r"\[([A-Za-z0-9_-]{2,40})\]")
BODY_CODE = re.compile(r"^(?:tjänst|service)\s*:\s*([A-Za-z0-9_-]{2,40})\s*$", re.I | re.M)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _provider(recipient: str) -> Any:
    local = recipient.strip().lower().partition("@")[0]
    name, _plus, tag = local.partition("+")
    wanted = _digits(tag)
    if name == LOCAL_PART and wanted:
        for provider in provider_agencies():
            if _digits(provider.org_number) == wanted:
                return provider
    raise ValidationFailed(
        NOT_AN_INTAKE,
        errors={"to": [str(NOT_AN_INTAKE) % {"address": recipient}]},
        address=recipient,
    )


def _text(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",))
    return body.get_content().strip() if body is not None else ""


def receive(raw: bytes, *, recipient: str) -> Incident:
    if len(raw) > MAX_BYTES:
        raise ValidationFailed(
            TOO_BIG, errors={"message": [str(TOO_BIG) % {"limit": MAX_BYTES}]}, limit=MAX_BYTES
        )
    provider = _provider(recipient)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    users = active_users_by_email([sender]) if sender else []
    if not users:
        record_security_event("incident_mail_unknown_sender", {"provider": provider.id})
        raise PermissionDenied(UNKNOWN_SENDER, sender=sender or "-")
    actor = actor_for_user(users[0])
    subscriptions = [
        s
        for s in subscription_list(actor=actor)
        if s.service.provider_id == provider.id and s.organisation_id in actor.member_org_ids
    ]
    if not subscriptions:
        raise PermissionDenied(NOT_A_CUSTOMER, sender=sender, provider=provider.name)
    subject = str(message.get("Subject", "") or "").strip()
    body = _text(message)
    found = SUBJECT_CODE.search(subject) or BODY_CODE.search(body)
    codes = sorted({s.service.code for s in subscriptions})
    if found:
        code = found.group(1).upper()
        chosen = [s for s in subscriptions if s.service.code == code]
        if not chosen:
            raise ValidationFailed(
                UNKNOWN_SERVICE,
                errors={
                    "service": [str(UNKNOWN_SERVICE) % {"code": code, "provider": provider.name}]
                },
                code=code,
                provider=provider.name,
            )
    elif len(codes) == 1:
        chosen = subscriptions
    else:
        raise ValidationFailed(
            WHICH_SERVICE,
            errors={"service": [str(WHICH_SERVICE) % {"codes": ", ".join(codes)}]},
            codes=", ".join(codes),
        )
    title = SUBJECT_CODE.sub("", subject).strip() or body.partition("\n")[0].strip()
    if not title:
        raise ValidationFailed(EMPTY, errors={"message": [str(EMPTY)]})
    try:
        return services.incident_open(
            actor=actor,
            service_code=chosen[0].service.code,
            title=title[:200],
            impact=Impact.LOW,
            urgency=Urgency.MEDIUM,
            description=f"{body}\n\n(Inkommet med e-post från {sender} / received by e-mail)"[
                :10000
            ],
            organisation_id=chosen[0].organisation_id,
        )
    except NotFound:
        raise PermissionDenied(NOT_A_CUSTOMER, sender=sender, provider=provider.name) from None
