from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samdrift.accounts"
    label = "accounts"
