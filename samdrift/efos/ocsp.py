"""Answering one OCSP request: shared by the page stack (/efos/ocsp) and the lean responder
(`samdrift efos ocsp-serve`, `samdrift.efos.ocsp_wsgi`)."""

from __future__ import annotations

from samdrift.core.actor import ANONYMOUS

from . import services
from .ca.authority import authority
from .ca.profiles import serial_hex
from .ca.revocation import OcspError, Responder, unsuccessful
from .selectors import certificate_status

MAX_OCSP_REQUEST = 4096

_responders: dict[int, Responder] = {}


def _responder() -> Responder:
    ca = authority()
    key = id(ca)
    if key not in _responders:
        _responders.clear()
        _responders[key] = Responder(ca)
    return _responders[key]


def answer_ocsp(der: bytes) -> bytes:
    responder = _responder()
    try:
        request = responder.parse(der)
    except OcspError as exc:
        services.refuse(ANONYMOUS, "ocsp", exc, status=exc.status.name)
        return unsuccessful(exc.status)
    return responder.respond(request, certificate_status(serial_hex(request.serial_number)))
