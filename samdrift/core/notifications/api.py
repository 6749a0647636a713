"""API of the caller's inbox: GET /api/v1/inbox, POST /api/v1/inbox/{id}/read,
POST /api/v1/inbox/read-all. Only ever the caller's own rows; another user's row is a 404."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import services
from .models import Notification
from .selectors import inbox, unread_count

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="case_advanced, signoff_required, invoice_issued, …")
    language: str = Field(description="The language the text was written in (sv or en).")
    subject: str
    body: str
    link: str = Field(description="Where in samdrift the message points (a path).")
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class InboxFilters(Schema):
    unread: bool = Field(False, description="Only unread messages.")


class MarkedOut(Schema):
    marked: int = Field(description="How many messages were unread and are now read.")
    unread: int = Field(description="Unread messages left (0).")


@router.get(
    "",
    response={200: list[NotificationOut], **errors(422)},
    summary="List my inbox",
    description="The caller's own messages, newest first.",
)
@paginate(Page)
def list_inbox(request: ApiRequest, filters: Query[InboxFilters]) -> Any:
    return inbox(actor=request.auth, unread_only=filters.unread)


@router.post(
    "/read-all",
    response={200: MarkedOut, **errors()},
    summary="Mark all my messages as read",
)
def mark_all_read(request: ApiRequest) -> dict[str, int]:
    marked = services.mark_all_read(actor=request.auth)
    return {"marked": marked, "unread": unread_count(actor=request.auth)}


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **errors(404, 422)},
    summary="Mark one of my messages as read",
    description="Marking a read message again changes nothing. Another user's message is a 404.",
)
def mark_read(request: ApiRequest, notification_id: int) -> Notification:
    return services.mark_read(actor=request.auth, notification_id=notification_id)
