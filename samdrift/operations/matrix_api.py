"""API of the responsibility matrices (ADR 0845), under /api/v1/operations/matrices: the same
reading (`matrices`) and services as the pages."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import matrices, services

router = Router(tags=["operations"])


class MatrixRow(Schema):
    id: int
    service: str
    name: str
    version: int
    effective_from: datetime.date
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj["service"] if isinstance(obj, dict) else obj.service.code)


class MatrixCellOut(Schema):
    function: str
    role: str
    party: str


class MatrixOut(MatrixRow):
    note: str
    in_effect: bool
    cells: list[MatrixCellOut]
    problems: list[str]


class MatrixIn(Schema):
    service: str
    name: str
    effective_from: str
    text: str
    note: str = ""


def _detail(request: ApiRequest, matrix_id: int) -> dict[str, Any]:
    matrix = matrices.matrix_get(actor=request.auth, matrix_id=matrix_id)
    mapping = matrices.matrix_as_mapping(matrix, by="name")
    in_effect = matrices.matrix_in_effect(service_id=matrix.service_id, on=timezone.localdate())
    return {
        "id": matrix.pk,
        "service": matrix.service.code,
        "name": matrix.name,
        "version": matrix.version,
        "effective_from": matrix.effective_from,
        "published_at": matrix.published_at,
        "note": matrix.note,
        "in_effect": in_effect is not None and in_effect.pk == matrix.pk,
        "cells": [
            {"function": function, "role": role, "party": party}
            for function, roles in mapping.items()
            for role, parties in roles.items()
            for party in parties
        ],
        "problems": matrices.matrix_table(matrix).problems,
    }


@router.get(
    "",
    response={200: list[MatrixRow], **errors(422)},
    summary="Responsibility matrices the caller sees",
    description="The provider's staff: every version of its services'; a party: the published"
    " versions naming its agency.",
)
@paginate(Page)
def list_matrices(request: ApiRequest) -> Any:
    return matrices.matrix_list(actor=request.auth)


@router.get("/{matrix_id}", response={200: MatrixOut, **errors(404)}, summary="One version")
def get_matrix(request: ApiRequest, matrix_id: int) -> dict[str, Any]:
    return _detail(request, matrix_id)


@router.post(
    "",
    response={201: MatrixOut, **errors(404, 422)},
    summary="Enter a new draft version",
    description="`text`: one `function;role;party` line per cell (role R, A, C or I; party an"
    " agency's name or organisation number).",
)
def create_matrix(request: ApiRequest, payload: MatrixIn) -> Status:
    matrix = services.matrix_draft(
        actor=request.auth,
        service_code=payload.service,
        name=payload.name,
        effective_from=payload.effective_from,
        text=payload.text,
        note=payload.note,
    )
    return Status(201, _detail(request, matrix.pk))


@router.post(
    "/{matrix_id}/publish",
    response={200: MatrixOut, **errors(404, 409, 422)},
    summary="Publish a draft that passes every RACI rule",
)
def publish_matrix(request: ApiRequest, matrix_id: int) -> dict[str, Any]:
    matrices.matrix_get(actor=request.auth, matrix_id=matrix_id)
    services.matrix_publish(actor=request.auth, matrix_id=matrix_id)
    return _detail(request, matrix_id)
