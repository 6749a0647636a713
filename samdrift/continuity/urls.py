"""Pages of the Program 2032 sites, under /continuity/."""

from django.urls import path

from . import views

app_name = "continuity"
urlpatterns = [
    path("sites/", views.sites, name="sites"),
    path("sites/lose/", views.lose, name="lose"),
    path("drills/", views.drills, name="drills"),
]
