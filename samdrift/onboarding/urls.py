from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseOpenView.as_view(), name="case_open"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path(
        "<int:pk>/checklist/<int:item_id>/",
        views.CaseActionView.as_view(action="check"),
        name="case_check",
    ),
    path(
        "<int:pk>/sign-off/", views.CaseActionView.as_view(action="sign_off"), name="case_sign_off"
    ),
    path("<int:pk>/advance/", views.CaseActionView.as_view(action="advance"), name="case_advance"),
    path("<int:pk>/cancel/", views.CaseCancelView.as_view(), name="case_cancel"),
    path("<int:pk>/documents/", views.CaseAttachmentAddView.as_view(), name="case_attachment_add"),
    path(
        "<int:pk>/documents/<int:attachment_id>/",
        views.CaseAttachmentDownloadView.as_view(),
        name="case_attachment",
    ),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestCreateView.as_view(), name="request_create"),
    path(
        "requests/<int:pk>/withdraw/",
        views.RequestStatusView.as_view(status="withdrawn"),
        name="request_withdraw",
    ),
    path(
        "requests/<int:pk>/decline/",
        views.RequestStatusView.as_view(status="declined"),
        name="request_decline",
    ),
    path("demand/", views.DemandReportView.as_view(), name="demand_report"),
    path("checklists/", views.ChecklistConfigView.as_view(), name="checklists"),
]
