from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samdrift.core"
    label = "core"
