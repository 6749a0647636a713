"""Radicale's storage plug-in: calendars in samdrift's database (ADR 0640).

Radicale speaks the protocol (PROPFIND, REPORT with calendar-query, multiget, sync-collection and
free-busy, ETags and preconditions); this module answers where things are and writes through
`calendars.services`, so a CalDAV client meets the same checks, change numbers and audit as the
pages. Time-range queries are answered from indexed columns instead of parsing every object,
and the collection's ETag and sync token come from its change number instead of hashing every
object.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from email.utils import format_datetime
from typing import Any

from radicale import item as radicale_item
from radicale import pathutils, storage
from radicale.item import filter as radicale_filter

from samdrift.audit.services import audit_read
from samdrift.core.exceptions import ConcurrentUpdate, DomainError, PermissionDenied
from samdrift.core.i18n import bilingual_line

from .. import selectors, services
from ..ical import parse_object
from ..models import Calendar, CalendarObject
from . import context
from .rights import reachable

SYNC_PREFIX = "http://samdrift.se/ns/sync/"
COMPONENTS = "VEVENT,VTODO,VJOURNAL"


def _http_date(value: Any) -> str:
    return format_datetime(value, usegmt=True)


def _refused(error: DomainError) -> ValueError:
    """Radicale answers a ValueError from a write with 400; the mount puts samdrift's status and
    reason in its place (ADR 0643)."""
    status = 412 if isinstance(error, ConcurrentUpdate) else error.http_status
    if isinstance(error, PermissionDenied):
        status = 403
    request = context.state()
    if request.refusal is None:
        request.refusal = (status, bilingual_line(error.message, error.params))
    return ValueError(str(error))


def _actor() -> Any:
    """The request's actor; Radicale calls the storage only after authentication."""
    login = context.state().login
    if login is None:
        raise ValueError("not logged in")
    return login.actor


def _max_class() -> int | None:
    login = context.state().login
    return login.max_class if login is not None else None


class Principal(storage.BaseCollection):
    """The root (`""`) or a user's principal and calendar home (`"<user>"`): no tag, no items."""

    def __init__(self, path: str) -> None:
        self._path = path

    @property
    def path(self) -> str:
        return self._path

    @property
    def etag(self) -> str:
        return '"principal"'

    def get_multi(self, hrefs: Iterable[str]) -> Iterable[tuple[str, radicale_item.Item | None]]:
        return [(href, None) for href in hrefs]

    def get_all(self) -> Iterable[radicale_item.Item]:
        return []

    def get_meta(self, key: str | None = None) -> Any:
        return {} if key is None else None

    def set_meta(self, props: Mapping[str, str]) -> None:
        raise ValueError("properties of the calendar home are not writable")

    @property
    def last_modified(self) -> str:
        return "Thu, 01 Jan 2026 00:00:00 GMT"


class CalendarCollection(storage.BaseCollection):
    def __init__(self, principal: str, access: selectors.CalendarAccess) -> None:
        self.access = access
        self.calendar: Calendar = access.calendar
        self._path = f"{principal}/{self.calendar.slug}"

    @property
    def path(self) -> str:
        return self._path

    # -- reading ---------------------------------------------------------------------------
    def _audit(self) -> None:
        """Every read of a calendar over CalDAV is audited, once per request and calendar."""
        request = context.state()
        if self.calendar.id in request.audited or request.login is None:
            return
        request.audited.add(self.calendar.id)
        audit_read(
            actor=request.login.actor,
            obj=self.calendar,
            access="caldav",
            organisation_id=self.access.workspace.owner_org_id if self.access.workspace else None,
        )

    def _item(self, row: CalendarObject) -> radicale_item.Item:
        context.state().schedule_tags[f"{self.calendar.slug}/{row.href}"] = row.schedule_tag
        return radicale_item.Item(
            collection=self,
            href=row.href,
            last_modified=_http_date(row.modified_at),
            text=row.text,
            etag=row.etag,
            uid=row.uid,
            name="VCALENDAR",
            component_name=row.component,
            time_range=(row.starts, row.ends),
        )

    def get_multi(self, hrefs: Iterable[str]) -> Iterable[tuple[str, radicale_item.Item | None]]:
        wanted = list(dict.fromkeys(hrefs))
        self._audit()
        found = selectors.objects_by_href(self.calendar, wanted)
        return [(href, self._item(found[href]) if href in found else None) for href in wanted]

    def get_all(self) -> Iterable[radicale_item.Item]:
        self._audit()
        return [self._item(row) for row in selectors.live_objects(self.calendar).order_by("id")]

    def get_filtered(
        self, filters: Iterable[ET.Element]
    ) -> Iterable[tuple[radicale_item.Item, bool]]:
        """Radicale's own pre-filter (component and time range), answered by the index: the
        same rows, and the same `filters_matched` verdict, as its default would give."""
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, "VCALENDAR")
        self._audit()
        rows = selectors.objects_in_range(self.calendar, start=start, end=end, component=tag)
        for row in rows.order_by("starts", "id"):
            yield self._item(row), simple and (start <= row.starts or row.ends <= end)

    def has_uid(self, uid: str) -> bool:
        return selectors.live_objects(self.calendar).filter(uid=uid).exists()

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        self.calendar.refresh_from_db(fields=["seq"])
        token = f"{SYNC_PREFIX}{self.calendar.id}-{self.calendar.seq}"
        if not old_token:
            return token, list(selectors.live_objects(self.calendar).values_list("href", flat=True))
        calendar_id, _dash, seq = old_token.removeprefix(SYNC_PREFIX).partition("-")
        if (
            not old_token.startswith(SYNC_PREFIX)
            or calendar_id != str(self.calendar.id)
            or not seq.isdigit()
            or int(seq) > self.calendar.seq
        ):
            raise ValueError("unknown sync token")
        return token, [row.href for row in selectors.changes_since(self.calendar, int(seq))]

    @property
    def etag(self) -> str:
        return f'"cal{self.calendar.id}-{self.calendar.seq}"'

    def get_meta(self, key: str | None = None) -> Any:
        meta = {
            "tag": "VCALENDAR",
            "D:displayname": self.calendar.name,
            "ICAL:calendar-color": self.calendar.color,
            "C:supported-calendar-component-set": COMPONENTS,
        }
        return meta if key is None else meta.get(key)

    def set_meta(self, props: Mapping[str, str]) -> None:
        try:
            services.calendar_set_properties(
                actor=_actor(),
                calendar_id=self.calendar.id,
                name=props.get("D:displayname"),
                color=props.get("ICAL:calendar-color"),
            )
        except DomainError as error:
            raise _refused(error) from None

    @property
    def last_modified(self) -> str:
        newest = selectors.live_objects(self.calendar).order_by("-seq").first()
        moment = newest.modified_at if newest is not None else self.calendar.created_at
        return _http_date(moment)

    # -- writing ---------------------------------------------------------------------------
    def upload(
        self, href: str, item: radicale_item.Item
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        request = context.state()
        old = selectors.object_get(self.calendar, href)
        replaced = self._item(old) if old is not None else None
        text = item.serialize()
        try:
            parsed = parse_object(text, time_range=item.time_range)
            row = services.object_put(
                actor=_actor(),
                calendar_id=self.calendar.id,
                href=href,
                text=text,
                # Radicale compared the ETag before this call; compared again under the row
                # lock, so two clients racing on one stale ETag cannot both win.
                if_match=request.environ.get("HTTP_IF_MATCH") or None,
                max_class=_max_class(),
                parsed=parsed,
                via="caldav",
                if_schedule_tag=request.environ.get("HTTP_IF_SCHEDULE_TAG_MATCH"),
            )
        except DomainError as error:
            raise _refused(error) from None
        return self._item(row), replaced

    def delete(self, href: str | None = None) -> None:
        request = context.state()
        if href is None:
            raise _refused(PermissionDenied(services.CALENDAR_KEPT))
        try:
            services.object_delete(
                actor=_actor(),
                calendar_id=self.calendar.id,
                href=href,
                if_match=request.environ.get("HTTP_IF_MATCH") or None,
                max_class=_max_class(),
                via="caldav",
                if_schedule_tag=request.environ.get("HTTP_IF_SCHEDULE_TAG_MATCH"),
            )
        except DomainError as error:
            raise _refused(error) from None


class Storage(storage.BaseStorage):
    _supports_unicode = True

    def discover(
        self,
        path: str,
        depth: str = "0",
        child_context_manager: Any = None,
        user_groups: set[str] | None = None,
    ) -> Iterable[Any]:
        request = context.state()
        parts = [p for p in pathutils.strip_path(path).split("/") if p]
        principal = request.principal
        if not parts:
            yield Principal("")
            if depth != "0" and principal:
                yield Principal(principal)
            return
        if parts[0] != principal or len(parts) > 3:
            return
        if len(parts) == 1:
            yield Principal(principal)
            if depth != "0":
                for access in reachable():
                    yield CalendarCollection(principal, access)
            return
        found = selectors.by_slug(reachable(), parts[1])
        if found is None:
            return
        collection = CalendarCollection(principal, found)
        if len(parts) == 3:
            href = parts[2]
            yield from (item for _href, item in collection.get_multi([href]) if item is not None)
            return
        yield collection
        if depth != "0":
            yield from collection.get_all()

    def move(self, item: radicale_item.Item, to_collection: Any, to_href: str) -> None:
        source = item.collection
        if not isinstance(source, CalendarCollection) or not isinstance(
            to_collection, CalendarCollection
        ):
            raise ValueError("not a calendar")
        if item.href is None:
            raise ValueError("an item without a name")
        try:
            services.object_move(
                actor=_actor(),
                from_calendar_id=source.calendar.id,
                href=item.href,
                to_calendar_id=to_collection.calendar.id,
                to_href=to_href,
                max_class=_max_class(),
            )
        except DomainError as error:
            raise _refused(error) from None

    def create_collection(
        self, href: str, items: Any = None, props: Any = None
    ) -> tuple[Any, dict[str, Any], list[str]]:
        # Calendars are samdrift's to make (a workspace's, a user's own); rights never grant it.
        raise _refused(PermissionDenied(services.CALENDAR_KEPT))

    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args: Any, **kwargs: Any) -> Iterator[None]:
        # The database is the lock: every write locks its calendar's row (services).
        yield

    def verify(self) -> bool:
        return True
