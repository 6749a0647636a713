from django.urls import path
from django.views.generic import TemplateView

app_name = "onboarding"
urlpatterns = [
    path("", TemplateView.as_view(template_name="ui/placeholder.html"), name="case_list"),
    path(
        "requests/", TemplateView.as_view(template_name="ui/placeholder.html"), name="request_list"
    ),
    path(
        "demand/", TemplateView.as_view(template_name="ui/placeholder.html"), name="demand_report"
    ),
]
