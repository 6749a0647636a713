"""Pages of the identity app."""

from django.urls import path  # noqa: F401

app_name = "identity"
urlpatterns: list = []
