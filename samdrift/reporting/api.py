"""API of the reporting app, mounted under /api/v1/reporting.

The report as data (every figure the document shows), its prose, and the PDF itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Router, Schema
from pydantic import model_validator

from samdrift.core.api import errors

from .documents import render_pdf
from .models import FIRST_REPORT_YEAR, LAST_REPORT_YEAR
from .selectors import check_year, government_report, report_text_get
from .services import report_text_save

router = Router(tags=["reporting"])
# The language is one of the two. The year's range is in the schema so the document tells the
# truth; `check_year` stays behind it for the CLI and the pages (same range, bilingual message).
Language = Literal["sv", "en"]
ReportYear = Path(..., ge=FIRST_REPORT_YEAR, le=LAST_REPORT_YEAR)


class ProseOut(Schema):
    text: str
    lang: str
    missing: bool


class PhaseCountOut(Schema):
    phase: str
    scope: str
    count: int


class ReportServiceRowOut(Schema):
    service: str
    name: str
    requested: int
    connected: int
    connected_legal: int
    umbrellas: list[str]


class IndicatorOut(Schema):
    number: int
    title: str
    value: str | None
    source: str


class CoverageOut(Schema):
    service: str
    connected_legal: int
    share_pct: Decimal


class EfosOut(Schema):
    consumers: list[str]
    planned_year: int
    planned: list[str]


class ReportOut(Schema):
    year: int
    language: str
    provider: str
    summary: ProseOut
    background: ProseOut
    cases: list[PhaseCountOut]
    cases_total: int
    legal_agency_total: int
    services: list[ReportServiceRowOut]
    efos: EfosOut
    economy_included: bool
    indicators: list[IndicatorOut]
    coverage: list[CoverageOut]


# Text that goes into the PDF (XML underneath): no control characters but tab and newlines.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class TextIn(Schema):
    summary_sv: str = Field("", pattern=PRINTABLE)
    summary_en: str = Field("", pattern=PRINTABLE)
    background_sv: str = Field("", pattern=PRINTABLE)
    background_en: str = Field("", pattern=PRINTABLE)
    version: int | None = Field(None, ge=0, le=2**31 - 1)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # Every field has a default, so without this a JSON list or string would be read as
        # "no fields" and saved as an empty text (schemathesis ST201).
        # ninja hands its validators a DjangoGetter around the parsed JSON (`_obj`).
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("The body is a JSON object.")
        return data


class TextOut(Schema):
    year: int
    summary_sv: str
    summary_en: str
    background_sv: str
    background_en: str
    version: int | None


@router.get("/government/{year}", response={200: ReportOut, **errors(403, 422)})
def get_report(request: HttpRequest, year: int = ReportYear, lang: Language = "sv") -> ReportOut:
    report = government_report(actor=request.auth, year=check_year(year), language=lang)  # type: ignore[attr-defined]
    return ReportOut(
        year=report.year,
        language=report.language,
        provider=report.provider_name,
        summary=ProseOut(
            text=report.summary.text, lang=report.summary.lang, missing=report.summary.missing
        ),
        background=ProseOut(
            text=report.background.text,
            lang=report.background.lang,
            missing=report.background.missing,
        ),
        cases=[
            PhaseCountOut(phase=phase, scope=scope, count=report.connections.count(phase, scope))
            for phase in report.phases
            for scope in report.scopes
        ],
        cases_total=report.connections.total,
        legal_agency_total=report.services.legal_agency_total,
        services=[
            ReportServiceRowOut(
                service=row.service.code,
                name=row.service.name_en if report.language == "en" else row.service.name_sv,
                requested=row.requested,
                connected=row.connected,
                connected_legal=row.connected_legal,
                umbrellas=[u.name for u in row.umbrellas],
            )
            for row in report.services.rows
        ],
        efos=EfosOut(
            consumers=report.efos.consumers,
            planned_year=report.efos.planned_year,
            planned=report.efos.planned,
        ),
        economy_included=report.economy.available and report.economy.has_lines,
        indicators=[
            IndicatorOut(number=i.number, title=i.title, value=i.value, source=i.source)
            for i in report.indicators
        ],
        coverage=[
            CoverageOut(
                service=c.service.code, connected_legal=c.connected_legal, share_pct=c.share_pct
            )
            for c in report.indicators[0].coverage
        ],
    )


@router.get(
    "/government/{year}/pdf",
    response={200: None, **errors(403, 422)},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def get_report_pdf(
    request: HttpRequest, year: int = ReportYear, lang: Language = "sv"
) -> HttpResponse:
    report = government_report(actor=request.auth, year=check_year(year), language=lang)  # type: ignore[attr-defined]
    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="government-report-{report.year}-{report.language}.pdf"'
    )
    return response


def _text_out(year: int, row: object | None) -> TextOut:
    return TextOut(
        year=year,
        summary_sv=getattr(row, "summary_sv", ""),
        summary_en=getattr(row, "summary_en", ""),
        background_sv=getattr(row, "background_sv", ""),
        background_en=getattr(row, "background_en", ""),
        version=getattr(row, "version", None),
    )


@router.get("/government/{year}/text", response={200: TextOut, **errors(403, 422)})
def get_text(request: HttpRequest, year: int = ReportYear) -> TextOut:
    year = check_year(year)  # out of range is a 422 here too, never a database overflow
    return _text_out(year, report_text_get(actor=request.auth, year=year))  # type: ignore[attr-defined]


@router.put("/government/{year}/text", response={200: TextOut, **errors(403, 409, 422)})
def put_text(request: HttpRequest, payload: TextIn, year: int = ReportYear) -> TextOut:
    texts = payload.dict(exclude={"version"})
    actor = request.auth  # type: ignore[attr-defined]
    row = report_text_save(
        actor=actor, year=check_year(year), texts=texts, expected_version=payload.version
    )
    return _text_out(row.year, row)
