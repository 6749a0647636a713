"""Pages of service operations, under /operations/."""

from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("", views.incident_list, name="incidents"),
    path("report/", views.incident_report, name="report"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path(
        "incidents/<int:incident_id>/transition/",
        views.incident_transition,
        name="incident_transition",
    ),
]
