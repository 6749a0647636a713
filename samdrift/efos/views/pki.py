"""Public PKI endpoints: CA chain, CRLs, the OCSP responder (RFC 6960 §A.1) and the TSA.

No login and no CSRF: relying parties and `openssl ocsp` call these from anywhere.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from cryptography.x509 import ocsp
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from samdrift.efos import services
from samdrift.efos.ca.authority import authority
from samdrift.efos.ca.revocation import build_root_crl, unsuccessful
from samdrift.efos.ocsp import MAX_OCSP_REQUEST, answer_ocsp
from samdrift.efos.tsa import respond as tsa_respond

OCSP_TYPE = "application/ocsp-response"


@csrf_exempt
@require_http_methods(["POST"])
def ocsp_post(request: HttpRequest) -> HttpResponse:
    body = request.body
    if len(body) > MAX_OCSP_REQUEST:
        return HttpResponse(
            unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST), content_type=OCSP_TYPE
        )
    return HttpResponse(answer_ocsp(body), content_type=OCSP_TYPE)


@require_GET
def ocsp_get(request: HttpRequest, encoded: str) -> HttpResponse:
    try:
        der = base64.b64decode(unquote(encoded), validate=False)
    except (binascii.Error, ValueError):
        der = b""
    response = HttpResponse(answer_ocsp(der), content_type=OCSP_TYPE)
    response["Cache-Control"] = "max-age=60, public, no-transform, must-revalidate"
    return response


@require_GET
def crl(request: HttpRequest) -> HttpResponse:
    publication = services.current_crl()
    response = HttpResponse(bytes(publication.der), content_type="application/pkix-crl")
    response["Last-Modified"] = publication.this_update.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@require_GET
def root_crl(request: HttpRequest) -> HttpResponse:
    return HttpResponse(build_root_crl(authority()), content_type="application/pkix-crl")


@require_GET
def ca_chain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(authority().chain_pem(), content_type="application/x-pem-file")


@csrf_exempt
@require_http_methods(["POST"])
def tsa(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        tsa_respond(request.body[:65536]), content_type="application/timestamp-reply"
    )
