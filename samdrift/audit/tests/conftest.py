"""Audit test fixtures: a chain key and a checkpoint directory of the test's own, and the real
EFOS CA (in a temporary directory) to sign and time-stamp checkpoints."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def audit_ca_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-efos-ca")


@pytest.fixture(autouse=True)
def audit_settings(settings, tmp_path, audit_ca_dir):
    settings.SAMDRIFT_AUDIT_KEY = "k" * 16 + "audit-test-key-0123456789"
    settings.SAMDRIFT_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.EFOS_CA_DIR = audit_ca_dir
    settings.EFOS_CA_PASSPHRASE = "test-passphrase"
    settings.EFOS_BASE_URL = "http://testserver"
    return settings


@pytest.fixture
def efos_ca(audit_settings):
    from samdrift.efos.ca.authority import authority

    return authority()
