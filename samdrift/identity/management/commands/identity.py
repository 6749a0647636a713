"""`samdrift identity …`: e-ID login as a relying party, from the command line.

samdrift identity dev-idp [--port 8500] [--allow-faults]
        the development OpenID provider (a development tool: anyone logs in as anyone)
samdrift identity add-provider --slug S --name N --issuer URL --client-id ID
        [--agency ORGNR] [--allow-uncertified]
        trust an OpenID provider (a federation, or an agency's own with --agency)
samdrift identity jwks [--out FILE]
        samdrift's public key set, to register as the client's JWKS at a provider
samdrift identity purge
        forget expired login transactions and used-token records
"""

from __future__ import annotations

import json
from argparse import ArgumentParser, Namespace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError
from samdrift.identity import devidp, oidc
from samdrift.identity.demo import demo_officials
from samdrift.identity.selectors import agency_for_org_number
from samdrift.identity.services import provider_create, purge_expired


class Command(BaseCommand):
    help = "e-ID login: the development identity provider, trusted providers, keys."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dev = sub.add_parser("dev-idp", help="run the development OpenID provider on loopback")
        devidp.add_arguments(dev)
        add = sub.add_parser("add-provider", help="trust an OpenID provider")
        add.add_argument("--slug", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--issuer", required=True)
        add.add_argument("--client-id", required=True)
        add.add_argument("--agency", default="", help="organisation number: only its officials")
        add.add_argument("--allow-uncertified", action="store_true")
        add.add_argument("--development", action="store_true")
        jwks = sub.add_parser("jwks", help="print or write samdrift's public JWKS")
        jwks.add_argument("--out", default="")
        sub.add_parser("purge", help="forget expired login state")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "dev-idp":
            self._dev_idp(Namespace(**options))
        elif action == "add-provider":
            self._add_provider(options)
        elif action == "jwks":
            text = json.dumps(oidc.rp_jwks(), indent=2)
            if options["out"]:
                Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
        elif action == "purge":
            self.stdout.write(f"Removed {purge_expired()} expired records.")

    def _dev_idp(self, options: Namespace) -> None:
        if options.client_jwks is None:
            # Our own key as a file: no need for the web server to be up first.
            path = Path(settings.DATA_DIR) / "identity" / "rp-jwks.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(oidc.rp_jwks()), encoding="utf-8")
            options.client_jwks = str(path)
        officials = None
        if options.officials is None:
            officials = devidp.load_officials_rows(demo_officials())
        try:
            devidp.serve(options, officials)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc

    def _add_provider(self, options: dict[str, Any]) -> None:
        agency = None
        if options["agency"]:
            agency = agency_for_org_number(options["agency"])
            if agency is None:
                raise CommandError(f"No agency with organisation number {options['agency']}.")
        try:
            provider = provider_create(
                actor=SYSTEM,
                slug=options["slug"],
                name=options["name"],
                issuer=options["issuer"],
                client_id=options["client_id"],
                organisation=agency,
                allow_uncertified=options["allow_uncertified"],
                is_development=options["development"],
            )
        except DomainError as exc:
            errors = getattr(exc, "errors", {})
            raise CommandError(f"{exc} {errors}".strip()) from exc
        self.stdout.write(f"Trusted {provider.name} ({provider.issuer}).")
