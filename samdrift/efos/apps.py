from django.apps import AppConfig


class EfosConfig(AppConfig):
    name = "samdrift.efos"
    label = "efos"

    def ready(self) -> None:
        # EFOS's pages and API are the EFOS service: they demand the level EFOS declares
        # (ADR 0043). The protocol endpoints answer relying parties and PKI clients, not users.
        from samdrift.core.tenancy import ServiceArea, register_service_area

        register_service_area(
            ServiceArea(
                service_code="EFOS",
                url_namespace="efos",
                api_prefix="/api/v1/efos/",
                exempt_url_names=frozenset(
                    {
                        "discovery",
                        "jwks",
                        "authorize",
                        "token",
                        "userinfo",
                        "ocsp",
                        "ocsp_get",
                        "crl",
                        "root_crl",
                        "ca_chain",
                        "tsa",
                    }
                ),
            )
        )
