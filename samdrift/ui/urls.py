from django.urls import path

from . import health, profile_views, start_views, views
from .search_views import search

app_name = "ui"
urlpatterns = [
    path("", start_views.StartView.as_view(), name="start"),
    path("overview/", views.DashboardView.as_view(), name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("profile/", profile_views.ProfileView.as_view(), name="profile"),
    path("search/", search, name="search"),
]
