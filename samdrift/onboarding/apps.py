from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "samdrift.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        # Subscriptions, requests and cases make an agency a provider's customer (ADR 0041).
        from samdrift.core.tenancy import register_customer_source

        from .selectors import customer_relations

        register_customer_source("onboarding", customer_relations)
