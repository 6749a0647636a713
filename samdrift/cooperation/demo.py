"""DSAM demo data (ADR 0960): the 2021 DSAM requirement areas (video, document storage with
concurrent editing, webinar and streaming, persistent chat rooms, kanban, whiteboard, and the
secure login every function needs), one published evaluation with SAFOS among the solutions.

SAFOS's evidence is what samdrift's own modules do today, and what was measured on the
provider's 2-core test machine: workspaces and documents with versions, classification, share
links and WebDAV (samdrift.collaboration); live notes and whiteboards edited by several at once
(samdrift.coediting); video meetings and webinars on Janus (samdrift.meetings); persistent chat
rooms per workspace on Synapse (samdrift.chat); e-ID and EFOS logins (samdrift.identity). Where
a requirement asks for more than was shown (50 people in a meeting, 500 viewers, searchable
history) the verdict is "partly"; task boards (kanban) are built in samdrift.calendars. So SAFOS
is still out at the first screening, on VID-1, WEB-1 and CHT-1. The two other solutions are
illustrative composites, not named products: their verdicts show how the screening and the
scores work, not a finding about any vendor. Everything goes through the real services
(validated, audited). Idempotent: does nothing when the catalogue exists.
"""

from __future__ import annotations

import datetime
from typing import Any

from samdrift.core.actor import SYSTEM
from samdrift.organisations.selectors import agencies_with_org_number, provider_agencies

from . import services
from .models import Catalogue, SteeringDecision
from .parsing import Parsed, Row

FK = "202100-5521"
CODE = "DSAM-2021"

# id, area, text, grade, how it is tested, weight
REQUIREMENTS = [
    ("VID-1", "Videomöten", "Videomöten med minst 50 deltagare, ljud och delad skärm.", "skall", "Provmöte med 50 deltagare", 0),
    ("VID-2", "Videomöten", "Deltagare utan konto kan anslutas via länk och väntrum.", "bör", "Provmöte med extern gäst", 3),
    ("VID-3", "Videomöten", "Textning i realtid på svenska.", "önskvärd", "Demonstration", 2),
    ("DOK-1", "Dokumentlagring", "Dokument lagras med versioner och informationsklassning.", "skall", "Granskning och test", 0),
    ("DOK-2", "Dokumentlagring", "Flera personer redigerar samma dokument samtidigt.", "skall", "Två användare redigerar samtidigt", 0),
    ("DOK-3", "Dokumentlagring", "Dokument kan delas med andra myndigheter via länk med giltighetstid.", "bör", "Test", 4),
    ("DOK-4", "Dokumentlagring", "Tillgänglighetskontroll av PDF-filer vid uppladdning.", "önskvärd", "Test med otaggad PDF", 2),
    ("WEB-1", "Webbinarier och strömning", "Sändning till minst 500 tittare med frågefunktion.", "skall", "Provsändning", 0),
    ("WEB-2", "Webbinarier och strömning", "Inspelning som kan publiceras med textning.", "bör", "Demonstration", 2),
    ("CHT-1", "Beständiga chattrum", "Beständiga chattrum per arbetsyta, med sökbar historik.", "skall", "Test", 0),
    ("CHT-2", "Beständiga chattrum", "Chattrum kan delas mellan myndigheter.", "bör", "Test med två myndigheter", 3),
    ("KAN-1", "Kanban", "Gemensam att-göra-lista som kanbantavla med kolumner och ansvariga.", "skall", "Demonstration", 0),
    ("KAN-2", "Kanban", "Kort kan länkas till dokument i arbetsytan.", "önskvärd", "Demonstration", 1),
    ("WBD-1", "Whiteboard", "Digital whiteboard där flera ritar samtidigt.", "skall", "Provmöte", 0),
    ("WBD-2", "Whiteboard", "Whiteboarden kan sparas som dokument.", "önskvärd", "Test", 1),
    ("SÄK-1", "Säker åtkomst", "Inloggning med godkänd e-legitimation, även EFOS, utan separata konton.", "skall", "Inloggning med EFOS-kort", 0),
    ("SÄK-2", "Säker åtkomst", "Data behandlas inom EU/EES av svensk myndighet eller underbiträde inom EU.", "skall", "Avtalsgranskning", 0),
    ("SÄK-3", "Säker åtkomst", "Alla ändringar loggas i en manipuleringsskyddad logg.", "bör", "Granskning", 4),
]  # fmt: skip

SAFOS = "SAFOS (Försäkringskassan)"
SOLUTIONS = {
    SAFOS: "Försäkringskassans samarbetsplattform, så som samdrift bygger den i dag.",
    "Lösning A (öppen källkod, myndighetsdriven)": "Illustrativ sammansatt lösning av öppen källkod i egen drift.",
    "Lösning B (molntjänst)": "Illustrativ molntjänst från leverantör med databehandling utanför EU/EES.",
}  # fmt: skip

# SAFOS: what samdrift's modules do today (see the module docstring).
SAFOS_EVIDENCE = {
    "VID-1": ("partly", "samdrift.meetings: videomöten på Janus med ljud, kamera och delad skärm; uppmätt till 16 mottagare som fick minst 99 % (make bench-meetings); 50 deltagare är inte visat."),
    "VID-2": ("partly", "Väntrum där värden släpper in eller nekar (ADR 0673); alla deltagare loggar in med e-legitimation, gäster utan konto kan inte anslutas."),
    "VID-3": ("not_met", "Ingen taligenkänning: textningen säger vem som talar, inte vad som sägs."),
    "DOK-1": ("met", "samdrift.collaboration: versioner, klassning per dokument och arbetsyta (ADR 0600-serien)."),
    "DOK-2": ("met", "samdrift.coediting: levande anteckningar redigeras av flera samtidigt och sparas för varje ändring (ADR 0680, 0681); uppladdade filer checkas fortfarande ut av en person i taget."),
    "DOK-3": ("met", "Delningslänkar med giltighetstid och spärr per klass (ADR 0609)."),
    "DOK-4": ("met", "Uppladdade PDF:er kontrolleras av samdrifts tillgänglighetskontroll (ADR 0608)."),
    "WEB-1": ("partly", "Webbinarier sänds över HLS (ADR 0970); en serverprocess höll 50 tittare i takt men inte 100 (make bench-broadcast); ingen frågefunktion för tittarna."),
    "WEB-2": ("not_met", "Ingen inspelning."),
    "CHT-1": ("partly", "samdrift.chat: ett beständigt rum per arbetsyta på Synapse, historik sparad och arkiverad per klass (ADR 0655); ingen sökning på samdrifts sida."),
    "CHT-2": ("met", "Rummet delas av arbetsytans myndigheter; två myndigheter skriver och läser i samma rum, provat mot en riktig Synapse."),
    "KAN-1": ("met", "samdrift.calendars: arbetsytans uppgifter på en tavla med statusarna som kolumner och ansvariga från alla myndigheter, flyttas med tangentbord eller dra och släpp; också i kalenderprogram via CalDAV (ADR 0640)."),
    "KAN-2": ("met", "Uppgifter länkas till arbetsytans dokument (ATTACH med filnamn, RFC 8607)."),
    "WBD-1": ("met", "samdrift.coediting: whiteboard där flera ritar samtidigt, även med tangentbord (ADR 0681)."),
    "WBD-2": ("met", "Whiteboarden sparas som versioner och exporteras som SVG och PNG."),
    "SÄK-1": ("met", "samdrift.identity: e-legitimation och EFOS via OpenID Connect, tillitsnivå 3."),
    "SÄK-2": ("met", "Drivs av Försäkringskassan i egna datahallar (Program 2032)."),
    "SÄK-3": ("met", "Varje ändring går via granskningsloggen med hashkedja (samdrift.audit)."),
}  # fmt: skip
NOT_BUILT = "Inte byggt i samdrift ännu."

# The illustrative solutions: A meets every skall, B fails on where data is processed.
OTHERS = {
    "Lösning A (öppen källkod, myndighetsdriven)": {"VID-3": "not_met", "WEB-2": "partly", "CHT-2": "partly", "KAN-2": "not_met"},
    "Lösning B (molntjänst)": {"SÄK-2": "not_met", "SÄK-3": "partly"},
}  # fmt: skip


SAID = {"met": "uppfyllt", "partly": "delvis uppfyllt", "not_met": "ej uppfyllt"}


def _parsed() -> Parsed:
    rows = [
        Row(ref, area, text, grade, test, weight)
        for ref, area, text, grade, test, weight in REQUIREMENTS
    ]
    return Parsed(CODE, "DSAM kravspecifikation 2021 (demo)", rows)


# Illustrative steering group decisions (ADR 0972): not the groups' real minutes.
DECISIONS = [
    ("sitssam", "SITSSAM-2025-03", datetime.date(2025, 3, 12),
     "Gemensam incidentsamordning mellan leverantörerna",
     "Styrgruppen beslutar att leverantörsmyndigheterna samordnar incidenter som berör fler än "
     "en leverantörs tjänster genom tjänsten Incidentsamordning (SITSSAM).\n\nBeslutet gäller "
     "från den 1 april 2025 och följs upp vid styrgruppens höstmöte."),
    ("program_2032", "P2032-2025-01", datetime.date(2025, 5, 20),
     "Placering av tjänster med beredskapskunder",
     "Tjänster med beredskapsmyndigheter som kunder placeras i minst två säkra datacenter i "
     "olika civilområden senast den 31 december 2026."),
]  # fmt: skip


def _load_decisions(owner: int) -> int:
    if SteeringDecision.objects.exists():
        return 0
    everyone = list(provider_agencies().values_list("id", flat=True))
    for body, reference, decided_on, title, text in DECISIONS:
        services.decision_record(
            actor=SYSTEM, recorded_for=owner, body=body, reference=reference,
            decided_on=decided_on, title=title, text=text,
            provider_ids=everyone if body == "sitssam" else [],
        )  # fmt: skip
    return len(DECISIONS)


def load(*, stdout: Any) -> None:
    owner_id = agencies_with_org_number([FK]).values_list("id", flat=True).first()
    if owner_id is not None:
        made = _load_decisions(owner_id)
        stdout.write(f"cooperation: {made} steering group decisions\n")
    if Catalogue.objects.filter(code=CODE).exists():
        stdout.write("cooperation: demo DSAM evaluation already there\n")
        return
    owner = agencies_with_org_number([FK]).values_list("id", flat=True).first()
    if owner is None:
        stdout.write("cooperation: no Försäkringskassan in the register, no DSAM demo\n")
        return
    services.import_catalogue(actor=SYSTEM, owner_id=owner, parsed=_parsed())
    evaluation = services.create_evaluation(
        actor=SYSTEM, catalogue_code=CODE, code="DSAM-2021-1",
        title="Samarbetslösningar för statsförvaltningen 2021",
    )  # fmt: skip
    for name, description in SOLUTIONS.items():
        solution = services.add_solution(
            actor=SYSTEM, evaluation_code=evaluation.code, name=name, description=description
        )
        for ref, *_rest in REQUIREMENTS:
            if name == SAFOS:
                verdict, evidence = SAFOS_EVIDENCE.get(ref, ("not_met", NOT_BUILT))
            else:
                verdict = OTHERS[name].get(ref, "met")
                evidence = f"Demonstrerat vid utvärderingen: {SAID[verdict]}."
            services.assess(
                actor=SYSTEM, evaluation_code=evaluation.code, solution_id=solution.pk,
                requirement_ref=ref, verdict=verdict, evidence=evidence,
            )  # fmt: skip
    services.publish(actor=SYSTEM, evaluation_code=evaluation.code)
    stdout.write(
        f"cooperation: DSAM catalogue {CODE} ({len(REQUIREMENTS)} requirements), "
        f"evaluation {evaluation.code} of {len(SOLUTIONS)} solutions, published\n"
    )
