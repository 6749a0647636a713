"""The identity API router: the LoA registry and the caller's session level."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from samdrift.identity import loa
from samdrift.identity.api import router
from samdrift.identity.stepup import SESSION_KEY


@pytest.fixture(scope="module")
def api():
    return TestClient(router)


def test_levels_lists_the_registry(api):
    body = api.get("/levels").json()
    assert [row["uri"] for row in body] == [level.uri for level in loa.LEVELS]
    assert {row["uri"]: row["rank"] for row in body}[loa.EIDAS_LOW] == 1


@pytest.mark.django_db
def test_session_level_reports_only_the_callers_own_e_id_level(api, agency_member, rf):
    session = {
        SESSION_KEY: {"user_id": agency_member.pk, "rank": 3, "acr": loa.LOA3, "provider": "dev"}
    }
    body = api.get("/session", user=agency_member, session=session).json()
    assert body == {"rank": 3, "acr": loa.LOA3, "provider": "dev"}
    stolen = {SESSION_KEY: {"user_id": -1, "rank": 4, "acr": loa.LOA4, "provider": "dev"}}
    assert api.get("/session", user=agency_member, session=stolen).json()["rank"] == 0
