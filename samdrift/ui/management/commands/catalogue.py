"""`samdrift catalogue list|show|create|update|transition|depend|undepend|category|graph`.

    samdrift catalogue list [--format table|json]
    samdrift catalogue show CODE                      service level, version, dependencies
    samdrift catalogue create CODE --name-sv … --name-en … --category infrastructure \\
        [--provider ID] [--availability 99.5] [--support-hours office|extended|24x7] \\
        [--rto 24] [--rpo 24] [--loa 1-4]
    samdrift catalogue update CODE --at-version N [any field of create]
    samdrift catalogue transition CODE --to active|retiring|retired --at-version N \\
        [--retirement-date YYYY-MM-DD]
    samdrift catalogue depend CODE --on OTHER [--reason-sv …] [--reason-en …]
    samdrift catalogue undepend CODE --on OTHER
    samdrift catalogue category CODE --name-sv … --name-en …
    samdrift catalogue graph                          every dependency, one per line

The same services as the pages and the API (`catalogue.services`, ADR 0220), so the same rules
and audit records. Runs as the system actor unless `--as USERNAME` names a service manager. In
`ui` because it also sets identity's level of assurance (ADR 0047). Errors are printed in
Swedish and English and the exit status is 1; nothing is written.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.catalogue import services
from samdrift.catalogue.selectors import (
    default_provider_id,
    dependency_edges,
    managed_providers,
    service_for_change,
    service_get,
    service_list,
)
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.i18n import bilingual_line
from samdrift.identity import services as identity_services
from samdrift.identity.selectors import required_rank_for_service

FIELDS = {
    "name_sv": "name-sv",
    "name_en": "name-en",
    "description_sv": "description-sv",
    "description_en": "description-en",
    "category": "category",
    "availability_target": "availability",
    "support_hours": "support-hours",
    "rto_hours": "rto",
    "rpo_hours": "rpo",
    "display_order": "order",
}


class Command(BaseCommand):
    help = "Keep the service catalogue: services, service levels, lifecycle, dependencies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "list",
                "show",
                "create",
                "update",
                "transition",
                "depend",
                "undepend",
                "category",
                "graph",
            ],
        )
        parser.add_argument("code", nargs="?", help="the service's (or category's) code")
        for dest, flag in FIELDS.items():
            parser.add_argument(f"--{flag}", dest=dest)
        parser.add_argument("--total-commitment", choices=["yes", "no"], dest="total")
        parser.add_argument("--provider", type=int, help="provider agency id (create)")
        parser.add_argument("--loa", help="level of assurance 1–4, or 'none'")
        parser.add_argument("--at-version", type=int, dest="expected_version")
        parser.add_argument("--to", choices=["active", "retiring", "retired"])
        parser.add_argument("--retirement-date", dest="retirement_date")
        parser.add_argument("--on", dest="depends_on")
        parser.add_argument("--reason-sv", default="", dest="reason_sv")
        parser.add_argument("--reason-en", default="", dest="reason_en")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        add_as_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        action = options["action"]
        if action not in {"list", "graph"} and not options.get("code"):
            raise CommandError("ange en kod / give a code")
        try:
            getattr(self, "_" + action)(actor, options)
        except DomainError as error:
            detail = ""
            if isinstance(error, ValidationFailed) and error.errors:
                detail = "\n" + "\n".join(
                    f"  {key}: {'; '.join(map(str, values))}"
                    for key, values in error.errors.items()
                )
            raise CommandError(
                bilingual_line(error.message, error.params or None) + detail
            ) from None

    # --- reads ----------------------------------------------------------------------------------

    def _list(self, actor: Actor, options: dict[str, Any]) -> None:
        rows = [
            {
                "code": s.code,
                "name_sv": s.name_sv,
                "name_en": s.name_en,
                "lifecycle": s.lifecycle,
                "provider": s.provider.name,
                "version": s.version,
            }
            for s in service_list(actor=actor)
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code']:<16} {row['lifecycle']:<9} v{row['version']:<3} "
                f"{row['name_sv']} / {row['name_en']} ({row['provider']})"
            )

    def _show(self, actor: Actor, options: dict[str, Any]) -> None:
        service = service_get(actor=actor, code=options["code"].strip().upper())
        rank = required_rank_for_service(service_id=service.id)
        lines = [
            f"{service.code}  {service.name_sv} / {service.name_en}",
            f"lifecycle={service.lifecycle} version={service.version} "
            f"retirement_date={service.retirement_date or '-'}",
            f"provider={service.provider.name} category={service.category.code}",
            f"availability={service.availability_target} support_hours={service.support_hours} "
            f"rto={service.rto_hours}h rpo={service.rpo_hours}h loa={rank or 'none'}",
        ]
        lines += [f"depends on {link.depends_on.code}" for link in service.dependency_links.all()]
        lines += [f"needed by {link.service.code}" for link in service.dependant_links.all()]
        self.stdout.write("\n".join(lines))

    def _graph(self, actor: Actor, options: dict[str, Any]) -> None:
        for edge in dependency_edges(actor=actor):
            reason = f"  ({edge.reason_sv} / {edge.reason_en})" if edge.reason_sv else ""
            self.stdout.write(f"{edge.service.code} -> {edge.depends_on.code}{reason}")

    # --- writes ---------------------------------------------------------------------------------

    def _input(self, options: dict[str, Any], current: Any = None) -> services.ServiceInput:
        values: dict[str, Any] = {}
        for name in FIELDS:
            given = options.get(name)
            if given is None and current is not None:
                given = current.category.code if name == "category" else getattr(current, name)
            if given is None:
                continue
            values[name] = given
        defaults = {"availability_target": "99.5", "support_hours": "office", "rto_hours": 24}
        for name, value in {**defaults, "rpo_hours": 24, "display_order": 100}.items():
            values.setdefault(name, value)
        missing = [FIELDS[n] for n in ("name_sv", "name_en", "category") if n not in values]
        if missing:
            raise CommandError("saknas / missing: " + ", ".join(f"--{flag}" for flag in missing))
        try:
            values["availability_target"] = Decimal(str(values["availability_target"]))
            for name in ("rto_hours", "rpo_hours", "display_order"):
                values[name] = int(values[name])
        except (InvalidOperation, ValueError):
            raise CommandError(
                "--availability är ett tal, --rto/--rpo/--order heltal / "
                "--availability is a number, --rto/--rpo/--order whole numbers"
            ) from None
        total = options.get("total")
        values["in_total_commitment"] = (
            total == "yes"
            if total is not None
            else bool(current is not None and current.in_total_commitment)
        )
        return services.ServiceInput(**values)

    def _loa(self, options: dict[str, Any]) -> tuple[bool, int | None]:
        given = options.get("loa")
        if given is None:
            return False, None
        if given == "none":
            return True, None
        if given not in {"1", "2", "3", "4"}:
            raise CommandError("--loa är 1–4 eller none / --loa is 1–4 or none")
        return True, int(given)

    def _provider(self, actor: Actor, options: dict[str, Any]) -> int:
        if options.get("provider"):
            return int(options["provider"])
        if actor.is_superuser:
            owner = default_provider_id()
            if owner is not None:
                return owner
        ids = list(managed_providers(actor=actor).values_list("id", flat=True))
        if len(ids) != 1:
            raise CommandError("ange --provider ID / give --provider ID")
        return ids[0]

    def _create(self, actor: Actor, options: dict[str, Any]) -> None:
        change_loa, rank = self._loa(options)
        with transaction.atomic():  # the service and its level together, or neither
            service = services.service_create(
                actor=actor,
                provider_id=self._provider(actor, options),
                code=options["code"],
                data=self._input(options),
            )
            if change_loa:
                identity_services.assurance_requirement_set(
                    actor=actor, code=service.code, min_rank=rank
                )
        self.stdout.write(f"{service.code} created as draft, version {service.version}")

    def _update(self, actor: Actor, options: dict[str, Any]) -> None:
        if options.get("expected_version") is None:
            raise CommandError("ange --at-version / give --at-version (see `show`)")
        change_loa, rank = self._loa(options)
        current = service_for_change(actor=actor, code=options["code"])
        with transaction.atomic():
            service = services.service_update(
                actor=actor,
                code=current.code,
                expected_version=options["expected_version"],
                data=self._input(options, current),
            )
            if change_loa:
                identity_services.assurance_requirement_set(
                    actor=actor, code=service.code, min_rank=rank
                )
        self.stdout.write(f"{service.code} updated, version {service.version}")

    def _transition(self, actor: Actor, options: dict[str, Any]) -> None:
        if options.get("expected_version") is None or not options.get("to"):
            raise CommandError("ange --to och --at-version / give --to and --at-version")
        retirement = None
        if options.get("retirement_date"):
            try:
                retirement = datetime.date.fromisoformat(options["retirement_date"])
            except ValueError:
                raise CommandError(
                    "--retirement-date ska vara ÅÅÅÅ-MM-DD / must be YYYY-MM-DD"
                ) from None
        service = services.service_transition(
            actor=actor,
            code=options["code"],
            to=options["to"],
            expected_version=options["expected_version"],
            retirement_date=retirement,
        )
        self.stdout.write(f"{service.code} is {service.lifecycle}, version {service.version}")

    def _depend(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("depends_on"):
            raise CommandError("ange --on KOD / give --on CODE")
        link = services.dependency_add(
            actor=actor,
            code=options["code"],
            depends_on_code=options["depends_on"],
            reason_sv=options["reason_sv"],
            reason_en=options["reason_en"],
        )
        self.stdout.write(f"{link.service.code} -> {link.depends_on.code}")

    def _undepend(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("depends_on"):
            raise CommandError("ange --on KOD / give --on CODE")
        services.dependency_remove(
            actor=actor, code=options["code"], depends_on_code=options["depends_on"]
        )
        self.stdout.write(f"{options['code'].upper()} -/-> {options['depends_on'].upper()}")

    def _category(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("name_sv") or not options.get("name_en"):
            raise CommandError("ange --name-sv och --name-en / give --name-sv and --name-en")
        category = services.category_save(
            actor=actor,
            code=options["code"],
            name_sv=options["name_sv"],
            name_en=options["name_en"],
        )
        self.stdout.write(f"category {category.code}: {category.name_sv} / {category.name_en}")
