from django.urls import path, re_path

from . import views

app_name = "chat"

urlpatterns = [
    path("workspaces/<int:workspace_id>/", views.room, name="room"),
    path("workspaces/<int:workspace_id>/provision/", views.provision, name="provision"),
    path("workspaces/<int:workspace_id>/export/", views.export, name="export"),
    path("workspaces/<int:workspace_id>/export.pdf", views.export_pdf, name="export_pdf"),
    path("workspaces/<int:workspace_id>/hold/", views.hold, name="hold"),
    path("workspaces/<int:workspace_id>/send/", views.send, name="send"),
    path("workspaces/<int:workspace_id>/react/", views.react, name="react"),
    path("workspaces/<int:workspace_id>/attach/", views.attach, name="attach"),
    path(
        "workspaces/<int:workspace_id>/archives/<int:archive_id>/<str:kind>/",
        views.archive_download,
        name="archive_download",
    ),
    path("sso/.well-known/openid-configuration", views.sso_discovery, name="sso_discovery"),
    path("sso/jwks", views.sso_jwks, name="sso_jwks"),
    path("sso/authorize", views.sso_authorize, name="sso_authorize"),
    path("sso/token", views.sso_token, name="sso_token"),
    path("homeserver/room-entry", views.room_entry, name="room_entry"),
    re_path(
        r"^appservice/_matrix/app/v1/transactions/(?P<txn_id>[^/]+)$",
        views.appservice_transaction,
        name="appservice_transaction",
    ),
    re_path(
        r"^appservice/_matrix/app/v1/(?P<rest>.+)$",
        views.appservice_query,
        name="appservice_query",
    ),
]
