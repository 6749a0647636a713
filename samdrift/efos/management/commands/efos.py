"""`samdrift efos …`: the EFOS CA from the command line.

samdrift efos ca-cert --out FILE           the issuing chain (issuing CA, root), PEM
samdrift efos issue --agency ORGNR --given-name G --surname S --out DIR
                                           a software token: cert.pem, key.pem (authentication),
                                           sign-cert.pem, sign-key.pem, chain.pem
samdrift efos revoke SERIAL --reason R     revoke (reasons: unspecified, key_compromise, …)
samdrift efos publish-crl                  sign a new CRL and expire e-IDs past their date
samdrift efos register-client --client-id ID --redirect-uri URI --jwks FILE [--name N]
"""

from __future__ import annotations

import json
import os
import re
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line
from samdrift.efos import services, tasks
from samdrift.efos.ca.authority import authority
from samdrift.efos.models import Official
from samdrift.organisations.selectors import agencies_with_org_number


class Command(BaseCommand):
    help = "EFOS certificate authority: chain, issue, revoke, CRL, OpenID clients."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ca_cert = sub.add_parser("ca-cert", help="write the issuing chain as PEM")
        ca_cert.add_argument("--out", required=True)
        issue = sub.add_parser("issue", help="issue a software token for an official")
        issue.add_argument("--agency", required=True, help="organisation number")
        issue.add_argument("--given-name", required=True)
        issue.add_argument("--surname", required=True)
        issue.add_argument("--uid", default="")
        issue.add_argument("--out", required=True)
        revoke = sub.add_parser("revoke", help="revoke a certificate by serial number (hex)")
        revoke.add_argument("serial")
        revoke.add_argument("--reason", required=True)
        publish = sub.add_parser("publish-crl", help="publish a new CRL now")
        publish.add_argument(
            "--background", action="store_true", help="queue it as a job; print the job id"
        )
        serve = sub.add_parser("ocsp-serve", help="run the lean OCSP responder (gunicorn)")
        serve.add_argument("--port", type=int, default=8080)
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--workers", type=int, default=2)
        serve.add_argument("--threads", type=int, default=4)
        client = sub.add_parser(
            "register-client", help="register an OpenID client (private_key_jwt)"
        )
        client.add_argument("--client-id", required=True)
        client.add_argument("--redirect-uri", action="append", required=True)
        client.add_argument("--jwks", required=True, help="file with the client's public JWK set")
        client.add_argument("--name", default="")
        client.add_argument(
            "--id-token-alg",
            choices=["ES256", "RS256"],
            default="ES256",
            help="id_token_signed_response_alg: how ID tokens and UserInfo are signed",
        )
        client.add_argument(
            "--subject-type",
            choices=["pairwise", "public"],
            default="pairwise",
            help="pairwise (default): another sub for the same official at every client",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as exc:
            errors = getattr(exc, "errors", {}) or {}
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
            raise CommandError(
                bilingual_line(exc.message, exc.params) + (f" ({detail})" if detail else "")
            ) from None

    def _ca_cert(self, options: dict[str, Any]) -> None:
        Path(options["out"]).write_bytes(authority().chain_pem())
        self.stdout.write(f"{options['out']}")

    def _issue(self, options: dict[str, Any]) -> None:
        digits = re.sub(r"\D", "", options["agency"])
        # Courts share Domstolsverket's number: the agency itself (no parent) wins over its units.
        candidates = [
            o
            for o in agencies_with_org_number().order_by("name")
            if re.sub(r"\D", "", o.org_number) == digits
        ]
        candidates.sort(key=lambda o: o.parent_id is not None)
        organisation = candidates[0] if candidates else None
        if organisation is None:
            raise CommandError(
                f"Ingen myndighet med organisationsnummer {options['agency']} / "
                f"No agency with organisation number {options['agency']}"
            )
        official = None
        if options["uid"]:
            official = Official.objects.filter(
                organisation=organisation, uid=options["uid"]
            ).first()
        if official is None:
            official = services.add_official(
                actor=SYSTEM,
                organisation_id=organisation.pk,
                given_name=options["given_name"],
                surname=options["surname"],
                uid=options["uid"],
            )
        credential = services.order_credential(actor=SYSTEM, official=official)
        credential = services.verify_identity(
            actor=SYSTEM, credential=credential, note="samdrift efos issue (CLI)"
        )
        result = services.issue_credential(actor=SYSTEM, credential=credential)
        services.activate_credential(actor=SYSTEM, credential=result.credential)
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        (out / "cert.pem").write_bytes(result.certificates["authentication"].public_bytes(pem))
        (out / "sign-cert.pem").write_bytes(result.certificates["signature"].public_bytes(pem))
        for name, usage in (("key.pem", "authentication"), ("sign-key.pem", "signature")):
            fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(result.software_keys[usage])
        (out / "chain.pem").write_bytes(authority().chain_pem())
        serial = format(result.certificates["authentication"].serial_number, "x")
        self.stdout.write(f"{official.org_affiliation} {serial} {out}")

    def _revoke(self, options: dict[str, Any]) -> None:
        row = services.revoke_serial(
            actor=SYSTEM, serial=options["serial"], reason=options["reason"]
        )
        self.stdout.write(f"revoked {row.serial} ({row.revocation_reason})")

    def _publish_crl(self, options: dict[str, Any]) -> None:
        if options["background"]:
            job_id = tasks.queue_publication()
            self.stdout.write(
                f"job {job_id} queued; follow it: samdrift jobs show {job_id} --follow"
            )
            return
        expired = services.expire_credentials()
        publication = services.publish_crl()
        self.stdout.write(
            f"CRL {publication.number}: {publication.entries} entries, "
            f"{publication.seconds:.2f} s; {expired} e-IDs expired"
        )

    def _ocsp_serve(self, options: dict[str, Any]) -> None:
        import shutil
        import sys

        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"EFOS OCSP responder at http://{bind}/")
        self.stdout.flush()
        argv = [
            gunicorn,
            "samdrift.efos.ocsp_wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
        ]
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server

    def _register_client(self, options: dict[str, Any]) -> None:
        try:
            jwks = json.loads(Path(options["jwks"]).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"--jwks: {exc}") from None
        client = services.register_client(
            actor=SYSTEM,
            client_id=options["client_id"],
            name=options["name"],
            redirect_uris=options["redirect_uri"],
            jwks=jwks,
            id_token_signed_response_alg=options["id_token_alg"],
            subject_type=options["subject_type"],
        )
        self.stdout.write(client.client_id)
