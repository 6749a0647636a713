"""The provider metadata document (OIDC Discovery §3) with what the Swedish profile fixes.

A provider passes its issuer, its endpoint paths and what varies (signing algorithms, levels,
scopes, claims); the profile's constant fields (code flow only, PKCE S256, `private_key_jwt`,
claims and request parameters, Swedish and English) are set here once. The issuer must be the
address the document was fetched from (Discovery §4.3), which is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import ACCEPTED_ALGORITHMS


def document(
    issuer: str,
    *,
    paths: dict[str, str],
    id_token_algorithms: Iterable[str],
    acr_values: Iterable[str],
    scopes: Iterable[str],
    claims: Iterable[str],
    subject_types: Iterable[str] = ("pairwise",),
    client_algorithms: Iterable[str] = ACCEPTED_ALGORITHMS,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`paths` maps endpoint names (`authorization_endpoint`, …, `jwks_uri`) to paths below the
    issuer, e.g. `{"token_endpoint": "/token"}`; `extra` adds or overrides fields."""
    issuer = issuer.rstrip("/")
    client_algs = list(client_algorithms)
    return {
        "issuer": issuer,
        **{name: issuer + path for name, path in paths.items()},
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": list(subject_types),
        "id_token_signing_alg_values_supported": list(id_token_algorithms),
        "request_object_signing_alg_values_supported": client_algs,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": client_algs,
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": list(acr_values),
        "claims_parameter_supported": True,
        "request_parameter_supported": True,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "scopes_supported": list(scopes),
        "claims_supported": list(claims),
        "ui_locales_supported": ["sv", "en"],
        **(extra or {}),
    }
