"""Pages of the SAFOS workspaces, under /collaboration/."""

from django.urls import path

from . import share_views, views

app_name = "collaboration"
urlpatterns = [
    path("", views.workspace_list, name="workspaces"),
    path("invitations/", views.my_invitations, name="invitations"),
    path("search/", views.search, name="search"),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
    path("<int:workspace_id>/", views.workspace_detail, name="workspace"),
    path("<int:workspace_id>/upload/", views.upload, name="upload"),
    path("<int:workspace_id>/folders/", views.folder_create, name="folder_create"),
    path("<int:workspace_id>/classify/", views.workspace_classify, name="workspace_classify"),
    path(
        "<int:workspace_id>/publishing/",
        views.workspace_publishing,
        name="workspace_publishing",
    ),
    path("<int:workspace_id>/trash/", views.trash, name="trash"),
    path("<int:workspace_id>/members/", views.members, name="members"),
    path(
        "<int:workspace_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<int:workspace_id>/members/<int:member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "<int:workspace_id>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "<int:workspace_id>/members/<int:member_id>/transfer/",
        views.member_transfer,
        name="member_transfer",
    ),
    path("<int:workspace_id>/leave/", views.leave, name="leave"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path(
        "documents/<int:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path("documents/<int:document_id>/versions/", views.version_upload, name="version_upload"),
    path("documents/<int:document_id>/preview/", views.document_preview, name="document_preview"),
    path(
        "documents/<int:document_id>/versions/<int:number>/restore/",
        views.version_restore,
        name="version_restore",
    ),
    path("documents/<int:document_id>/lock/", views.document_lock, name="document_lock"),
    path("documents/<int:document_id>/unlock/", views.document_unlock, name="document_unlock"),
    path("documents/<int:document_id>/trash/", views.document_trash, name="document_trash"),
    path("documents/<int:document_id>/untrash/", views.document_untrash, name="document_untrash"),
    path("documents/<int:document_id>/publish/", views.document_publish, name="document_publish"),
    path(
        "documents/<int:document_id>/unpublish/",
        views.document_unpublish,
        name="document_unpublish",
    ),
    path("agencies/<int:agency_id>/scale/", views.agency_scale, name="agency_scale"),
    path(
        "documents/<int:document_id>/classify/",
        views.document_classify,
        name="document_classify",
    ),
    path(
        "documents/<int:document_id>/shares/",
        share_views.document_shares,
        name="document_shares",
    ),
    path("shares/<int:share_id>/revoke/", share_views.share_revoke, name="share_revoke"),
    path("shared/<str:token>/", share_views.shared, name="shared"),
    path("shared/<str:token>/download/", share_views.shared_download, name="shared_download"),
    path("documents/<int:document_id>/reads/", views.document_reads, name="document_reads"),
    path(
        "documents/<int:document_id>/reads.csv",
        views.document_reads_csv,
        name="document_reads_csv",
    ),
]
