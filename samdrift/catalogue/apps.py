from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "samdrift.catalogue"
    label = "catalogue"
