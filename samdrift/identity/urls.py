"""Pages of the identity app: e-ID login as a relying party, step-up, access requests."""

from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("login/", views.LoginChoicesView.as_view(), name="login"),
    path("login/<slug:slug>/", views.LoginStartView.as_view(), name="login_start"),
    path("callback/", views.CallbackView.as_view(), name="callback"),
    path("step-up/", views.StepUpView.as_view(), name="step_up"),
    path("session/", views.SessionView.as_view(), name="session"),
    path("access/", views.AccessRequestView.as_view(), name="access_request"),
    path("access-requests/", views.AccessRequestListView.as_view(), name="access_request_list"),
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("jwks.json", views.JwksView.as_view(), name="jwks"),
]
