"""The API endpoints of the foundation apps, read from the OpenAPI document itself, so a suite
that must cover every endpoint fails when a new one is added and forgotten."""

from __future__ import annotations

from config.api import api

FOUNDATION_TAGS = {"organisations", "catalogue", "onboarding", "accounts"}


def foundation_operations() -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation the foundation routers publish."""
    schema = api.get_openapi_schema()
    found = set()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if FOUNDATION_TAGS.intersection(operation.get("tags", [])):
                found.add((method.upper(), path.removeprefix("/api/v1")))
    return found
