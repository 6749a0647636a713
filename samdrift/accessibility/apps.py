from django.apps import AppConfig


class AccessibilityConfig(AppConfig):
    name = "samdrift.accessibility"
    label = "accessibility"
