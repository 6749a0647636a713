"""The site's URLs plus two that fail, so the tests can see the 500 handler's page and body."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as site


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure for the error page test")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a deliberate bad request for the error page test")


handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
urlpatterns = [
    path("api/fails/", fails),
    path("fails/", fails),
    path("suspicious/", suspicious),
    *site.urlpatterns,
]
