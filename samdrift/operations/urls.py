"""Pages of service operations, under /operations/."""

from django.urls import path

from . import capacity_views, legal_views, matrix_views, survey_views, views, work_views

app_name = "operations"
urlpatterns = [
    path("", views.incident_list, name="incidents"),
    path("report/", views.incident_report, name="report"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/<int:survey_id>/", survey_views.survey_detail, name="survey"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path(
        "incidents/<int:incident_id>/transition/",
        views.incident_transition,
        name="incident_transition",
    ),
    path("incidents/<int:incident_id>/note/", work_views.incident_note, name="incident_note"),
    path(
        "incidents/<int:incident_id>/respond/", work_views.incident_respond, name="incident_respond"
    ),
    path(
        "incidents/<int:incident_id>/priority/",
        work_views.incident_priority,
        name="incident_priority",
    ),
    path("incidents/<int:incident_id>/wait/", work_views.incident_wait, name="incident_wait"),
    path("incidents/<int:incident_id>/major/", work_views.incident_major, name="incident_major"),
    path("incidents/<int:incident_id>/parent/", work_views.incident_parent, name="incident_parent"),
    path(
        "incidents/<int:incident_id>/problem/", work_views.incident_problem, name="incident_problem"
    ),
    path("problems/", work_views.problem_list, name="problems"),
    path("problems/<int:problem_id>/", work_views.problem_detail, name="problem"),
    path(
        "problems/<int:problem_id>/known-error/",
        work_views.problem_known_error,
        name="problem_known_error",
    ),
    path(
        "problems/<int:problem_id>/transition/",
        work_views.problem_transition,
        name="problem_transition",
    ),
    path("changes/", work_views.change_list, name="changes"),
    path("changes/<int:change_id>/", work_views.change_detail, name="change"),
    path(
        "changes/<int:change_id>/transition/",
        work_views.change_transition,
        name="change_transition",
    ),
    path(
        "changes/<int:change_id>/reschedule/",
        work_views.change_reschedule,
        name="change_reschedule",
    ),
    path("capacity/", capacity_views.capacity_list, name="capacity"),
    path("capacity/<str:code>/", capacity_views.capacity_service, name="capacity_service"),
    path("matrices/", matrix_views.matrix_list, name="matrices"),
    path("matrices/<int:matrix_id>/", matrix_views.matrix_detail, name="matrix"),
    path("matrices/<int:matrix_id>/publish/", matrix_views.matrix_publish, name="matrix_publish"),
    path("incidents/<int:incident_id>/route/", matrix_views.incident_route, name="incident_route"),
    path(
        "incidents/<int:incident_id>/escalate/",
        matrix_views.incident_escalate,
        name="incident_escalate",
    ),
    path(
        "incidents/<int:incident_id>/legal/",
        legal_views.classify,
        name="incident_classify",
    ),
    path(
        "incidents/<int:incident_id>/legal/<slug:regime>/<slug:code>/",
        legal_views.report,
        name="legal_report",
    ),
    path(
        "incidents/<int:incident_id>/legal/<slug:regime>/<slug:code>/<int:customer>/",
        legal_views.report,
        name="legal_report_customer",
    ),
    path(
        "incidents/<int:incident_id>/legal/<slug:regime>/<slug:code>/report.<str:fmt>",
        legal_views.download,
        name="legal_download",
    ),
    path(
        "incidents/<int:incident_id>/legal/<slug:regime>/<slug:code>/<int:customer>/report.<str:fmt>",
        legal_views.download,
        name="legal_download_customer",
    ),
    path("availability/", views.availability, name="availability"),
    path(
        "availability/services/<str:code>/",
        views.availability_service,
        name="availability_service",
    ),
    path(
        "availability/agencies/<int:agency_id>/",
        views.availability_agency,
        name="availability_agency",
    ),
    path("status/", views.status_list, name="status"),
    path("status/<str:code>/", views.status_service, name="status_service"),
    path("outages/new/", views.outage_record, name="outage_record"),
    path("outages/<int:outage_id>/end/", views.outage_end, name="outage_end"),
]
