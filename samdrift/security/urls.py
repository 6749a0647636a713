"""Pages of security operations, under /security/."""

from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:finding_id>/", views.finding, name="finding"),
    path("imports/", views.imports, name="imports"),
    path("cases/", views.security_cases, name="cases"),
    path("advisories/", views.advisories, name="advisories"),
    path("advisories/<int:advisory_id>/", views.advisory, name="advisory"),
    path("advisories/<int:advisory_id>/csaf.json", views.advisory_csaf, name="advisory_csaf"),
]
