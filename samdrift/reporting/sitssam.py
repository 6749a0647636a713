"""The report's SITSSAM section (issue 18 item 5, ADR 0973): the provider agencies with the
services they provide, from the catalogue as the reader sees it (published services are no
secret between providers), and the steering group decisions of the year that bind the reader's
provider, from cooperation's selectors. No figure about another provider's customers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from samdrift.catalogue.choices import Lifecycle
from samdrift.catalogue.selectors import service_list
from samdrift.cooperation.selectors import decision_list
from samdrift.core.actor import Actor


@dataclass(frozen=True)
class ProviderLine:
    name: str
    services: list[str]


@dataclass(frozen=True)
class DecisionLine:
    reference: str
    decided_on: datetime.date
    group: str
    title: str
    bound: list[str]


@dataclass(frozen=True)
class SitssamSection:
    providers: list[ProviderLine] = field(default_factory=list)
    decisions: list[DecisionLine] = field(default_factory=list)


def sitssam_section(*, actor: Actor, year: int, language: str) -> SitssamSection:
    by_provider: dict[str, list[str]] = {}
    for service in service_list(actor=actor).filter(
        lifecycle__in=(Lifecycle.ACTIVE, Lifecycle.RETIRING)
    ):
        name = service.name_en if language == "en" else service.name_sv
        by_provider.setdefault(service.provider.name, []).append(f"{name} ({service.code})")
    decisions = [
        DecisionLine(
            d.reference,
            d.decided_on,
            str(d.get_body_display()),
            d.title,
            sorted(p.name for p in d.providers.all()),
        )
        for d in decision_list(actor=actor).filter(decided_on__year=year).order_by("decided_on")
    ]
    return SitssamSection(
        [ProviderLine(name, services) for name, services in sorted(by_provider.items())],
        decisions,
    )
