from __future__ import annotations

from django.apps import AppConfig

from samdrift.core.actor import Actor


class OnboardingConfig(AppConfig):
    name = "samdrift.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        # Subscriptions, requests and cases make an agency a provider's customer (ADR 0041).
        from samdrift.core.tenancy import register_customer_source

        from .selectors import customer_relations

        register_customer_source("onboarding", customer_relations)

        # Live updates of a case page: followed by whoever may see the case (ADR 0026).
        from samdrift.core import live

        live.register_topic("case", _may_follow_case)

        # What retiring a catalogue service does to cases and subscriptions (ADR 0220).
        from samdrift.catalogue.services import register_retirement_participant

        from .services import retirement_blockers, subscriptions_end_on_retirement

        register_retirement_participant(
            "onboarding",
            blockers=retirement_blockers,
            on_retiring=subscriptions_end_on_retirement,
        )


def _may_follow_case(actor: Actor, topic: str) -> bool:
    """`case:<id>`: the same visibility as the case page (a missing case is simply not visible)."""
    from .selectors import case_list

    case_id = topic.partition(":")[2]
    return case_id.isdigit() and case_list(actor=actor).filter(id=int(case_id)).exists()
