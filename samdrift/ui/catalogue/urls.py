"""Catalogue pages: the services, who subscribes to each, and keeping them (ADR 0220)."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.ServiceListView.as_view(), name="list"),
    path("new/", views.ServiceCreateView.as_view(), name="create"),
    path("graph/", views.DependencyGraphView.as_view(), name="graph"),
    path("categories/", views.CategoryView.as_view(), name="categories"),
    path("<str:code>/", views.ServiceDetailView.as_view(), name="detail"),
    path("<str:code>/edit/", views.ServiceEditView.as_view(), name="edit"),
    path("<str:code>/lifecycle/", views.ServiceTransitionView.as_view(), name="transition"),
    path("<str:code>/dependencies/", views.DependencyAddView.as_view(), name="dependency_add"),
    path(
        "<str:code>/dependencies/<str:depends_on>/remove/",
        views.DependencyRemoveView.as_view(),
        name="dependency_remove",
    ),
]
