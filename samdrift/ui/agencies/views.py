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
from samdrift.core.views import DomainErrorMixin, PagedListMixin
from samdrift.onboarding.selectors import case_list, request_list, subscription_list
from samdrift.organisations import services
from samdrift.organisations.permissions import assignable_roles, membership_abilities
from samdrift.organisations.selectors import (
    invitation_by_token,
    invitation_list,
    member_list,
    ministries,
    organisation_get,
    organisation_list,
)

from .forms import InviteForm

if TYPE_CHECKING:
    from samdrift.organisations.models import Organisation


def _role_choices(organisation: Organisation) -> list[tuple[str, Any]]:
    return [(role.value, role.label) for role in assignable_roles(organisation)]


def _members_url(pk: int) -> str:
    return reverse("organisations:detail", args=[pk]) + "#members"


class OrganisationListView(LoginRequiredMixin, PagedListMixin, ListView):
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
            "invite_form": kwargs.get("invite_form")
            or InviteForm(roles=_role_choices(organisation)),
            "invitations": invitation_list(actor=actor, organisation=organisation)
            if member_abilities["manage"]
            else None,
            "history": object_history(
                actor=actor,
                object_type="organisations.organisation",
                object_ids=[str(organisation.id)],
            ),
        }


class InviteView(OrganisationDetailView):
    """Invite an e-mail address with a role (ADR 0111). The answer is the same whether an account
    with the address exists or not; a refusal shows next to the field on the same page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        organisation = organisation_get(actor=actor, org_id=pk)
        form = InviteForm(request.POST, roles=_role_choices(organisation))
        if form.is_valid():
            try:
                invitation = services.invitation_send(
                    actor=actor,
                    organisation_id=organisation.id,
                    email=form.cleaned_data["email"],
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
                    _(
                        "An invitation to be %(role)s is sent to %(email)s. The role is given "
                        "when the invitation is accepted."
                    )
                    % {"email": invitation.email, "role": invitation.get_role_display()},
                )
                return HttpResponseRedirect(_members_url(pk))
        return self.render_to_response(self.get_context_data(invite_form=form))


class InvitationAcceptView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    """The invited person, logged in, sees the agency and role and accepts (ADR 0111)."""

    template_name = "organisations/invitation_accept.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor  # type: ignore[attr-defined]
        context["invitation"] = invitation_by_token(actor=actor, token=self.kwargs["token"])
        return context

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        try:
            membership = services.invitation_accept(actor=actor, token=token)
        except PermissionDenied as error:
            return self.render_to_response(self.get_context_data(refusal=str(error)), status=403)
        messages.success(
            request,
            _("You are now %(role)s for %(agency)s.")
            % {"role": membership.get_role_display(), "agency": membership.organisation.name},
        )
        return HttpResponseRedirect(
            reverse("organisations:detail", args=[membership.organisation_id])
        )


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
