"""The demo world's people: who logs in to the demo and as what. Data only.

Here, with the users, so that every app's demo builder (the demo app on the top floor, identity's
development provider on floor 4) can name them without importing upwards (ADR 0045).
"""

DEMO_PASSWORD = "samdrift-demo"  # noqa: S105 - the demo's published password
PROVIDER = "Försäkringskassan"

DEMO_USERS = [
    # username, first name, last name, agency, role, what they show
    ("admin", "Alva", "Administratör", PROVIDER, "provider_admin", "provider administrator"),
    ("tjanst", "Tove", "Tjänsteägare", PROVIDER, "service_manager", "service manager"),
    ("kund", "Karl", "Kundansvarig", PROVIDER, "account_manager", "account manager"),
    ("ekonomi", "Elin", "Ekonom", PROVIDER, "finance", "finance"),
    ("sakerhet", "Sam", "Säkerhet", PROVIDER, "security", "security (signs off phases)"),
    (
        "kontakt.dv",
        "Dina",
        "Domstol",
        "Domstolsverket",
        "contact",
        "customer contact, sees the 80 courts",
    ),
    (
        "kontakt.lst",
        "Lars",
        "Län",
        "Länsstyrelserna",
        "contact",
        "customer contact, sees the 21 county boards",
    ),
    ("bestallare.skv", "Stina", "Skatt", "Skatteverket", "orderer", "customer orderer"),
    ("medlem.shk", "Hugo", "Haveri", "Statens haverikommission", "member", "customer member"),
]
