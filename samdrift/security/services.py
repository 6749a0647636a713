"""Writes of security operations (ADR 0950, 0951): registering a component and importing a
scanner report for it. One transaction and one audit record each; a report that cannot be read,
or names an unknown component, is refused in Swedish and English before anything is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied, field_refusal

from .choices import ComponentKind, FindingStatus, ReportFormat, VexStatus
from .inserts import UPDATED_FIELDS, FindingValues, insert_findings, known_rows
from .models import (
    Component,
    ComponentUse,
    EpssScore,
    Finding,
    ImportRun,
    KnownExploited,
    VexStatement,
)
from .parsers import Parsed, Report, parse, read_report
from .permissions import keeps_component, security_abilities, soc_provider_ids
from .refusal import refuse
from .threats import read_epss, read_kev
from .vex import Product, VexDocument


def component_register(
    *,
    actor: Actor,
    name: str,
    kind: str,
    service_codes: list[str],
    version: str = "",
    purl: str = "",
) -> Component:
    """Register a component of the actor's provider, used by some of its services. Refused: not
    the SOC, an empty or taken name, an unknown kind, another provider's service."""
    providers = soc_provider_ids(actor)
    if not security_abilities(actor=actor)["import"] or providers == frozenset():
        raise NotFound("components")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise field_refusal("name", _("A component needs a name of at most 200 characters."))
    if kind not in ComponentKind.values:
        raise field_refusal("kind", _("Unknown kind of component %(value)s."), value=str(kind))
    if Component.objects.filter(name=name).exists():
        raise field_refusal("name", _("There is already a component named %(value)s."), value=name)
    services = [service_get(actor=actor, code=code) for code in service_codes]
    for service in services:
        if not keeps_component(actor, service.provider_id):  # another provider's service
            raise NotFound("service")
    owners = {service.provider_id for service in services}
    if len(owners) > 1:
        raise field_refusal("services", _("A component's services must all be one provider's."))
    if owners:
        provider_id = owners.pop()
    elif providers:
        provider_id = min(providers)
    else:
        raise field_refusal("services", _("Name at least one service that uses the component."))
    with transaction.atomic():
        component = Component.objects.create(
            provider_id=provider_id, name=name, version=(version or "").strip()[:100],
            purl=(purl or "").strip()[:500], kind=kind,
        )  # fmt: skip
        ComponentUse.objects.bulk_create(
            ComponentUse(component=component, service=service) for service in services
        )
        audit_record(
            actor=actor, action="security.component_registered", obj=component,
            organisation_id=provider_id,
            after={"name": name, "version": component.version, "purl": component.purl,
                   "kind": kind, "services": sorted(s.code for s in services)},
        )  # fmt: skip
    return component


@dataclass(frozen=True)
class ImportOutcome:
    run: ImportRun
    already_imported: bool
    reported: int
    created: int
    updated: int
    fixed: int


def _component_for_import(actor: Actor, name: str) -> Component:
    component = Component.objects.filter(name=(name or "").strip()).first()
    if component is None or not keeps_component(actor, component.provider_id):
        raise field_refusal(
            "component", _("There is no component named %(component)s."), component=name
        )
    return component


def _apply(finding: FindingValues, parsed: Parsed, run: ImportRun) -> None:
    finding.severity = parsed.severity
    finding.title = parsed.title
    finding.fixed_version = parsed.fixed_version
    finding.location = parsed.location
    finding.aliases = list(parsed.aliases)
    finding.status = parsed.status
    finding.justification = parsed.justification
    finding.fixed_at = run.imported_at if parsed.status == FindingStatus.FIXED else None
    finding.last_seen = run.imported_at
    finding.last_run_id = run.pk


#: Findings written per round: memory holds one batch, whatever the report's size (ADR 0971).
BATCH = 2000


def import_report(
    *,
    actor: Actor,
    component_name: str,
    data: bytes | None = None,
    path: Path | None = None,
    file_name: str = "",
) -> ImportOutcome:
    """Import a scanner report for a component (ADR 0951), given as bytes or as a file (a large
    JSON file is streamed, ADR 0971). The format comes from the content. In one transaction: a
    new finding per new deduplication key, the known ones updated, and those of the same scope
    (component and tool) still open that the report no longer lists marked fixed. The same file
    again for the same scope changes nothing; a refused file stores nothing."""
    component = _component_for_import(actor, component_name)
    if path is not None:
        with path.open("rb") as file:
            checksum = hashlib.file_digest(file, "sha256").hexdigest()
        with read_report(path) as report:  # refused before anything is stored
            return _import(actor, component, report, checksum, file_name or path.name)
    data = data or b""
    report = parse(data)
    return _import(actor, component, report, hashlib.sha256(data).hexdigest(), file_name)


def import_upload(*, actor: Actor, component_name: str, upload: UploadedFile) -> ImportOutcome:
    """A report sent through the page: read from the upload's temporary file where it has one
    (a large report is streamed from it as from any file), else from memory. The upload handler
    stops writing at the file store's limit, so a larger file is refused whole; the command line
    reads any size from a path."""
    limit = int(settings.SAMDRIFT_FILES_MAX_BYTES)
    if upload.size is not None and upload.size > limit:
        raise field_refusal(
            "file",
            _("The file is larger than %(mb)s MB; import it with samdrift security import."),
            mb=limit // (1024 * 1024),
        )
    name = (upload.name or "")[:255]
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        return import_report(
            actor=actor, component_name=component_name, path=Path(temporary()), file_name=name
        )
    return import_report(
        actor=actor, component_name=component_name, data=upload.read(), file_name=name
    )


def _import(
    actor: Actor,
    component: Component,
    report: Report | VexDocument,
    checksum: str,
    file_name: str,
) -> ImportOutcome:
    if isinstance(report, VexDocument):
        return _import_vex(actor, component, report, checksum, file_name)
    earlier = ImportRun.objects.filter(
        component=component, tool=report.tool, checksum=checksum
    ).first()
    if earlier is not None:
        return ImportOutcome(earlier, True, earlier.reported, 0, 0, 0)
    now = timezone.now()
    with transaction.atomic():
        # One import of a component at a time: two at once would both insert a new finding.
        Component.objects.select_for_update().filter(pk=component.pk).first()
        run = ImportRun.objects.create(
            component=component, tool=report.tool, report_format=report.report_format,
            file_name=(file_name or "")[:255], checksum=checksum, imported_at=now,
            imported_by=str(actor.label)[:150],
        )  # fmt: skip
        tally = _Tally()
        statements = _kept_statements(component)
        for batch in _batches(report.findings):  # a refusal here rolls all of it back
            _write_batch(batch, component, report.tool, run, statements, tally)
        # What the report no longer lists, of its scope and still open: fixed.
        gone = (
            Finding.objects.filter(component=component, tool=report.tool, status=FindingStatus.OPEN)
            .exclude(last_run=run)
            .update(status=FindingStatus.FIXED, fixed_at=now)
        )
        run.reported, run.created, run.fixed = tally.reported, tally.created, gone
        run.save(update_fields=["reported", "created", "fixed"])
        audit_record(
            actor=actor, action="security.report_imported", obj=run,
            organisation_id=component.provider_id,
            after={"component": component.name, "tool": report.tool,
                   "format": report.report_format, "checksum": checksum,
                   "reported": tally.reported, "created": tally.created,
                   "updated": tally.updated, "fixed": gone},
        )  # fmt: skip
    return ImportOutcome(run, False, tally.reported, tally.created, tally.updated, gone)


@dataclass
class _Tally:
    reported: int = 0
    created: int = 0
    updated: int = 0


def _batches(findings: Iterable[Parsed]) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    for parsed in findings:
        batch.append(parsed)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batch(
    batch: list[Parsed],
    component: Component,
    tool: str,
    run: ImportRun,
    statements: VexKept,
    tally: _Tally,
) -> None:
    """Store one batch: the first of a key in the report counts (ADR 0951), so a key already
    written by this run is passed over. A re-scan mostly repeats itself: one UPDATE for what is
    only seen again, a per-row update only for findings whose content changed."""
    unique: dict[str, Parsed] = {}
    for parsed in batch:
        unique.setdefault(parsed.dedup_key, parsed)
    known = {
        row.dedup_key: row
        for row in known_rows(
            Finding.objects.select_for_update().filter(
                component=component, tool=tool, dedup_key__in=list(unique)
            ),
            component.pk,
            tool,
        )
    }
    now = run.imported_at
    new: list[FindingValues] = []
    changed: list[Finding] = []
    seen: list[int] = []
    for key, parsed in unique.items():
        finding = known.get(key)
        if finding is not None and finding.last_run_id == run.pk:
            continue  # listed earlier in this report
        tally.reported += 1
        if finding is None:
            finding = FindingValues(
                component_id=component.pk, tool=tool, dedup_key=key,
                vulnerability_id=parsed.vulnerability_id, package_name=parsed.package_name,
                package_version=parsed.package_version, first_seen=now, first_run_id=run.pk,
                last_seen=now, last_run_id=run.pk,
            )  # fmt: skip
            _apply(finding, parsed, run)
            _honour(finding, statements, component, now)
            new.append(finding)
            continue
        before = finding.content()
        _apply(finding, parsed, run)
        _honour(finding, statements, component, now)
        if finding.content() != before:
            changed.append(finding.as_model())
        else:
            seen.append(cast(int, finding.pk))
    insert_findings(new)
    Finding.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
    Finding.objects.filter(pk__in=seen).update(last_seen=now, last_run=run)
    tally.created += len(new)
    tally.updated += len(changed) + len(seen)


# --- OpenVEX (ADR 0955) ------------------------------------------------------------------------

VexKept = list[tuple[str, tuple[str, ...], Product, str, str]]  # id, aliases, product, status, why


def _kept_statements(component: Component) -> VexKept:
    return [
        (v.vulnerability_id, tuple(v.aliases),
         Product(v.product, v.package_name, v.package_version), v.status, v.justification)
        for v in VexStatement.objects.filter(component=component).order_by("id")
    ]  # fmt: skip


def _product_is(product: Product, finding: Finding | FindingValues, component: Component) -> bool:
    return product.purl == component.purl or product.names(
        finding.package_name, finding.package_version
    )


def _honour(
    finding: Finding | FindingValues, statements: VexKept, component: Component, now: Any
) -> bool:
    """Apply the last statement about this finding's vulnerability and product; True if the
    finding's status or justification changed. Under investigation changes nothing."""
    chosen = None
    for vuln, aliases, product, status, why in statements:
        ids = {vuln, *aliases}
        same = finding.vulnerability_id in ids or any(a in ids for a in finding.aliases)
        if same and _product_is(product, finding, component):
            chosen = (status, why)
    if chosen is None or chosen[0] == VexStatus.UNDER_INVESTIGATION:
        return False
    status, why = chosen
    before = (finding.status, finding.justification)
    if status == VexStatus.NOT_AFFECTED:
        finding.status, finding.justification, finding.fixed_at = (
            FindingStatus.NOT_AFFECTED, why, None,
        )  # fmt: skip
    elif status == VexStatus.FIXED:
        if finding.status != FindingStatus.FIXED:
            finding.fixed_at = now
        finding.status, finding.justification = FindingStatus.FIXED, ""
    else:  # affected: open, whatever a scan or an earlier statement said
        finding.status, finding.justification, finding.fixed_at = FindingStatus.OPEN, "", None
    return (finding.status, finding.justification) != before


def _import_vex(
    actor: Actor, component: Component, vex: VexDocument, checksum: str, file_name: str
) -> ImportOutcome:
    """Keep an OpenVEX document's statements for the component and apply them to its findings.
    A statement about a product that is neither the component nor one of its packages in a
    finding is refused, naming the statement; nothing is stored then."""
    earlier = ImportRun.objects.filter(
        component=component, tool=vex.tool, checksum=checksum
    ).first()
    if earlier is not None:
        return ImportOutcome(earlier, True, earlier.reported, 0, 0, 0)
    packages = set(
        Finding.objects.filter(component=component).values_list("package_name", "package_version")
    )
    for statement in vex.statements:
        for product in statement.products:
            if product.purl != component.purl and not any(
                product.names(name, version) for name, version in packages
            ):
                raise refuse(
                    _("OpenVEX statements[%(number)s] is about %(product)s, which is neither the "
                      "component %(component)s nor one of its packages."),
                    number=statement.number, product=product.purl[:200], component=component.name,
                )  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            component=component, tool=vex.tool, report_format=ReportFormat.OPENVEX,
            file_name=(file_name or "")[:255], checksum=checksum, imported_at=now,
            imported_by=str(actor.label)[:150], reported=len(vex.statements),
        )  # fmt: skip
        for statement in vex.statements:
            for product in statement.products:
                VexStatement.objects.update_or_create(
                    component=component, vulnerability_id=statement.vulnerability_id,
                    product=product.purl[:500],
                    defaults={"aliases": list(statement.aliases), "status": statement.status,
                              "package_name": product.name[:300],
                              "package_version": product.version[:200],
                              "justification": statement.justification, "run": run},
                )  # fmt: skip
        kept = _kept_statements(component)
        findings = list(Finding.objects.select_for_update().filter(component=component))
        changed = [f for f in findings if _honour(f, kept, component, now)]
        Finding.objects.bulk_update(changed, ["status", "justification", "fixed_at"])
        closed = sum(1 for f in changed if f.status != FindingStatus.OPEN)
        run.fixed = closed
        run.save(update_fields=["fixed"])
        audit_record(
            actor=actor, action="security.vex_imported", obj=run,
            organisation_id=component.provider_id,
            after={"component": component.name, "author": vex.author, "checksum": checksum,
                   "statements": len(vex.statements), "changed": len(changed),
                   "closed": closed},
        )  # fmt: skip
    return ImportOutcome(run, False, len(vex.statements), 0, len(changed), closed)


# --- threat feeds (ADR 0956) -------------------------------------------------------------------


def _may_import_feeds(actor: Actor) -> None:
    if not security_abilities(actor=actor)["import"]:
        raise PermissionDenied(_("Only a provider's security operations centre imports feeds."))


def import_kev(*, actor: Actor, data: bytes) -> int:
    """Replace the KEV catalogue with this file (read whole first); the number of entries."""
    _may_import_feeds(actor)
    rows = read_kev(data)
    with transaction.atomic():
        KnownExploited.objects.all().delete()
        KnownExploited.objects.bulk_create(
            [KnownExploited(cve_id=r.cve_id, name=r.name, date_added=r.date_added,
                            due_date=r.due_date, ransomware=r.ransomware) for r in rows],
            batch_size=2000,
        )  # fmt: skip
        audit_record(
            actor=actor, action="security.kev_imported", object_type="security.knownexploited",
            after={"entries": len(rows), "checksum": hashlib.sha256(data).hexdigest()},
        )  # fmt: skip
    return len(rows)


def import_epss(*, actor: Actor, data: bytes) -> int:
    """Replace the EPSS scores with this file (gzip or CSV, read whole first); the count."""
    _may_import_feeds(actor)
    score_date, scores = read_epss(data)
    with transaction.atomic():
        EpssScore.objects.all().delete()
        EpssScore.objects.bulk_create(
            [EpssScore(cve_id=s.cve_id, epss=s.epss, percentile=s.percentile,
                       score_date=score_date) for s in scores],
            batch_size=5000,
        )  # fmt: skip
        audit_record(
            actor=actor, action="security.epss_imported", object_type="security.epssscore",
            after={"scores": len(scores), "score_date": str(score_date or ""),
                   "checksum": hashlib.sha256(data).hexdigest()},
        )  # fmt: skip
    return len(scores)
