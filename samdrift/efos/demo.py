"""EFOS demo data: the CA, demo officials with e-IDs in every state, samdrift registered at its
own OpenID provider, a published CRL, and a connection agreement signed (PAdES B-LTA) through the
real flow: re-authentication with the EFOS certificate, sign message approved, ID token checked.

Idempotent. Software tokens of the demo officials are written to <data dir>/efos-demo/<uid>/
(cert.pem, key.pem) so a developer can try the OpenID provider and OCSP by hand.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.core import pdf
from samdrift.core.actor import SYSTEM
from samdrift.organisations.models import Organisation

from . import services
from .ca.authority import authority
from .choices import CredentialStatus
from .models import Official, SignableDocument

PROVIDER = "Försäkringskassan"
#: (agency, uid, given name, surname, linked demo user, state of the e-ID)
OFFICIALS = [
    ("Skatteverket", "sskatt", "Stina", "Skatt", "bestallare.skv", "active"),
    ("Skatteverket", "eeriksson", "Erik", "Eriksson", None, "active"),
    ("Skatteverket", "ppersson", "Petra", "Persson", None, "suspended"),
    ("Skatteverket", "nnilsson", "Nils", "Nilsson", None, "ordered"),
    ("Statens haverikommission", "hhaveri", "Hugo", "Haveri", "medlem.shk", "active"),
    ("Domstolsverket", "ddomstol", "Dina", "Domstol", "kontakt.dv", "verified"),
    (PROVIDER, "aadmin", "Alva", "Administratör", "admin", "active"),
    (PROVIDER, "rrevoked", "Rune", "Återkallad", None, "revoked"),
]
AGREEMENT_TITLE = "Anslutningsavtal EFOS – Skatteverket"
AGREEMENT_MESSAGE = (
    "Jag godkänner anslutningsavtalet för EFOS mellan Försäkringskassan och Skatteverket, "
    "med de villkor som anges i dokumentet."
)


def load(*, stdout: Any) -> None:
    authority()
    from .oidc import internal

    internal.ensure_client()
    tokens = Path(settings.DATA_DIR) / "efos-demo"
    made = 0
    for agency_name, uid, given, surname, username, state in OFFICIALS:
        organisation = Organisation.objects.filter(name=agency_name).first()
        if (
            organisation is None
            or Official.objects.filter(organisation=organisation, uid=uid).exists()
        ):
            continue
        user = User.objects.filter(username=username).first() if username else None
        official = services.add_official(
            actor=SYSTEM,
            organisation_id=organisation.pk,
            given_name=given,
            surname=surname,
            uid=uid,
            email=f"{uid}@demo.samdrift.se",
            user_id=user.pk if user else None,
        )
        _bring_to(official, state, tokens / uid)
        made += 1
    services.expire_credentials()
    services.publish_crl()
    signed = _signed_agreement()
    stdout.write(
        f"EFOS: {made} demo officials, CRL published, demo agreement {'signed' if signed else 'present'}; "
        f"software tokens in {tokens}"
    )


def _bring_to(official: Official, state: str, token_dir: Path) -> None:
    credential = services.order_credential(actor=SYSTEM, official=official)
    if state == "ordered":
        return
    credential = services.verify_identity(
        actor=SYSTEM, credential=credential, note="Demo: ID-kort, besök"
    )
    if state == "verified":
        return
    result = services.issue_credential(actor=SYSTEM, credential=credential)
    token_dir.mkdir(parents=True, exist_ok=True)
    (token_dir / "cert.pem").write_bytes(
        result.certificates["authentication"].public_bytes(serialization.Encoding.PEM)
    )
    fd = os.open(token_dir / "key.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(result.software_keys["authentication"])
    credential = services.activate_credential(actor=SYSTEM, credential=result.credential)
    if state == "suspended":
        services.suspend_credential(actor=SYSTEM, credential=credential)
    elif state == "revoked":
        services.revoke_credential(
            actor=SYSTEM, credential=credential, reason="affiliation_changed"
        )


def agreement_pdf() -> bytes:
    """A tagged PDF (PDF/UA-1) of the demo agreement, through core's one renderer (ADR 0090)."""
    html = f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{AGREEMENT_TITLE}</title>
    <style>body {{ font-family: sans-serif; margin: 2cm; }} h1 {{ font-size: 18pt; }}</style></head><body>
    <h1>{AGREEMENT_TITLE}</h1>
    <p>Parter: Försäkringskassan (leverantör, 202100-5521) och Skatteverket (kund, 202100-5448).</p>
    <h2>1. Tjänst</h2><p>EFOS – e-legitimation för offentlig sektor: tjänstelegitimationer för
    Skatteverkets tjänstepersoner, spärrtjänst (OCSP och spärrlista) och inloggning.</p>
    <h2>2. Avgift</h2><p>Enligt avgiftsmodellen med full kostnadstäckning.</p>
    <h2>3. Giltighet</h2><p>Från 2026-12-01 och tills vidare, med tre månaders uppsägning.</p>
    </body></html>"""
    return pdf.render_html(html, kind="efos.agreement", language="sv", title=AGREEMENT_TITLE)


def _signed_agreement() -> bool:
    """Sign the agreement as Stina Skatt, through the same OP round trip a browser would make."""
    from .oidc import internal, provider

    organisation = Organisation.objects.filter(name="Skatteverket").first()
    official = Official.objects.filter(uid="sskatt", organisation=organisation).first()
    if organisation is None or official is None or official.user_id is None:
        return False
    document = SignableDocument.objects.filter(
        organisation=organisation, title=AGREEMENT_TITLE
    ).first()
    if document is None:
        document = services.create_document(
            actor=SYSTEM,
            organisation_id=organisation.pk,
            title=AGREEMENT_TITLE,
            sign_message=AGREEMENT_MESSAGE,
            pdf=agreement_pdf(),
        )
    if document.signatures.exists():
        return False
    credential = official.credentials.filter(status=CredentialStatus.ACTIVE).first()
    cert_row = (
        credential.certificates.filter(usage="authentication").first() if credential else None
    )
    if cert_row is None:
        return False
    from urllib.parse import parse_qs, urlparse

    from cryptography import x509

    url, pending = internal.start(document.sign_message)
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    auth_request = provider.parse_authorization_request(params)
    who = provider.authenticate_certificate(x509.load_der_x509_certificate(bytes(cert_row.der)))
    code = provider.issue_code(auth_request, who)
    claims = internal.finish(code, pending)
    import datetime as dt

    actor = _actor_for(official.user_id)
    services.sign_document(
        actor=actor,
        document=document,
        official=official,
        id_claims=claims,
        sign_message=document.sign_message,
        level="PAdES-B-LTA",
        started_at=dt.datetime.fromtimestamp(pending["started_at"], dt.UTC),
    )
    return True


def _actor_for(user_id: int) -> Any:
    return actor_for_user(User.objects.get(pk=user_id))
