"""Live updates: tell the pages that show a thing that it changed (ADRs 0025–0029).

An app publishes a *topic* when one of its objects changes, after the transaction commits:

    live.publish(f"case:{case.pk}", {"change": "advanced"})

and says who may follow its topics, once, in its `AppConfig.ready()`:

    live.register_topic("case", lambda actor, topic: …)  # True when the actor sees that case

Browsers subscribe over the WebSocket `/ws/live/` (`samdrift.core.live_consumer`); a topic is
joined only when its registered authoriser says yes for the session's actor, so tenancy is
checked by the same selectors the pages use. An event carries no data the page would not show:
the script re-fetches the page and swaps the region, so the page's own view decides what is seen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from .actor import Actor

logger = logging.getLogger(__name__)

Authorise = Callable[["Actor", str], bool]

#: `prefix:key`: a lower-case prefix and a short key of letters, digits, `_` and `-`. Neither part
#: contains a period, so mapping `:` to `.` gives each topic its own channel-layer group name.
TOPIC_RE = re.compile(r"^([a-z][a-z0-9_-]{0,30}):([A-Za-z0-9_-]{1,64})$")
GROUP_PREFIX = "live."
#: The message type the consumer handles (`live_event`).
EVENT_TYPE = "live.event"

_authorisers: dict[str, Authorise] = {}


class TopicError(ValueError):
    """A topic that is not `prefix:key`, or whose prefix nobody registered."""


def register_topic(prefix: str, authorise: Authorise) -> None:
    """Let actors follow `prefix:*` topics when `authorise(actor, topic)` is true."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,30}", prefix):
        raise TopicError(f"invalid topic prefix {prefix!r}")
    _authorisers[prefix] = authorise


def registered_prefixes() -> frozenset[str]:
    return frozenset(_authorisers)


def group_name(topic: str) -> str:
    """The channel-layer group of a topic (channels allows only `[A-Za-z0-9._-]`, < 100)."""
    if not TOPIC_RE.match(topic):
        raise TopicError(f"invalid topic {topic!r}")
    return GROUP_PREFIX + topic.replace(":", ".", 1)


def authorised(actor: Actor, topic: str) -> bool:
    """May this actor follow this topic? No for malformed or unknown topics and anonymous
    actors; otherwise whatever the prefix's authoriser says (its failure counts as no)."""
    match = TOPIC_RE.match(topic)
    if match is None or not actor.is_authenticated:
        return False
    authorise = _authorisers.get(match.group(1))
    if authorise is None:
        return False
    try:
        return bool(authorise(actor, topic))
    except Exception:
        logger.exception("live: authoriser for %s failed", topic)
        return False


def publish(topic: str, event: dict[str, Any] | None = None) -> None:
    """Send `event` to the topic's subscribers once the current transaction commits (at once
    outside one). Sync code only. A failing channel layer is logged, never raised: the change
    itself is committed and a plain reload still shows it."""
    group = group_name(topic)
    message = {"type": EVENT_TYPE, "topic": topic, "event": dict(event or {})}

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            logger.exception("live: publishing %s failed", topic)

    transaction.on_commit(send)
