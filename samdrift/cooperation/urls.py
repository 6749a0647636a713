"""Pages of the DSAM evaluations and steering group decisions, under /cooperation/."""

from django.urls import path

from . import views

app_name = "cooperation"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.catalogue_import, name="catalogue_import"),
    path("catalogues/<str:code>/", views.catalogue, name="catalogue"),
    path("evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("evaluations/<str:code>/", views.evaluation, name="evaluation"),
    path("evaluations/<str:code>/report.pdf", views.report_pdf, name="report"),
    path("evaluations/<str:code>/solutions/", views.solution_add, name="solution_add"),
    path("evaluations/<str:code>/assess/", views.assess, name="assess"),
    path("evaluations/<str:code>/publish/", views.publish, name="publish"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/record/", views.decision_record, name="decision_record"),
    path("decisions/<int:decision_id>/", views.decision, name="decision"),
]
