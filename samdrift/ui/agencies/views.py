"""Agency pages: search the register, see one agency with its hierarchy, cases and connections,
and (for its administrators) manage who works for it.

In `ui` because they combine several apps' data (agencies, the catalogue, onboarding's cases and
subscriptions, the audit trail), each read through that app's selectors (ADR 0047)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView, View

from samdrift.audit.selectors import object_history
from samdrift.catalogue.selectors import service_list
from samdrift.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from samdrift.core.views import DomainErrorMixin
from samdrift.onboarding.selectors import case_list, request_list, subscription_list
from samdrift.organisations import services
from samdrift.organisations.permissions import assignable_roles, membership_abilities
from samdrift.organisations.selectors import (
    member_list,
    ministries,
    organisation_get,
    organisation_list,
)

from .forms import MemberAddForm

if TYPE_CHECKING:
    from samdrift.organisations.models import Organisation


def _role_choices(organisation: Organisation) -> list[tuple[str, Any]]:
    return [(role.value, role.label) for role in assignable_roles(organisation)]


def _members_url(pk: int) -> str:
    return reverse("organisations:detail", args=[pk]) + "#members"


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
        member_abilities = membership_abilities(actor=actor, organisation=organisation)
        return {
            **super().get_context_data(**kwargs),
            "nav": "agencies",
            "organisation": organisation,
            "children": children,
            "cases": case_list(actor=actor, organisation_id=organisation.id),
            "subscriptions": subscription_list(actor=actor, organisation_id=organisation.id),
            "requests": request_list(actor=actor).filter(organisation=organisation)[:50],
            "member_abilities": member_abilities,
            "members": member_list(actor=actor, organisation=organisation)
            if member_abilities["view"]
            else None,
            "roles": _role_choices(organisation),
            "add_member_form": kwargs.get("add_member_form")
            or MemberAddForm(roles=_role_choices(organisation)),
            "history": object_history(
                actor=actor,
                object_type="organisations.organisation",
                object_ids=[str(organisation.id)],
            ),
        }


class MemberAddView(OrganisationDetailView):
    """Add an existing user with a role; a refusal shows next to the field on the same page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        organisation = organisation_get(actor=actor, org_id=pk)
        form = MemberAddForm(request.POST, roles=_role_choices(organisation))
        if form.is_valid():
            try:
                membership = services.membership_add(
                    actor=actor,
                    organisation_id=organisation.id,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ValidationFailed as error:
                for field, field_errors in error.errors.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
            except PermissionDenied as error:
                # Only administrators see the form: say it where anyone will read it.
                messages.error(request, str(error))
                return HttpResponseRedirect(reverse("organisations:detail", args=[pk]))
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(user)s is now %(role)s.")
                    % {
                        "user": membership.user.get_username(),
                        "role": membership.get_role_display(),
                    },
                )
                return HttpResponseRedirect(_members_url(pk))
        return self.render_to_response(self.get_context_data(add_member_form=form))


class MemberActionView(LoginRequiredMixin, DomainErrorMixin, View):
    """Change a member's role or end the membership. A refusal explains itself on the agency's
    page and changes nothing."""

    action = ""

    def post(self, request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        try:
            if self.action == "role":
                services.membership_change_role(
                    actor=actor,
                    organisation_id=pk,
                    membership_id=membership_id,
                    role=request.POST.get("role", ""),
                )
                messages.success(request, _("The role is changed."))
            else:
                services.membership_end(
                    actor=actor, organisation_id=pk, membership_id=membership_id
                )
                messages.success(request, _("The membership is ended."))
        except DomainError as error:
            if error.http_status == 404:
                raise
            messages.error(request, str(error))
        return HttpResponseRedirect(_members_url(pk))
