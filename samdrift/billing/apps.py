from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "samdrift.billing"
    label = "billing"
