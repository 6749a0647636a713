"""EFOS addresses (issue 4 §5): issuer <base>/efos, discovery, OCSP, CRL, and the pages."""

from django.urls import path

from .views import oidc, pages, pki

app_name = "efos"
urlpatterns = [
    # OpenID provider
    path(".well-known/openid-configuration", oidc.discovery, name="discovery"),
    path("jwks", oidc.jwks, name="jwks"),
    path("authorize", oidc.authorize, name="authorize"),
    path("token", oidc.token, name="token"),
    path("userinfo", oidc.userinfo, name="userinfo"),
    # PKI
    path("ocsp", pki.ocsp_post, name="ocsp"),
    path("ocsp/<path:encoded>", pki.ocsp_get, name="ocsp_get"),
    path("crl", pki.crl, name="crl"),
    path("root-crl", pki.root_crl, name="root_crl"),
    path("ca.pem", pki.ca_chain, name="ca_chain"),
    path("tsa", pki.tsa, name="tsa"),
    # pages
    path("", pages.home, name="home"),
    path("officials/", pages.official_list, name="official_list"),
    path("officials/new/", pages.official_new, name="official_new"),
    path("officials/<int:official_id>/", pages.official_detail, name="official_detail"),
    path(
        "credentials/<int:credential_id>/<str:action>/",
        pages.credential_action,
        name="credential_action",
    ),
    path("documents/", pages.document_list, name="document_list"),
    path("documents/<int:document_id>/", pages.document_detail, name="document_detail"),
    path("documents/<int:document_id>/sign/", pages.document_sign, name="document_sign"),
    path("sign/callback", pages.sign_callback, name="sign_callback"),
    path(
        "documents/<int:document_id>/signatures/<int:signature_id>.pdf",
        pages.signature_pdf,
        name="signature_pdf",
    ),
    path("validate/", pages.validate_upload, name="validate"),
    path("clients/", pages.client_list, name="client_list"),
]
