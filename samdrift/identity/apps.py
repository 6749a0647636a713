from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "samdrift.identity"
    label = "identity"
