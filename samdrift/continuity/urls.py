"""Pages of the Program 2032 sites, under /continuity/."""

from django.urls import path

from . import views

app_name = "continuity"
urlpatterns = [
    path("sites/", views.sites, name="sites"),
    path("sites/lose/", views.lose, name="lose"),
    path("sites/add/", views.site_add, name="site_add"),
    path("sites/place/", views.place, name="place"),
    path("sites/policy/", views.policy, name="policy"),
    path("sites/placements/<int:placement_id>/remove/", views.unplace, name="unplace"),
    path("drills/", views.drills, name="drills"),
]
