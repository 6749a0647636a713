from django.apps import AppConfig


class EfosConfig(AppConfig):
    name = "samdrift.efos"
    label = "efos"

    def ready(self) -> None:
        # EFOS's pages and API are the EFOS service: they demand the level EFOS declares
        # (ADR 0043). The protocol endpoints answer relying parties and PKI clients, not users.
        from samdrift.audit.anchoring import register_anchor_signer
        from samdrift.core.tenancy import ServiceArea, register_service_area

        from .anchoring import CaAnchorSigner

        # audit may not import efos: efos lends it the CA and TSA for checkpoints (ADR 0062).
        register_anchor_signer(CaAnchorSigner())

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
