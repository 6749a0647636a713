"""Catalogue pages: the services, their service levels and what they build on.

In `ui` because a service's page shows onboarding's subscriptions and the audit trail beside the
catalogue's own data (ADR 0047)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from samdrift.audit.selectors import object_history
from samdrift.catalogue.choices import Lifecycle
from samdrift.catalogue.selectors import service_get, service_list
from samdrift.core.views import DomainErrorMixin
from samdrift.onboarding.selectors import subscription_list


class ServiceListView(LoginRequiredMixin, TemplateView):
    template_name = "catalogue/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lifecycle = self.request.GET.get("lifecycle", "")
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "services": service_list(actor=self.request.actor, lifecycle=lifecycle),  # type: ignore[attr-defined]
            "lifecycles": Lifecycle.choices,
            "lifecycle": lifecycle,
        }


class ServiceDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        service = service_get(actor=actor, code=self.kwargs["code"])
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "service": service,
            "subscriptions": subscription_list(actor=actor, service_code=service.code)[:100],
            "history": object_history(
                actor=actor, object_type="catalogue.service", object_ids=[str(service.id)]
            ),
        }
