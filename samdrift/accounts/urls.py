from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LocalLoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.TokenView.as_view(), name="tokens"),
    path("app-passwords/", views.AppPasswordView.as_view(), name="app_passwords"),
]
