from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "samdrift.reporting"
    label = "reporting"
