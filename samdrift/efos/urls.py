"""Pages of the efos app."""

from django.urls import path  # noqa: F401

app_name = "efos"
urlpatterns: list = []
