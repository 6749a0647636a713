"""A small SAFOS world: agencies A and B connected to SAFOS, G not connected (its officials are
guests), C a bystander; people in each; files in a fresh local folder per test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import Actor
from samdrift.core.files.conf import LOCAL
from samdrift.core.files.testing import running_seaweedfs
from samdrift.core.files.tests.clamd import ensure_installed, running_clamd
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.organisations.models import Organisation
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)


@dataclass
class SafosWorld:
    fk: Organisation
    a: Organisation
    b: Organisation
    g: Organisation
    c: Organisation
    users: dict[str, User] = field(default_factory=dict)

    def actor(self, name: str, loa: int = 3) -> Actor:
        return actor_for_user(self.users[name], loa_rank=loa)

    def client(self, name: str, loa: int = 3) -> Client:
        client = Client()
        user = self.users[name]
        client.force_login(user)
        session = client.session
        session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": loa}
        session.save()
        return client


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": dict(LOCAL)}
    return tmp_path / "media"


@pytest.fixture
def safos(db, files_dir) -> SafosWorld:
    fk = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    service = ServiceFactory(code="SAFOS", provider=fk)
    a = OrganisationFactory(name="Myndighet A")
    b = OrganisationFactory(name="Myndighet B")
    g = OrganisationFactory(name="Gästmyndigheten G")
    c = OrganisationFactory(name="Utomstående C")
    SubscriptionFactory(organisation=a, service=service)
    SubscriptionFactory(organisation=b, service=service)
    world = SafosWorld(fk=fk, a=a, b=b, g=g, c=c)
    people = [
        ("owner", a, "member"),
        ("security", a, "contact"),
        ("editor", b, "member"),
        ("reader", b, "member"),
        ("guest", g, "member"),
        ("outsider", c, "member"),
    ]
    for name, org, role in people:
        user = UserFactory(username=f"safos_{name}", email=f"{name}@example.se")
        MembershipFactory(user=user, organisation=org, role=role)
        world.users[name] = user
    return world


def stored_objects(root: Any) -> list[str]:
    """Every stored object under the files folder (none left behind by a refusal)."""
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def _english():
    """Service messages are read in English here; the pages' tests read them in Swedish."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A real clamd with the kernel's test signatures, one per test module."""
    if ensure_installed() is None:
        pytest.skip(
            "!!! clamd (Debian: clamav-daemon) IS NOT INSTALLED and could not be installed "
            "(not root?): the collaboration malware tests did NOT run. Run "
            "scripts/ensure-clamav.sh."
        )
    with running_clamd(tmp_path_factory.mktemp("clamd")) as server:
        yield server


HOLD_FROM = 64 * 1024  # held from this size in the held uploads' tests (ADRs 0688, 0692)


@pytest.fixture
def holding(settings, clamd):
    """clamd as the scanner, and uploads from `HOLD_FROM` bytes held for their scan."""
    settings.SAMDRIFT_CLAMD = clamd.unix_address
    settings.SAMDRIFT_SCAN_HOLD_FROM_BYTES = HOLD_FROM
    return clamd


@pytest.fixture(scope="module")
def seaweedfs(tmp_path_factory):
    """A real SeaweedFS S3 store, one per test module."""
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as store:
        yield store
