"""Storage backends for the files tests: a fresh local folder, or a real SeaweedFS (one per test
session, started on free ports by scripts/seaweedfs.sh and stopped by its process id)."""

from __future__ import annotations

import pytest

from samdrift.core.files.conf import LOCAL
from samdrift.core.files.testing import running_seaweedfs


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def local_backend(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": dict(LOCAL)}
    return tmp_path / "media"


@pytest.fixture
def s3_backend(settings, seaweedfs):
    settings.STORAGES = {**settings.STORAGES, "default": seaweedfs.storage_settings()}
    return seaweedfs


@pytest.fixture(params=["local", "s3"])
def backend(request):
    """Each test that asks for `backend` runs once on a folder and once on SeaweedFS."""
    return request.getfixturevalue(f"{request.param}_backend")
