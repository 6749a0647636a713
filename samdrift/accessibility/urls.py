"""Pages of the accessibility app."""

from django.urls import path  # noqa: F401

app_name = "accessibility"
urlpatterns: list = []
