"""Pages of security operations, under /security/."""

from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("findings/", views.findings, name="findings"),
]
