from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "samdrift.onboarding"
    label = "onboarding"
