from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("<int:pk>/", views.OrganisationDetailView.as_view(), name="detail"),
]
