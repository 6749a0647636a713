"""The SAFOS world of the collaboration tests with the calendars' workspaces (`shared`: class 1,
A's owner with B's editor and reader; `secret`: class 2; `foreign`: B's own) and a note in
`shared`."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from PIL import Image
from pycrdt import Doc, Map

from samdrift.calendars.tests.conftest import join, spaces  # noqa: F401 - fixtures
from samdrift.coediting import services
from samdrift.coediting.models import LiveDoc
from samdrift.collaboration import services as collaboration
from samdrift.collaboration.tests.conftest import files_dir, safos  # noqa: F401 - fixtures
from samdrift.core.lent_threads import close_idle_connections


@pytest.fixture(autouse=True)
def lent_connections_closed():
    """The hub checks in lent request threads where the database allows a second connection
    (PostgreSQL): their connections are closed after each test, or the test database could not
    be dropped at the end."""
    yield
    close_idle_connections()


@pytest.fixture(autouse=True)
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def redis_layer(settings):
    """The Redis channel layer, as between server processes (ADR 0681); REDIS_URL names it."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the Redis channel layer is not tested in this run")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": 15}],
                "prefix": f"test-coedit-{uuid.uuid4().hex[:8]}:",
            },
        }
    }


@pytest.fixture
def note(safos, spaces):  # noqa: F811
    shared, _secret, _foreign = spaces
    return services.doc_create(
        actor=safos.actor("owner"), workspace_id=shared.id, kind="note", title="Mötesanteckning"
    )


def cookie(safos, who: str, loa: int = 3) -> str:  # noqa: F811
    return safos.client(who, loa).cookies["sessionid"].value


def board_with(safos, workspace_id: int, title: str, items: dict[str, dict]) -> LiveDoc:  # noqa: F811
    """A whiteboard of A's owner in `workspace_id` holding `items` (key → kind, x, y, text)."""
    board = services.doc_create(
        actor=safos.actor("owner"), workspace_id=workspace_id, kind="board", title=title
    )
    doc = Doc()
    doc["items"] = shapes = Map()
    for key, item in items.items():
        shapes[key] = Map(item)
    services.update_accept(
        actor=safos.actor("owner"), doc_id=board.id, generation=1, update=doc.get_update()
    )
    return board


def workspace_image(
    world,
    workspace_id: int,
    name: str,
    *,
    preview: bool = True,
    colour=(30, 90, 160),
    size=(200, 100),
) -> int:
    """A PNG uploaded by A's owner to `workspace_id`, its preview made unless `preview` is off;
    the document's id."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    out.seek(0)
    version = collaboration.upload(
        actor=world.actor("owner"), workspace_id=workspace_id, stream=out, name=name,
        content_type="image/png",
    )  # fmt: skip
    if preview:
        assert collaboration.render_preview.call(version.id) == "ready"
    return version.document_id
