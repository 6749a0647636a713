"""`samdrift sites …`: the Program 2032 redundancy check and "what if a site is lost" (ADR 0912).

samdrift sites check [--as USER]        every service that breaks its policy; exit 1 if any
samdrift sites lose SITE [--as USER]    what stops, which RTOs are missed, who is affected
samdrift sites add CODE NAME --operator ORGNR --region R --class K --capacity N [--nis]
samdrift sites place SERVICE SITE --role primary|secondary --rto HOURS
samdrift sites policy SERVICE --min-sites N --min-regions M [--min-class K]

Without --as the command reads as the system (every provider's services). Messages are in
Swedish and English.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line
from samdrift.organisations.selectors import agencies_with_org_number

from ... import placements, selectors


class Command(BaseCommand):
    help = "Check the redundancy of services over the Program 2032 sites, or lose one site."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="list every service that breaks its policy")
        lose = sub.add_parser("lose", help="what if SITE is lost")
        lose.add_argument("site")
        add = sub.add_parser("add", help="register a data-centre site")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--operator", required=True, help="the operator agency's org. number")
        add.add_argument("--region", required=True, help="nord, mitt, stockholm, ost, vast, syd")
        add.add_argument("--class", dest="security_class", default="0", help="0 to 4")
        add.add_argument("--capacity", required=True)
        add.add_argument("--nis", action="store_true", help="relevant under NIS")
        place = sub.add_parser("place", help="place a service on a site")
        place.add_argument("service")
        place.add_argument("site")
        place.add_argument("--role", required=True)
        place.add_argument("--rto", required=True, help="hours achievable from this site")
        policy = sub.add_parser("policy", help="set a service's redundancy policy")
        policy.add_argument("service")
        policy.add_argument("--min-sites", required=True)
        policy.add_argument("--min-regions", required=True)
        policy.add_argument("--min-class", default="0")
        for command in (check, lose, add, place, policy):
            add_as_option(command)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        try:
            action = options["action"]
            if action == "check":
                self._check(actor)
            elif action == "lose":
                self._lose(actor, options["site"])
            else:
                self.stdout.write(self._write(actor, action, options))
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _write(self, actor: Actor, action: str, o: dict[str, Any]) -> str:
        if action == "add":
            found = agencies_with_org_number([o["operator"]]).values_list("id", flat=True)
            if not found:
                raise CommandError(f"okänd myndighet / unknown agency: {o['operator']}")
            site = placements.site_create(
                actor=actor, code=o["code"], name=o["name"], operator_id=found[0],
                region=o["region"], security_class=o["security_class"],
                capacity=o["capacity"], nis_relevant=o["nis"],
            )  # fmt: skip
            return f"site / plats: {site.code}"
        if action == "place":
            placements.place_service(
                actor=actor, service_code=o["service"], site_code=o["site"], role=o["role"],
                rto_hours=o["rto"],
            )  # fmt: skip
            return f"placed / placerad: {o['service'].upper()} @ {o['site'].upper()}"
        placements.set_policy(
            actor=actor, service_code=o["service"], min_sites=o["min_sites"],
            min_regions=o["min_regions"], min_security_class=o["min_class"],
        )  # fmt: skip
        return f"policy / krav: {o['service'].upper()}"

    def _both(self, message: Any) -> str:
        return bilingual_line(message.message, message.params)

    def _check(self, actor: Actor) -> None:
        found = selectors.check(actor=actor)
        for v in found:
            p = v.policy
            self.stdout.write(
                f"{v.service.code}: min {p.min_sites} sites/platser, {p.min_regions} "
                f"regions/regioner, class/klass {p.min_security_class} ({p.source})"
            )
            for missing in v.missing:
                self.stdout.write(f"  - {self._both(missing)}")
        self.stdout.write(f"{len(found)} violation(s) / överträdelse(r)")
        if found:
            raise SystemExit(1)

    def _lose(self, actor: Actor, site: str) -> None:
        report = selectors.lose_site(actor=actor, site_code=site)
        loss = report.loss
        with translation.override("sv"):
            self.stdout.write(f"site / plats: {loss.site.code} {loss.site.name}")
            self.stdout.write(
                "stops / stannar: " + (", ".join(s.code for s in loss.stopped) or "-")
            )
            for miss in loss.rto_missed:
                self.stdout.write(
                    f"RTO missed / RTO missas: {miss.service.code} {miss.best_hours} h > "
                    f"{miss.target_hours} h"
                )
            for v in loss.degraded:
                texts = "; ".join(self._both(m) for m in v.missing)
                self.stdout.write(f"policy broken / krav bryts: {v.service.code}: {texts}")
            self.stdout.write(
                f"agencies affected / berörda myndigheter: {len(report.agencies)}"
                + (
                    ": " + ", ".join(name for _id, name in report.agencies)
                    if report.agencies
                    else ""
                )
            )
            self.stdout.write(
                f"preparedness agencies / beredskapsmyndigheter: {report.preparedness}"
            )
