"""Logging out also clears what samdrift kept in the browser (the offline copies of live
documents, ADR 0685)."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.accounts.models import User

pytestmark = pytest.mark.django_db


def test_logout_ends_the_session_and_clears_the_sites_storage():
    client = Client()
    client.force_login(User.objects.create_user("tjansteman"))
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session
