"""Security demo data: a component of the demo's most used service, a Trivy report of it
imported through the real importer, and one advisory published to the agencies it reaches
(ADR 0967), as the demo's security officer. Idempotent: does nothing when a component exists."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from samdrift.accounts.selectors import actor_for_username
from samdrift.core.actor import SYSTEM
from samdrift.onboarding.selectors import subscription_list
from samdrift.operations.selectors import incident_list

from . import services
from .advisories import advisory_publish
from .cases import security_case_set
from .models import Component

#: (id, package, installed, fixed, severity, title) — real CVEs of the packages named.
VULNERABILITIES = [
    ("CVE-2023-0286", "openssl", "3.0.7-r0", "3.0.8-r0", "HIGH",
     "openssl: X.400 address type confusion in X.509 GeneralName"),
    ("CVE-2022-37434", "zlib", "1.2.12-r1", "1.2.12-r2", "CRITICAL",
     "zlib: heap-based buffer over-read and overflow in inflate() in inflate.c"),
    ("CVE-2023-5363", "openssl", "3.0.7-r0", "3.0.12-r0", "HIGH",
     "openssl: incorrect cipher key and IV length processing"),
    ("CVE-2022-40674", "expat", "2.4.8-r0", "2.4.9-r0", "HIGH",
     "expat: use-after-free in the doContent function in xmlparse.c"),
]  # fmt: skip


def _trivy_report(target: str) -> bytes:
    return json.dumps({
        "SchemaVersion": 2,
        "ArtifactName": target,
        "ArtifactType": "container_image",
        "Results": [{
            "Target": f"{target} (alpine 3.17.0)", "Class": "os-pkgs", "Type": "alpine",
            "Vulnerabilities": [
                {"VulnerabilityID": vid, "PkgName": pkg, "InstalledVersion": installed,
                 "FixedVersion": fixed, "Severity": severity, "Title": title}
                for vid, pkg, installed, fixed, severity, title in VULNERABILITIES
            ],
        }],
    }).encode()  # fmt: skip


def load(*, stdout: Any) -> None:
    if Component.objects.exists():
        stdout.write("security: demo components already there\n")
        return
    used = Counter(subscription_list(actor=SYSTEM).values_list("service__code", flat=True))
    actor = actor_for_username("sakerhet")
    if not used or actor is None:
        stdout.write("security: no service in use or no security officer, no demo findings\n")
        return
    code = used.most_common(1)[0][0]
    name = f"{code.lower()}-web"
    services.component_register(
        actor=actor, name=name, kind="image", version="2026.11", service_codes=[code]
    )
    services.import_report(
        actor=actor, component_name=name, data=_trivy_report(name), file_name="trivy.json"
    )
    published = advisory_publish(
        actor=actor,
        vulnerability_id="CVE-2022-37434",
        title=f"zlib i {code}",
        summary=(
            f"En kritisk sårbarhet i zlib finns i {code}s webbavbild. Vi uppdaterar zlib till "
            "1.2.12-r2 inom sju dagar. Ni behöver inte göra något."
        ),
    )
    incident = incident_list(actor=actor).order_by("pk").first()
    if incident is not None:  # the demo's first incident turns out to be an attack
        security_case_set(
            actor=actor, incident_id=incident.pk, category="availability",
            information_classes=["public"], personal_data=False,
        )  # fmt: skip
    stdout.write(
        f"security: {len(VULNERABILITIES)} findings on {name}, advisory to "
        f"{len(published.agencies)} agencies, {int(incident is not None)} security case\n"
    )
