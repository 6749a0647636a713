from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<int:job_id>/", views.JobDetailView.as_view(), name="detail"),
    path("<int:job_id>/file/", views.JobFileView.as_view(), name="file"),
]
