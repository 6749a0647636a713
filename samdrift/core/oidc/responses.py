"""Token-endpoint and bearer-error answers, independent of the web framework.

RFC 6749 §5.1/5.2: token responses (success and error) carry `Cache-Control: no-store` and
`Pragma: no-cache`. RFC 6750 §3: a refused bearer token is answered with `WWW-Authenticate:
Bearer error="…"`; without any token, only `Bearer` (no error code).
"""

from __future__ import annotations

import re
from typing import Any

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

#: RFC 6750 §3.1 error codes and their status.
BEARER_STATUS = {"invalid_request": 400, "invalid_token": 401, "insufficient_scope": 403}


def error_body(error: str, description: str = "") -> dict[str, Any]:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return body


def _quoted(value: str) -> str:
    # RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
    return re.sub(r"[^\x20\x21\x23-\x5b\x5d-\x7e]", "", value)


def bearer_challenge(error: str = "", description: str = "", realm: str = "") -> str:
    params = []
    if realm:
        params.append(f'realm="{_quoted(realm)}"')
    if error:
        params.append(f'error="{_quoted(error)}"')
        if description:
            params.append(f'error_description="{_quoted(description)}"')
    return "Bearer" + (" " + ", ".join(params) if params else "")
