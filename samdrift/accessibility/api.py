"""API of the accessibility app, mounted under /api/v1/accessibility.

`POST /api/v1/accessibility/check` (multipart: `file`, optional `profile`) returns the same
JSON as `samdrift a11y check --format json`: `{"files": [{"path", "profile", "error",
"results": [...]}]}`. A file that cannot be checked is a 200 with `error` set, as in a batch;
a request without a file or with an unknown profile is a 422.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from samdrift.core.api import errors
from samdrift.core.exceptions import PermissionDenied, ValidationFailed

from .forms import MAX_UPLOAD_BYTES
from .permissions import checker_abilities
from .services import PROFILE_CHOICES, check_pdf, report_json

router = Router(tags=["accessibility"])


class RuleResultOut(Schema):
    rule: str
    verapdf: str | None
    acrobat: str | None
    status: str
    count: int
    message: str


class FileResultOut(Schema):
    path: str
    profile: str
    error: str | None
    results: list[RuleResultOut]


class CheckOut(Schema):
    files: list[FileResultOut]


@router.post(
    "/check",
    response={200: CheckOut, **errors(422)},
    summary="Check one PDF for accessibility",
)
def check(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
    profile: Literal["acrobat", "pdfua1"] = Form("acrobat"),  # PROFILE_CHOICES, in the schema
) -> dict[str, Any]:
    if not checker_abilities(actor=getattr(request, "auth", None))["check"]:
        raise PermissionDenied(_("You may not use the checker."))
    if profile not in PROFILE_CHOICES:
        raise ValidationFailed(
            _("Unknown profile; use acrobat or pdfua1."), errors={"profile": [profile]}
        )
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("The file is larger than 50 MB."), errors={"file": ["too large"]})
    result = check_pdf(file.read(), profile=profile, label=file.name or "upload.pdf")
    return report_json([result])
