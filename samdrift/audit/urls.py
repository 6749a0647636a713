from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.TrailView.as_view(), name="trail"),
    path("export.csv", views.TrailExportView.as_view(), name="export"),
]
