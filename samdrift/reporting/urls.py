"""Pages of the reporting app, under /reports/."""

from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("government/<int:year>/", views.government_report_page, name="government"),
    path("government/<int:year>/pdf/", views.government_report_pdf, name="government_pdf"),
    path(
        "government/<int:year>/pdf/prepare/",
        views.government_report_pdf_prepare,
        name="government_pdf_prepare",
    ),
    path("government/<int:year>/text/", views.report_text_edit, name="text_edit"),
    path("government/<int:year>/decision/", views.report_decision_edit, name="decision_edit"),
    path("government/<int:year>/sign/", views.report_sign, name="sign"),
    path("government/<int:year>/signed.pdf", views.signed_report_download, name="signed_pdf"),
]
