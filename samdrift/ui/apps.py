from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "samdrift.ui"
    label = "ui"
