"""Agency pages: search the register, see one agency with its hierarchy, cases and connections."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView, TemplateView

from samdrift.audit.selectors import object_history
from samdrift.catalogue.selectors import service_list
from samdrift.core.views import DomainErrorMixin
from samdrift.onboarding.selectors import case_list, request_list, subscription_list

from .selectors import ministries, organisation_get, organisation_list


class OrganisationListView(LoginRequiredMixin, ListView):
    template_name = "organisations/list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        params = self.request.GET
        return organisation_list(
            actor=self.request.actor,  # type: ignore[attr-defined]
            search=params.get("q", "").strip(),
            ministry=params.get("ministry", ""),
            connected_service=params.get("service", ""),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        query = params.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "nav": "agencies",
            "ministries": ministries(),
            "services": service_list(actor=self.request.actor),  # type: ignore[attr-defined]
            "q": params.get("q", ""),
            "ministry": params.get("ministry", ""),
            "service": params.get("service", ""),
            "querystring": query.urlencode(),
        }


class OrganisationDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "organisations/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        organisation = organisation_get(actor=actor, org_id=self.kwargs["pk"])
        children = organisation_list(actor=actor).filter(parent=organisation)
        return {
            **super().get_context_data(**kwargs),
            "nav": "agencies",
            "organisation": organisation,
            "children": children,
            "cases": case_list(actor=actor, organisation_id=organisation.id),
            "subscriptions": subscription_list(actor=actor, organisation_id=organisation.id),
            "requests": request_list(actor=actor).filter(organisation=organisation)[:50],
            "history": object_history(
                actor=actor,
                object_type="organisations.organisation",
                object_ids=[str(organisation.id)],
            ),
        }
