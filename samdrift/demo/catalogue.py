"""The nine services of the source report's table, with service levels and dependencies.

Service levels and dependencies are illustrative: the report names the services, not their terms.
"""

from __future__ import annotations

from decimal import Decimal

CATEGORIES = {
    "workplace": ("Arbetsplats och samarbete", "Workplace and collaboration"),
    "identity": ("Identitet och säkerhet", "Identity and security"),
    "infrastructure": ("Infrastruktur och drift", "Infrastructure and operations"),
    "communication": ("Kommunikation och webb", "Communication and web"),
}

# code, seed name, English name, category, in total commitment, availability, support, RTO, RPO,
# Swedish description, English description
SERVICES = [
    (
        "ITARB",
        "IT-arbetsplats",
        "IT workplace",
        "workplace",
        True,
        "99.5",
        "extended",
        8,
        24,
        "Datorer, programvara, utskrift och support för handläggare.",
        "Computers, software, printing and support for officials.",
    ),
    (
        "SAFOS",
        "SAFOS",
        "Collaboration platform for the public sector",
        "workplace",
        True,
        "99.5",
        "extended",
        8,
        4,
        "Samarbetsplattform för offentlig sektor: dokument, kalender, uppgifter och möten mellan myndigheter.",
        "Collaboration platform for the public sector: documents, calendar, tasks and meetings across agencies.",
    ),
    (
        "EFOS",
        "EFOS",
        "E-identity for the public sector (service e-ID)",
        "identity",
        True,
        "99.9",
        "24x7",
        4,
        1,
        "E-legitimation för offentlig sektor: tjänstelegitimation för att identifiera sig och signera.",
        "E-identity for the public sector: the officials' service e-ID for logging in and signing.",
    ),
    (
        "OBJLAG",
        "Objektsbaserad lagring",
        "Object storage",
        "infrastructure",
        False,
        "99.9",
        "24x7",
        4,
        1,
        "Lagring av stora mängder data som objekt, med S3-gränssnitt.",
        "Storage of large amounts of data as objects, with an S3 interface.",
    ),
    (
        "UTSKICK",
        "Utskick",
        "Mass mailing / dispatch",
        "communication",
        False,
        "99.5",
        "office",
        24,
        24,
        "Digitala och fysiska utskick till medborgare och företag.",
        "Digital and physical mailings to citizens and businesses.",
    ),
    (
        "CAP",
        "CAP",
        "Container application platform",
        "infrastructure",
        False,
        "99.9",
        "24x7",
        4,
        1,
        "Containerplattform för myndigheternas egna applikationer.",
        "Container platform for the agencies' own applications.",
    ),
    (
        "WEBB",
        "Webbtjänst",
        "Web hosting",
        "communication",
        False,
        "99.7",
        "24x7",
        4,
        4,
        "Drift av myndighetens externa och interna webbplatser.",
        "Operation of the agency's external and internal websites.",
    ),
    (
        "WEBBANALYS",
        "Webbanalys",
        "Web analytics",
        "communication",
        False,
        "99.0",
        "office",
        48,
        24,
        "Besöksstatistik för webbplatser utan att data lämnar staten.",
        "Visitor statistics for websites without the data leaving the state.",
    ),
    (
        "APPDRIFT",
        "Applikationsdrift",
        "Application operations",
        "infrastructure",
        False,
        "99.7",
        "24x7",
        4,
        1,
        "Drift och övervakning av myndighetens applikationer.",
        "Operation and monitoring of the agency's applications.",
    ),
]

DEPENDENCIES = [
    ("SAFOS", "EFOS", "Inloggning med godkänd e-legitimation", "Login with an approved e-ID"),
    ("ITARB", "EFOS", "Inloggning för handläggare", "Login for officials"),
    (
        "APPDRIFT",
        "CAP",
        "Applikationerna körs på containerplattformen",
        "Applications run on the container platform",
    ),
    (
        "WEBBANALYS",
        "WEBB",
        "Mäter webbplatser som driftas i Webbtjänst",
        "Measures websites hosted by Web hosting",
    ),
]

CHECKLISTS = {
    "initiate": [
        ("Behov och omfattning beskrivna", "Needs and scope described"),
        ("Kontaktpersoner utsedda hos båda myndigheterna", "Contacts named at both agencies"),
        ("Informationsklassning av kundens information gjord", "Customer information classified"),
    ],
    "plan": [
        ("Tidplan och resursplan överenskomna", "Timeline and resource plan agreed"),
        ("Överenskommelse om anslutning undertecknad", "Connection agreement signed"),
        ("Risk- och sårbarhetsanalys klar", "Risk and vulnerability analysis done"),
    ],
    "package": [
        ("Tjänsterna konfigurerade för kunden", "Services configured for the customer"),
        ("Migrering och test genomförda", "Migration and tests done"),
        ("Driftöverlämning planerad", "Handover to operations planned"),
    ],
    "run": [
        (
            "Tjänsterna i drift enligt överenskommen servicenivå",
            "Services running at the agreed service level",
        ),
        ("Uppföljningsmöte hållet", "Follow-up meeting held"),
    ],
}

AVAILABILITY = {code: Decimal(avail) for code, _n, _e, _c, _t, avail, *_rest in SERVICES}
