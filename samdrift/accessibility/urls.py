"""Pages of the accessibility app."""

from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [
    path("", views.CheckView.as_view(), name="check"),
]
