from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "samdrift.audit"
    label = "audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .sealing import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="samdrift_audit_sealed")
