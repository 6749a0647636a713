"""Every kind of PDF samdrift writes, made from real data the way a user gets it (ADR 0092).

A case names the renderer `kind` it exercises; `tests/architecture/test_one_pdf_renderer.py`
reads every `kind=` passed to `samdrift.core.pdf` in the source tree and fails when a kind has
no case here. So a new PDF cannot ship without being checked in both profiles.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pikepdf
from django.test import Client

from samdrift.accessibility import report as checker_report
from samdrift.accessibility.services import check_pdf
from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.billing import services as billing
from samdrift.billing.models import Invoice
from samdrift.billing.tests.builders import agency, make_world, price, subscribe, usage_rows
from samdrift.cooperation.services import decision_record
from samdrift.core.actor import SYSTEM
from samdrift.core.oidc.sweden import ORG_AFFILIATION
from samdrift.efos import demo as efos_demo
from samdrift.efos import services as efos
from samdrift.reporting.documents import render_pdf as report_pdf
from samdrift.reporting.selectors import government_report
from samdrift.reporting.services import report_text_save
from samdrift.tests.factories import (
    ConnectionCaseFactory,
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)


@dataclass
class Env:
    settings: Any
    tmp_path: Any


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # the `kind` the renderer is called with
    language: str
    title: str  # expected document title (substring)
    build: Callable[[Env, str], bytes]


def _billing_client(year: int = 2024, *, close: bool = False) -> tuple[Client, Invoice]:
    world = make_world(("ARBETSPLATS",), recovery_years=1)
    solo = agency(world, "Myndighet A")
    courts = [agency(world, "Domstolsverket"), agency(world, "Attunda tingsrätt")]
    for org in (solo, *courts):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "450.50", dt.date(year, 1, 1))
    rows: list[dict[str, object]] = []
    for index, org in enumerate((solo, *courts), start=1):
        rows += usage_rows(org, "ARBETSPLATS", year, 10 * index + 3, range(1, 13))
    billing.record_usage(actor=world.finance, rows=rows)
    months = range(1, 13) if close else range(1, 2)
    if close:
        billing.import_costs(
            actor=world.finance,
            rows=[
                {
                    "period": f"{year}-12",
                    "cost_pool": "d",
                    "service": "ARBETSPLATS",
                    "amount": "150000",
                    "voucher": f"V{year}",
                }
            ],
        )
    for month in months:
        billing.run_period(actor=world.finance, period=f"{year}-{month:02d}", finalise=True)
    if close:
        billing.close_year(actor=world.finance, year=year)
    client = Client()
    client.force_login(User.objects.get(username="ekonomi"))
    invoice = Invoice.objects.filter(status="finalised", kind="invoice").order_by("number").first()
    assert invoice is not None
    return client, invoice


def _download(client: Client, url: str, language: str) -> bytes:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]


def invoice(env: Env, language: str) -> bytes:
    client, first = _billing_client()
    return _download(client, f"/billing/invoices/{first.pk}/pdf/", language)


def credit_note(env: Env, language: str) -> bytes:
    client, first = _billing_client()
    finance = actor_for_user(User.objects.get(username="ekonomi"))
    note = billing.credit_invoice(actor=finance, invoice_id=first.pk, reason="Fel antal användare")
    return _download(client, f"/billing/invoices/{note.pk}/pdf/", language)


def outcome_report(env: Env, language: str) -> bytes:
    client, _first = _billing_client(close=True)
    return _download(client, "/billing/report/export/?format=pdf", language)


def government_report_pdf(env: Env, language: str) -> bytes:
    provider = OrganisationFactory(name="Försäkringskassan", kind="provider")
    admin = UserFactory(username="padmin-pdf")
    MembershipFactory(user=admin, organisation=provider, role="provider_admin")
    efos_service = ServiceFactory(code="EFOS", name_sv="EFOS", name_en="EFOS")
    workplace = ServiceFactory(code="ITARB", name_sv="IT-arbetsplats", name_en="IT workplace")
    umbrella = OrganisationFactory(name="Domstolsverket")
    for n in range(3):
        court = OrganisationFactory(name=f"Tingsrätt {n}", parent=umbrella)
        SubscriptionFactory(organisation=court, service=workplace, agreement_basis="assignment")
    customer = OrganisationFactory(name="Myndighet A")
    SubscriptionFactory(organisation=umbrella, service=efos_service, agreement_basis="assignment")
    SubscriptionFactory(organisation=customer, service=efos_service, agreement_basis="separate")
    ConnectionCaseFactory(organisation=customer, scope="single", phase="initiate")
    ConnectionCaseFactory(
        organisation=umbrella,
        scope="single",
        phase="run",
        state="completed",
        closed_on=dt.date(2021, 5, 1),
    )
    # Tables 16 and 17 (SITSSAM, ADR 0973): the services above and one steering group decision.
    decision_record(
        actor=SYSTEM, recorded_for=provider.id, body="sitssam", reference="SITSSAM-2021-1",
        decided_on=dt.date(2021, 6, 1), title="Gemensam incidentsamordning", text="Beslut.",
    )  # fmt: skip
    actor = actor_for_user(admin)
    report_text_save(
        actor=actor,
        year=2021,
        texts={"summary_sv": "Sammanfattning.", "summary_en": "Summary."},
    )
    return report_pdf(government_report(actor=actor, year=2021, language=language))


def checker_report_pdf(env: Env, language: str) -> bytes:
    """The checker's own report on two files: a tagged one and an untagged one (failures)."""
    bare = pikepdf.new()
    bare.add_blank_page()
    out = io.BytesIO()
    bare.save(out)
    results = [
        check_pdf(efos_demo.agreement_pdf(), profile="acrobat", label="avtal.pdf"),
        check_pdf(out.getvalue(), profile="pdfua1", label="otaggad.pdf"),
    ]
    assert results[1].failed, "the report should list failures too"
    return checker_report.render_pdf(results, language)


def _efos(env: Env) -> None:
    env.settings.EFOS_CA_DIR = env.tmp_path / "efos-ca"
    env.settings.EFOS_CA_PASSPHRASE = "test-passphrase"
    env.settings.EFOS_BASE_URL = "http://testserver"
    env.settings.EFOS_CRL_INTERVAL = 3600


def agreement(env: Env, language: str) -> bytes:
    return efos_demo.agreement_pdf()


def signed_agreement(env: Env, language: str) -> bytes:
    """The agreement signed PAdES B-LTA by an official (signature, revocation data, timestamp)."""
    _efos(env)
    organisation = OrganisationFactory(name="Skatteverket")
    user = UserFactory(username="sskatt-pdf")
    official = efos.add_official(
        actor=SYSTEM,
        organisation_id=organisation.pk,
        given_name="Stina",
        surname="Skatt",
        user_id=user.pk,
    )
    document = efos.create_document(
        actor=SYSTEM,
        organisation_id=organisation.pk,
        title=efos_demo.AGREEMENT_TITLE,
        sign_message=efos_demo.AGREEMENT_MESSAGE,
        pdf=efos_demo.agreement_pdf(),
    )
    now = dt.datetime.now(dt.UTC)
    signature = efos.sign_document(
        actor=actor_for_user(user),
        document=document,
        official=official,
        id_claims={
            ORG_AFFILIATION: official.org_affiliation,
            "auth_time": int(now.timestamp()),
            "acr": "http://id.elegnamnden.se/loa/1.0/loa3",
            "jti": "pdf-test",
        },
        sign_message=document.sign_message,
        started_at=now,
    )
    return bytes(signature.signed_pdf)


def dsam_report(env: Env, language: str) -> bytes:
    """A DSAM evaluation of three solutions over two areas (one out at the first screening),
    downloaded from its page (ADR 0964)."""
    from samdrift.cooperation import services as cooperation
    from samdrift.cooperation.parsing import parse_catalogue

    provider = OrganisationFactory(name="Försäkringskassan", kind="provider")
    user = UserFactory(username="dsam-pdf")
    MembershipFactory(user=user, organisation=provider, role="provider_admin")
    admin = actor_for_user(user)
    csv = (
        "id;area;text;grade;test_method;weight\n"
        "V1;Video;Videomöten med minst 50 deltagare;skall;Provmöte;\n"
        "V2;Video;Bakgrundsoskärpa;önskvärd;Demonstration;2\n"
        "D1;Dokument;Samtidig redigering av ett dokument;skall;Test;\n"
        "D2;Dokument;Versionshistorik;bör;Granskning;5\n"
    )
    parsed = parse_catalogue(csv.encode(), "csv")
    cooperation.import_catalogue(actor=admin, owner_id=provider.pk, parsed=parsed, code="K")
    cooperation.create_evaluation(actor=admin, catalogue_code="K", code="E1", title="DSAM 2021")
    marks = {"Alfa": "met", "Beta": "partly", "SAFOS": "not_met"}
    for name, verdict in marks.items():
        solution = cooperation.add_solution(actor=admin, evaluation_code="E1", name=name)
        for ref in ("V1", "V2", "D1", "D2"):
            cooperation.assess(
                actor=admin, evaluation_code="E1", solution_id=solution.pk, requirement_ref=ref,
                verdict="met" if ref.startswith("D") else verdict, evidence=f"Prov av {name} {ref}",
            )  # fmt: skip
    client = Client()
    client.force_login(user)
    return _download(client, "/cooperation/evaluations/E1/report.pdf", language)


def legal_report(env: Env, language: str) -> bytes:
    """CERT-SE's first report of an incident reaching two agencies, recorded with every item of
    the law's checklist, downloaded from the incident's page (ADR 0844)."""
    from samdrift.operations import services as operations

    service = ServiceFactory(code="LEGALBASE")
    fk = service.provider
    for name in ("Myndighet A", "Myndighet B"):
        SubscriptionFactory(organisation=OrganisationFactory(name=name), service=service)
    operator = MembershipFactory(organisation=fk, role="service_manager").user
    actor = actor_for_user(operator)
    incident = operations.incident_open(
        actor=actor,
        service_code="LEGALBASE",
        title="Inloggningen fungerar inte",
        impact=1,
        urgency=1,
    )
    operations.incident_classify(actor=actor, incident_id=incident.pk, regimes=["cert-se"])
    operations.legal_report_record(
        actor=actor,
        incident_id=incident.pk,
        key="cert-se/first",
        content={
            "what": "Inloggningen nekades alla användare.\nOrsaken utreds.",
            "detected": "Övervakningen larmade 07:40.",
            "handlers": "Driftcentralen.",
            "crime": "Nej.",
            "support": "Inget behov.",
        },
        reference="CERT-SE 2026-1",
    )
    client = Client()
    client.force_login(operator)
    return _download(
        client, f"/operations/incidents/{incident.pk}/legal/cert-se/first/report.pdf", language
    )


REPORT_TITLE = {
    "sv": "Samordnad och säker statlig it-drift",
    "en": "Coordinated and secure state IT operations",
}


def live_note(env: Env, language: str) -> bytes:
    """A live note with a heading, a list, a table, a link and an image of the workspace,
    exported as users download it."""
    import io

    from PIL import Image
    from pycrdt import Doc, XmlElement, XmlFragment, XmlText

    from samdrift.coediting import services as coediting
    from samdrift.collaboration import services as collaboration
    from samdrift.collaboration.models import Member, Workspace
    from samdrift.core.tenancy import LOGIN_SESSION_KEY

    user = UserFactory(username=f"anteckning-{language}")
    org = OrganisationFactory()
    MembershipFactory(user=user, organisation=org, role="member")
    actor = actor_for_user(user, loa_rank=3)
    space = Workspace.objects.create(name="Samverkan", owner_org=org, quota_bytes=10**9)
    Member.objects.create(workspace=space, user=user, organisation=org, role="owner")
    note = coediting.doc_create(actor=actor, workspace_id=space.id, kind="note", title="Protokoll")
    doc = Doc()
    doc["default"] = fragment = XmlFragment()
    fragment.children.append(XmlElement("heading", {"level": "2"}, [XmlText("Beslut")]))
    fragment.children.append(XmlElement("paragraph", None, [XmlText("Vi börjar i maj.")]))
    item = XmlElement("listItem", None, [XmlElement("paragraph", None, [XmlText("Budget")])])
    fragment.children.append(XmlElement("bulletList", None, [item]))
    header = XmlElement("tableHeader", None, [XmlElement("paragraph", None, [XmlText("Vem")])])
    cell = XmlElement("tableCell", None, [XmlElement("paragraph", None, [XmlText("Anna")])])
    table = XmlElement("table", None, [XmlElement("tableRow", None, [header]),
                                       XmlElement("tableRow", None, [cell])])  # fmt: skip
    fragment.children.append(table)
    png = io.BytesIO()
    Image.new("RGB", (240, 120), (30, 90, 160)).save(png, "PNG")
    png.seek(0)
    picture = collaboration.upload(
        actor=actor, workspace_id=space.id, stream=png, name="Karta.png", content_type="image/png"
    )
    collaboration.render_preview.call(picture.id)
    alt = "Karta över kontoren" if language == "sv" else "Map of the offices"
    image = XmlElement("image", {"document": str(picture.document_id), "alt": alt})
    fragment.children.append(image)
    coediting.update_accept(actor=actor, doc_id=note.pk, generation=1, update=doc.get_update())
    client = Client()
    client.force_login(user)
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": 3}
    session.save()
    return _download(client, f"/live/{note.pk}/export.pdf", language)


def chat_archive(env: Env, language: str) -> bytes:
    """A room's history for the archive: the export document in the shape Synapse's
    /messages gives it (the engine test makes the same PDF from a real Synapse), with a message,
    a reply, an edit, a removed message, an attachment and membership changes."""
    from samdrift.chat import archive
    from samdrift.chat.selectors import matrix_user_id

    anna = UserFactory(username=f"arkiv-{language}", first_name="Anna", last_name="Berg")
    anna_id, other = matrix_user_id(anna.pk), "@someone:annan-myndighet.example"
    start = 1_796_000_000_000

    def event(n: int, sender: str, kind: str, content: dict[str, Any], **extra: Any):
        return {"event_id": f"$e{n}", "origin_server_ts": start + n * 60_000, "sender": sender,
                "type": kind, "content": content, **extra}  # fmt: skip

    events = [
        event(1, anna_id, "m.room.member", {"membership": "join"}, state_key=anna_id),
        event(2, anna_id, "m.room.message", {"msgtype": "m.text", "body": "Utkast till beslut"}),
        event(
            3,
            other,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": "Låter bra",
                "m.relates_to": {"m.in_reply_to": {"event_id": "$e2"}},
            },
        ),
        event(
            4,
            anna_id,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": "* Beslut",
                "m.new_content": {"msgtype": "m.text", "body": "Beslut"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$e2"},
            },
        ),
        event(
            5,
            other,
            "m.room.message",
            {},
            unsigned={
                "redacted_because": {
                    "sender": anna_id,
                    "type": "m.room.redaction",
                    "content": {"reason": "fel rum"},
                }
            },
        ),
        event(
            6,
            anna_id,
            "m.room.message",
            {"msgtype": "m.file", "body": "Bilaga.pdf", "url": "mxc://samdrift.local/abc"},
        ),
        event(7, anna_id, "m.room.member", {"membership": "leave"}, state_key=other),
    ]
    document = {
        "format": "samdrift.chat.export/1",
        "exported_at": "2026-12-06T10:00:00+00:00",
        "server_name": "samdrift.local",
        "workspace": {"id": 7, "name": "Samverkan", "classification": 1},
        "room": {"room_id": "!rum:samdrift.local", "alias": "#samdrift_ws7:samdrift.local"},
        "events": events,
    }
    return archive.archive_pdf(document, "0" * 64, {anna_id: "Anna Berg"}, language)


CASES = [
    Case("invoice-sv", "billing.invoice", "sv", "Faktura", invoice),
    Case("invoice-en", "billing.invoice", "en", "Invoice", invoice),
    Case("credit-note-sv", "billing.credit-note", "sv", "Kreditnota", credit_note),
    Case("credit-note-en", "billing.credit-note", "en", "Credit note", credit_note),
    Case("outcome-report-sv", "billing.outcome-report", "sv", "Utfall", outcome_report),
    Case("outcome-report-en", "billing.outcome-report", "en", "Outcome", outcome_report),
    *(
        Case(
            f"government-report-{lang}",
            "reporting.government-report",
            lang,
            REPORT_TITLE[lang],
            government_report_pdf,
        )
        for lang in ("sv", "en")
    ),
    Case(
        "checker-report-sv",
        "accessibility.checker-report",
        "sv",
        "Tillgänglighetsrapport",
        checker_report_pdf,
    ),
    Case(
        "checker-report-en",
        "accessibility.checker-report",
        "en",
        "Accessibility report",
        checker_report_pdf,
    ),
    Case("agreement", "efos.agreement", "sv", efos_demo.AGREEMENT_TITLE, agreement),
    Case("signed-agreement", "efos.agreement", "sv", efos_demo.AGREEMENT_TITLE, signed_agreement),
    Case(
        "dsam-report-sv", "cooperation.evaluation-report", "sv", "DSAM-utvärdering E1", dsam_report
    ),
    Case(
        "dsam-report-en", "cooperation.evaluation-report", "en", "DSAM evaluation E1", dsam_report
    ),
    Case("legal-report-sv", "operations.legal-report", "sv", "Första rapport", legal_report),
    Case("legal-report-en", "operations.legal-report", "en", "First report", legal_report),
    Case("live-note-sv", "coediting.note", "sv", "Protokoll", live_note),
    Case("live-note-en", "coediting.note", "en", "Protokoll", live_note),
    Case("chat-archive-sv", "chat.archive", "sv", "Chatthistorik: Samverkan", chat_archive),
    Case("chat-archive-en", "chat.archive", "en", "Chat history: Samverkan", chat_archive),
]
