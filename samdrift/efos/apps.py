from django.apps import AppConfig


class EfosConfig(AppConfig):
    name = "samdrift.efos"
    label = "efos"
