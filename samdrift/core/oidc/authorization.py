"""Reading an authorization request and answering it at the redirect URI."""

from __future__ import annotations

import urllib.parse
from typing import Any


def requested_acr(claims: dict[str, Any], acr_values: str = "") -> tuple[list[str], bool]:
    """The `acr` values asked for and whether they are essential.

    `claims.id_token.acr` (`values` or `value`) wins over `acr_values`, which are voluntary
    (Swedish profile; the Sweden Connect reference provider behaves the same)."""
    id_token = claims.get("id_token") if isinstance(claims, dict) else None
    acr = id_token.get("acr") if isinstance(id_token, dict) else None
    if isinstance(acr, dict):
        values = acr.get("values") or ([acr["value"]] if "value" in acr else [])
        return [str(value) for value in values], bool(acr.get("essential"))
    return acr_values.split(), False


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query (a redirect URI may carry its own query)."""
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + separator + urllib.parse.urlencode(params)
