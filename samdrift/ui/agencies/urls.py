from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("<int:pk>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<int:pk>/invitations/", views.InviteView.as_view(), name="invite"),
    path(
        "invitations/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "<int:pk>/members/<int:membership_id>/role/",
        views.MemberActionView.as_view(action="role"),
        name="member_role",
    ),
    path(
        "<int:pk>/members/<int:membership_id>/end/",
        views.MemberActionView.as_view(action="end"),
        name="member_end",
    ),
]
