from django.urls import path

from . import views

app_name = "coediting"

urlpatterns = [
    path("workspace/<int:workspace_id>/", views.doc_list, name="list"),
    path("<int:doc_id>/", views.doc_detail, name="doc"),
    path("<int:doc_id>/versions/", views.version_keep, name="version_keep"),
    path("<int:doc_id>/export.<str:fmt>", views.export, name="export"),
    path(
        "<int:doc_id>/versions/<int:version_id>/restore/",
        views.version_restore,
        name="version_restore",
    ),
]
