"""Pages of the billing app."""

from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("invoices/export/", views.invoice_export, name="invoices_export"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/ubl/", views.invoice_ubl, name="invoice_ubl"),
    path("invoices/<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:invoice_id>/credit/", views.invoice_credit, name="invoice_credit"),
    path("invoices/<int:invoice_id>/correct/", views.invoice_correct, name="invoice_correct"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<str:period>/", views.run_detail, name="run"),
    path("runs/<str:period>/finalise/", views.run_finalise, name="run_finalise"),
    path("prices/", views.price_list, name="prices"),
    path("costs/", views.cost_list, name="costs"),
    path("ledger/", views.ledger, name="ledger"),
    path("usage/", views.usage_list, name="usage"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("allocation/", views.allocation, name="allocation"),
    path("fee-areas/", views.fee_areas, name="fee_areas"),
    path("fee-areas/<int:fee_area_id>/", views.fee_area, name="fee_area"),
    path("project-time/", views.project_time, name="project_time"),
    path("exit/", views.exit_settlement, name="exit"),
]
