"""The services' refusals as WebDAV answers, in Swedish and English."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from wsgidav.dav_error import DAVError

from samdrift.core.exceptions import DomainError

from ..services.common import LOCKED


def both_languages(error: DomainError) -> str:
    texts = []
    for language in ("sv", "en"):
        with translation.override(language):
            texts.append(str(error))
    return " / ".join(dict.fromkeys(texts))


def dav_error(error: DomainError) -> DAVError:
    """A refusal of the services as a WebDAV status with the Swedish and English text. A
    document checked out by someone else is 423 Locked, as WebDAV clients expect."""
    status = error.http_status
    if getattr(error, "message", None) is LOCKED:
        status = 423
    return DAVError(status, both_languages(error))


def guard(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        raise dav_error(error) from None
