from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samdrift.demo"
    label = "demo"
