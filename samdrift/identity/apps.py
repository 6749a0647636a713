from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "samdrift.identity"
    label = "identity"

    def ready(self) -> None:
        # The level each catalogue service demands, for the tenancy kernel's gate (ADR 0043).
        from samdrift.core.tenancy import register_requirement_source

        from .selectors import required_rank_for_code

        register_requirement_source(required_rank_for_code)
