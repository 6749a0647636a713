"""Publishing an advisory (ADR 0967): the SOC tells every agency a vulnerability reaches, each
with a CSAF 2.0 document of its own, and notifies their contacts.

Who is told comes from the findings: every agency subscribed to a service built from one of the
provider's components with a finding of the vulnerability, or depending on one (the same reach as
the findings page). An agency's document names only its components and services, so one agency
never learns which others are affected. Publishing again makes a new revision: every agency
reached now gets the new document; one no longer reached keeps the copy it had.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.organisations.selectors import organisations_by_id

from . import advisory_document as csaf
from . import notices
from .choices import SEVERITY_ORDER, FindingStatus
from .models import Advisory, AdvisoryCopy, ComponentUse, Finding
from .permissions import soc_provider_ids
from .selectors import closure, remediation_deadline, service_graph, subscriber_pairs, with_threats

NO_FINDING = _("None of your components has a finding of %(vulnerability)s.")
TITLE = _("An advisory needs a title of at most 300 characters.")
SUMMARY = _("An advisory needs a summary of at most 5,000 characters.")
PROVIDER = _("Name the provider whose SOC publishes the advisory.")


def _invalid(field: str, message: object, **params: object) -> ValidationFailed:
    text = str(message) % params if params else str(message)
    return ValidationFailed(message, errors={field: [text]}, **params)


@dataclass(frozen=True)
class Published:
    advisory: Advisory
    agencies: list[int]
    told: int


def advisory_publish(
    *,
    actor: Actor,
    vulnerability_id: str,
    title: str,
    summary: str,
    provider_id: int | None = None,
) -> Published:
    """Publish (or publish again) the advisory of a vulnerability on the actor's provider's
    components. Refused: not the SOC (404), no title or summary, no finding of it (422)."""
    provider = _provider(actor, provider_id)
    vulnerability_id = (vulnerability_id or "").strip()
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title or len(title) > 300:
        raise _invalid("title", TITLE)
    if not summary or len(summary) > 5000:
        raise _invalid("summary", SUMMARY)
    findings = list(
        with_threats(
            Finding.objects.filter(component__provider_id=provider).filter(
                Q(vulnerability_id=vulnerability_id) | Q(aliases__icontains=f'"{vulnerability_id}"')
            )
        ).select_related("component")
    ) if vulnerability_id and len(vulnerability_id) <= 200 else []  # fmt: skip
    if not findings:
        raise _invalid("vulnerability_id", NO_FINDING, vulnerability=vulnerability_id[:200])
    with transaction.atomic():
        advisory = _advisory_revised(actor, provider, vulnerability_id, title, summary, findings)
        agencies = _copies_written(advisory, findings)
        audit_record(
            actor=actor,
            action="security.advisory_published",
            obj=advisory,
            organisation_id=provider,
            after={
                "vulnerability": vulnerability_id,
                "revision": advisory.revision,
                "agencies": len(agencies),
            },
        )
        told = notices.advisory_published(actor=actor, advisory=advisory, org_ids=agencies)
    return Published(advisory, agencies, told)


def _provider(actor: Actor, provider_id: int | None) -> int:
    providers = soc_provider_ids(actor)
    if providers is None:  # the system: it must say for which provider
        if provider_id is None:
            raise _invalid("provider", PROVIDER)
        return provider_id
    if provider_id is not None and provider_id in providers:
        return provider_id
    if provider_id is None and len(providers) == 1:
        return next(iter(providers))
    raise NotFound("advisory")


def _advisory_revised(
    actor: Actor,
    provider: int,
    vulnerability_id: str,
    title: str,
    summary: str,
    findings: list[Finding],
) -> Advisory:
    now = timezone.now()
    rank = {value: index for index, value in enumerate(SEVERITY_ORDER)}
    severity = min((f.severity for f in findings), key=lambda s: rank.get(s, 99))
    aliases = sorted(
        {a for f in findings for a in f.aliases} | {f.vulnerability_id for f in findings}
    )
    aliases = [a for a in aliases if a != vulnerability_id]
    advisory = (
        Advisory.objects.select_for_update()
        .filter(provider_id=provider, vulnerability_id=vulnerability_id)
        .first()
    )
    if advisory is None:
        advisory = Advisory(
            provider_id=provider, vulnerability_id=vulnerability_id, revision=0,
            first_published_at=now, revisions=[],
        )  # fmt: skip
    advisory.revision += 1
    advisory.title, advisory.summary, advisory.severity, advisory.aliases = (
        title, summary, severity, aliases,
    )  # fmt: skip
    advisory.published_at, advisory.published_by = now, str(actor.label)[:150]
    advisory.revisions = [
        *advisory.revisions,
        {"number": advisory.revision, "date": now.isoformat(), "summary": title},
    ]
    advisory.save()
    return advisory


def _copies_written(advisory: Advisory, findings: list[Finding]) -> list[int]:
    """Every audience's CSAF document, validated, written over its previous copy."""
    by_component: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_component[finding.component_id].append(finding)
    components = {f.component_id: f.component for f in findings}
    direct: dict[int, set[int]] = defaultdict(set)
    for component_id, service_id in ComponentUse.objects.filter(
        component_id__in=list(components)
    ).values_list("component_id", "service_id"):
        direct[component_id].add(service_id)
    _down, up = service_graph()
    reached = {c: closure(direct[c], up) for c in components}
    agency_services: dict[int, set[int]] = defaultdict(set)
    for org_id, service_id in subscriber_pairs(set().union(*reached.values())):
        agency_services[org_id].add(service_id)
    codes = dict(
        services_by_code().filter(id__in=set().union(*reached.values())).values_list("id", "code")
    )
    names = dict(
        organisations_by_id([*agency_services, advisory.provider_id]).values_list("id", "name")
    )
    audiences: list[tuple[int | None, dict[int, set[int]]]] = [(None, reached)]
    for org_id, services in sorted(agency_services.items()):
        audiences.append((org_id, {c: reached[c] & services for c in components}))
    for audience, seen in audiences:
        products = [
            _product(components[c], by_component[c], sorted(codes[s] for s in seen[c]))
            for c in sorted(components, key=lambda c: components[c].name)
            if audience is None or seen[c]
        ]
        document = csaf.csaf_document(
            _header(advisory, names, audience, names.get(audience, "") if audience else ""),
            products,
        )
        if problems := csaf.schema_errors(document):  # our bug, never the user's: stop here
            raise RuntimeError(f"advisory {advisory.pk} breaks the CSAF schema: {problems[:3]}")
        AdvisoryCopy.objects.update_or_create(  # type: ignore[misc]  # None: the provider's copy
            advisory=advisory, organisation_id=audience,
            defaults={"revision": advisory.revision, "category": document["document"]["category"],
                      "document": document},
        )  # fmt: skip
    return sorted(agency_services)


def _header(
    advisory: Advisory, names: dict[int, str], org_id: int | None, audience: str
) -> csaf.Advisory:
    suffix = f"-{org_id}" if org_id else ""
    return csaf.Advisory(
        tracking_id=f"samdrift-{advisory.provider_id}-{advisory.vulnerability_id}{suffix}",
        provider=names.get(advisory.provider_id, ""),
        namespace=str(getattr(settings, "SAMDRIFT_BASE_URL", "http://127.0.0.1:8000")),
        title=advisory.title,
        summary=advisory.summary,
        vulnerability_id=advisory.vulnerability_id,
        aliases=tuple(advisory.aliases),
        severity=advisory.severity,
        revisions=tuple(
            csaf.Revision(r["number"], datetime.datetime.fromisoformat(r["date"]), r["summary"])
            for r in advisory.revisions
        ),
        audience=audience,
    )


def _product(component: object, findings: list[Finding], service_codes: list[str]) -> csaf.Product:
    """One component's state: affected while any finding of it is open; not affected when all
    are (with the justification); otherwise fixed."""
    name = f"{component}".strip() + (f" ({', '.join(service_codes)})" if service_codes else "")
    product_id = f"CSAFPID-{getattr(component, 'pk', 0)}"
    open_ = [f for f in findings if f.status == FindingStatus.OPEN]
    if open_:
        deadlines = [d for f in open_ if (d := remediation_deadline(f)) is not None]
        fixed_version = next((f.fixed_version for f in open_ if f.fixed_version), "")
        return csaf.Product(product_id, name, csaf.AFFECTED, fixed_version=fixed_version,
                            remediate_by=min(deadlines) if deadlines else None)  # fmt: skip
    if all(f.status == FindingStatus.NOT_AFFECTED for f in findings):
        justification = next((f.justification for f in findings if f.justification), "")
        return csaf.Product(product_id, name, csaf.NOT_AFFECTED, justification=justification)
    return csaf.Product(product_id, name, csaf.FIXED)
