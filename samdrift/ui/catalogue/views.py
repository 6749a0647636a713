"""Catalogue pages: the services, their service levels and what they build on, and the forms
with which a provider's service managers keep them (ADR 0220).

In `ui` because a service's page shows onboarding's subscriptions, identity's level of assurance
and the audit trail beside the catalogue's own data (ADR 0047)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from samdrift.audit.selectors import object_history
from samdrift.catalogue import services as catalogue_services
from samdrift.catalogue.choices import TRANSITIONS, Lifecycle
from samdrift.catalogue.permissions import category_abilities, service_abilities
from samdrift.catalogue.selectors import (
    category_list,
    default_provider_id,
    dependency_edges,
    managed_providers,
    service_for_change,
    service_get,
    service_list,
)
from samdrift.core.exceptions import DomainError
from samdrift.core.views import DomainErrorMixin
from samdrift.identity import services as identity_services
from samdrift.identity.selectors import required_rank_for_service
from samdrift.onboarding.selectors import subscription_list

from .forms import (
    CategoryForm,
    DependencyForm,
    ServiceCreateForm,
    ServiceEditForm,
    TransitionForm,
    add_domain_error,
)
from .graph import Node, dependency_svg


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in category_list()]


class ServiceListView(LoginRequiredMixin, TemplateView):
    template_name = "catalogue/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lifecycle = self.request.GET.get("lifecycle", "")
        actor = _actor(self.request)
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "services": service_list(actor=actor, lifecycle=lifecycle),
            "lifecycles": Lifecycle.choices,
            "lifecycle": lifecycle,
            "may_create": managed_providers(actor=actor).exists(),
        }


class ServiceDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        service = service_get(actor=actor, code=self.kwargs["code"])
        abilities = service_abilities(actor=actor, service=service)
        linked = {link.depends_on_id for link in service.dependency_links.all()}
        candidates = [
            (s.code, f"{s.code} – {s.name}")
            for s in service_list(actor=actor)
            if s.id != service.id
            and s.id not in linked
            and s.lifecycle in (Lifecycle.DRAFT, Lifecycle.ACTIVE)
        ]
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "service": service,
            "abilities": abilities,
            "min_rank": required_rank_for_service(service_id=service.id),
            "next_states": [Lifecycle(s) for s in sorted(TRANSITIONS[service.lifecycle])],
            "transition_form": TransitionForm(initial={"version": service.version}),
            "dependency_form": DependencyForm(candidates=candidates),
            "subscriptions": subscription_list(actor=actor, service_code=service.code)[:100],
            "history": object_history(
                actor=actor, object_type="catalogue.service", object_ids=[str(service.id)]
            ),
        }


class ServiceCreateView(LoginRequiredMixin, TemplateView):
    template_name = "catalogue/service_form.html"

    def _form(self, data: Any = None) -> ServiceCreateForm:
        providers = [(p.id, p.name) for p in managed_providers(actor=_actor(self.request))]
        if not providers:
            raise Http404
        return ServiceCreateForm(data, providers=providers, categories=_categories())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or self._form()
        return {**super().get_context_data(**kwargs), "nav": "catalogue", "form": form}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            actor = _actor(request)
            try:
                service = catalogue_services.service_create(
                    actor=actor,
                    provider_id=form.cleaned_data["provider"],
                    code=form.cleaned_data["code"],
                    data=form.service_input(),
                )
                if form.min_rank_value() is not None:
                    identity_services.assurance_requirement_set(
                        actor=actor, code=service.code, min_rank=form.min_rank_value()
                    )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The service is saved as a draft."))
                return redirect("catalogue:detail", service.code)
        return self.render_to_response(self.get_context_data(form=form))


class ServiceEditView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/service_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        service = kwargs.pop("service", None) or service_for_change(
            actor=actor, code=self.kwargs["code"]
        )
        form = kwargs.pop("form", None) or ServiceEditForm(
            initial={
                **{name: getattr(service, name) for name in catalogue_services.SERVICE_FIELDS},
                "category": service.category.code,
                "version": service.version,
                "min_rank": str(required_rank_for_service(service_id=service.id) or ""),
            },
            categories=_categories(),
        )
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "service": service,
            "form": form,
        }

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        actor = _actor(request)
        service = service_for_change(actor=actor, code=code)
        form = ServiceEditForm(request.POST, categories=_categories())
        if form.is_valid():
            try:
                catalogue_services.service_update(
                    actor=actor,
                    code=service.code,
                    expected_version=form.cleaned_data["version"],
                    data=form.service_input(),
                )
                identity_services.assurance_requirement_set(
                    actor=actor, code=service.code, min_rank=form.min_rank_value()
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The service is saved."))
                return redirect("catalogue:detail", service.code)
        return self.render_to_response(self.get_context_data(form=form, service=service))


class ServiceTransitionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST only: one step along the lifecycle. A refusal explains itself and changes nothing."""

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        actor = _actor(request)
        service = service_for_change(actor=actor, code=code)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete. Reload the page and try again."))
            return redirect("catalogue:detail", service.code)
        try:
            updated = catalogue_services.service_transition(
                actor=actor,
                code=service.code,
                to=form.cleaned_data["to"],
                expected_version=form.cleaned_data["version"],
                retirement_date=form.cleaned_data["retirement_date"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The service is now %(state)s.") % {"state": updated.get_lifecycle_display()},
            )
        return redirect("catalogue:detail", service.code)


class DependencyAddView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        actor = _actor(request)
        service = service_for_change(actor=actor, code=code)
        try:
            catalogue_services.dependency_add(
                actor=actor,
                code=service.code,
                depends_on_code=request.POST.get("depends_on", ""),
                reason_sv=request.POST.get("reason_sv", ""),
                reason_en=request.POST.get("reason_en", ""),
            )
        except DomainError as error:
            messages.error(request, str(error))
            if getattr(error, "errors", None):
                for field_errors in error.errors.values():  # type: ignore[attr-defined]
                    for message in field_errors:
                        messages.error(request, message)
        else:
            messages.success(request, _("The dependency is added."))
        return redirect("catalogue:detail", service.code)


class DependencyRemoveView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request: HttpRequest, code: str, depends_on: str) -> HttpResponse:
        actor = _actor(request)
        service = service_for_change(actor=actor, code=code)
        try:
            catalogue_services.dependency_remove(
                actor=actor, code=service.code, depends_on_code=depends_on
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The dependency is removed."))
        return redirect("catalogue:detail", service.code)


class DependencyGraphView(LoginRequiredMixin, TemplateView):
    """The dependency graph as a picture, with the same edges as a table (its text alternative)."""

    template_name = "catalogue/graph.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        edges = dependency_edges(actor=actor)
        nodes = [
            Node(s.code, s.name, muted=s.lifecycle != Lifecycle.ACTIVE)
            for s in service_list(actor=actor).exclude(lifecycle=Lifecycle.RETIRED)
        ]
        shown = {node.code for node in nodes}
        pairs = [
            (e.service.code, e.depends_on.code)
            for e in edges
            if e.service.code in shown and e.depends_on.code in shown
        ]
        svg = dependency_svg(
            nodes,
            pairs,
            title=_("Service dependencies"),
            description=_(
                "Each arrow points from a service to a service it needs. "
                "The table below lists the same dependencies."
            ),
        )
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "svg": svg,
            "edges": edges,
        }


class CategoryView(LoginRequiredMixin, TemplateView):
    template_name = "catalogue/categories.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        return {
            **super().get_context_data(**kwargs),
            "nav": "catalogue",
            "categories": category_list(),
            "may_manage": category_abilities(actor=actor, owner_id=default_provider_id())["manage"],
            "form": kwargs.get("form") or CategoryForm(),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                catalogue_services.category_save(actor=_actor(request), **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The category is saved."))
                return redirect("catalogue:categories")
        return self.render_to_response(self.get_context_data(form=form))
