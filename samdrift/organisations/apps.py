from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "samdrift.organisations"
    label = "organisations"
