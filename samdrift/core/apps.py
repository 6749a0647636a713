from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samdrift.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .sqlite import enable_wal_once

        connection_created.connect(enable_wal_once, dispatch_uid="samdrift_sqlite_wal")
