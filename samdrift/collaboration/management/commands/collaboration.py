"""`samdrift collaboration list|members|documents|reads|classes|dispose|disposals|usage|agency-quota`: SAFOS workspaces from the shell.

Runs as the system actor (whoever runs commands on the server holds every right already); an
export of a document's reads is itself recorded as a read.
"""

from __future__ import annotations

import csv
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import selectors, services
from ...policy import POLICY


class Command(BaseCommand):
    help = "SAFOS workspaces: list them, their members and documents, a document's reads."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("list", help="Every workspace: id, class, owning agency, name.")
        members = sub.add_parser("members", help="The members of a workspace.")
        members.add_argument("workspace", type=int)
        documents = sub.add_parser("documents", help="The documents of a workspace.")
        documents.add_argument("workspace", type=int)
        reads = sub.add_parser("reads", help="Every recorded read of a document, as CSV.")
        reads.add_argument("document", type=int)
        sub.add_parser("classes", help="The classification policy table.")
        dispose = sub.add_parser(
            "dispose", help="Final deletion of documents whose retention has ended (gallring)."
        )
        dispose.add_argument("--dry-run", action="store_true", help="Only list what is due.")
        disposals = sub.add_parser("disposals", help="The record of disposed documents.")
        disposals.add_argument("workspace", type=int)
        usage = sub.add_parser("usage", help="Active users per connected agency in a month.")
        usage.add_argument("month", help="YYYY-MM")
        usage.add_argument("--report", action="store_true", help="Send it to billing (once).")
        quota = sub.add_parser("agency-quota", help="Show or set an agency's quota (bytes).")
        quota.add_argument("organisation", type=int)
        quota.add_argument("bytes", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['what'].replace('-', '_')}")(options)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from None

    def _list(self, options: dict[str, Any]) -> None:
        for w in selectors.workspace_list(actor=SYSTEM):
            self.stdout.write(f"{w.id}\t{w.classification}\t{w.owner_org.name}\t{w.name}")

    def _members(self, options: dict[str, Any]) -> None:
        access = selectors.workspace_get(actor=SYSTEM, workspace_id=options["workspace"])
        for m in selectors.member_list(workspace=access.workspace):
            guest = "guest" if m.is_guest else ""
            self.stdout.write(
                f"{m.id}\t{m.role}\t{m.user.username}\t{m.organisation.name}\t{guest}"
            )

    def _documents(self, options: dict[str, Any]) -> None:
        access = selectors.workspace_get(actor=SYSTEM, workspace_id=options["workspace"])
        for d in access.workspace.documents.order_by("folder_id", "name"):
            state = "trash" if d.trashed_at else ("locked" if d.locked_by_id else "")
            count = d.versions.count()
            self.stdout.write(f"{d.id}\t{d.classification}\tv{count}\t{d.name}\t{state}")

    def _reads(self, options: dict[str, Any]) -> None:
        access = selectors.document_get(actor=SYSTEM, document_id=options["document"])
        writer = csv.writer(self.stdout if self.stdout else sys.stdout)
        writer.writerow(["at", "who", "agency_id", "access", "version"])
        for event in selectors.read_log(access=access).iterator():
            after = event.after or {}
            writer.writerow(
                [event.at.isoformat(), event.actor_label, after.get("agency", ""),
                 after.get("access", ""), after.get("version", "")]
            )  # fmt: skip
        services.record_export(actor=SYSTEM, access=access)

    def _classes(self, options: dict[str, Any]) -> None:
        self.stdout.write("class\tmin_loa\tguests\tshare_links\tdownload\tretention_years")
        for p in POLICY.values():
            self.stdout.write(
                f"{p.classification}\t{p.min_loa}\t{p.guests_allowed}\t{p.share_links_allowed}"
                f"\t{p.download_allowed}\t{p.retention_years}"
            )

    def _dispose(self, options: dict[str, Any]) -> None:
        from ...services import retention

        if options["dry_run"]:
            for document_id in retention.due_ids(limit=10_000):
                self.stdout.write(f"due\t{document_id}")
            return
        done = retention.dispose_due(limit=10_000)
        self.stdout.write(f"disposed\t{len(done)}")

    def _disposals(self, options: dict[str, Any]) -> None:
        access = selectors.workspace_get(actor=SYSTEM, workspace_id=options["workspace"])
        for d in selectors.disposal_list(workspace=access.workspace):
            self.stdout.write(
                f"{d.disposed_at.isoformat()}\t{d.document_id}\t{d.classification}"
                f"\t{d.retention_years}y\tv{d.versions}\t{d.sha256}\t{d.folder}/{d.name}"
            )

    def _usage(self, options: dict[str, Any]) -> None:
        from ...services import usage

        month = usage.parse_month(options["month"])
        for row in usage.month_usage(month):
            self.stdout.write(
                f"{month:%Y-%m}\t{row.organisation_id}\t{row.active_users}\t{row.name}"
            )
        if options["report"]:
            report = usage.report_month(actor=SYSTEM, month=month)
            self.stdout.write(f"reported\t{report.agencies}\t{report.users}")

    def _agency_quota(self, options: dict[str, Any]) -> None:
        from ...services import usage

        org_id = options["organisation"]
        if options["bytes"] is not None:
            usage.agency_quota_set(
                actor=SYSTEM, organisation_id=org_id, quota_bytes=options["bytes"]
            )
        quota = selectors.agency_quota_bytes(org_id=org_id)
        used = selectors.agency_used_bytes(org_id=org_id)
        self.stdout.write(f"{org_id}\t{used}\t{quota}")
