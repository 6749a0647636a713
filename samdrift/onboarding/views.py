"""Pages for demand and connection cases. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from samdrift.audit.selectors import object_history
from samdrift.catalogue.selectors import service_list
from samdrift.core.exceptions import DomainError, NotFound
from samdrift.core.files import services as files
from samdrift.core.files.responses import file_response
from samdrift.core.views import DomainErrorMixin, PagedListMixin
from samdrift.organisations.selectors import visible_organisations

from . import services
from .charts import demand_chart
from .choices import PHASE_ORDER, Phase, PlanOutcome, RequestStatus
from .exports import demand_csv, demand_xlsx
from .forms import (
    CancelForm,
    CaseFilterForm,
    CaseOpenForm,
    ChecklistTemplateForm,
    DemandFilterForm,
    ServiceRequestForm,
    VersionForm,
)
from .permissions import (
    can_open_case,
    can_request_for,
    case_abilities,
    compares_providers,
    request_abilities,
)
from .selectors import (
    attachment_list,
    case_forecast,
    case_get,
    case_list,
    demand_report,
    lead_times,
    phase_medians,
    plan_outcome,
    request_get,
    request_list,
)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _organisation_choices(request: HttpRequest, *, for_requests: bool) -> list[tuple[int, str]]:
    actor = _actor(request)
    orgs = visible_organisations(actor).filter(is_group=False).order_by("name").only("id", "name")
    if for_requests and not actor.is_provider_staff:
        return [(o.id, o.name) for o in orgs if can_request_for(actor, o.id)]
    return [(o.id, o.name) for o in orgs]


class CaseListView(LoginRequiredMixin, PagedListMixin, ListView):
    template_name = "onboarding/case_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        self.filter_form = CaseFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return case_list(actor=_actor(self.request), **{k: v for k, v in filters.items() if v})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "nav": "cases",
            "filter_form": self.filter_form,
            "querystring": query.urlencode(),
            "can_open": can_open_case(_actor(self.request)),
        }


class CaseOpenView(LoginRequiredMixin, TemplateView):
    template_name = "onboarding/case_open.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or CaseOpenForm(
            organisations=_organisation_choices(self.request, for_requests=False)
        )
        return {**super().get_context_data(**kwargs), "nav": "cases", "form": form}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CaseOpenForm(
            request.POST, organisations=_organisation_choices(request, for_requests=False)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=_actor(request),
                    organisation_id=data["organisation"],
                    scope=data["scope"],
                    service_codes=data["services"],
                    agreement_basis=data["agreement_basis"],
                    opened_on=data["opened_on"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The connection case is opened in Initiera."))
                return redirect("onboarding:case_detail", case.id)
        return self.render_to_response(self.get_context_data(form=form))


class CaseDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "onboarding/case_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        case = case_get(actor=actor, case_id=self.kwargs["pk"])
        items = [item for item in case.checklist_items.all() if item.phase == case.phase]
        signoffs = {s.phase: s for s in case.signoffs.all()}
        abilities = case_abilities(
            actor=actor,
            case=case,
            checklist_done=all(i.done_at for i in items),
            signed_off=case.phase in signoffs,
        )
        return {
            **super().get_context_data(**kwargs),
            "nav": "cases",
            "case": case,
            "items": items,
            "abilities": abilities,
            "signoff": signoffs.get(case.phase),
            "phases": [
                (p, Phase(p).label, PHASE_ORDER.index(p) <= PHASE_ORDER.index(case.phase))
                for p in PHASE_ORDER
            ],
            "lead_times": lead_times(case),
            "forecast": case_forecast(case, phase_medians(), timezone.now()),
            "events": case.events.all(),
            "history": object_history(
                actor=actor, object_type="onboarding.connectioncase", object_ids=[str(case.id)]
            ),
            "cancel_form": kwargs.get("cancel_form")
            or CancelForm(initial={"version": case.version}),
            "attachments": attachment_list(actor=actor, case_id=case.id),
            "attachment_limit_mb": files.max_upload_bytes() // (1024 * 1024),
            "now": timezone.now(),
        }


class CaseActionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST-only actions on a case. A refused action explains itself and changes nothing."""

    action = ""

    def post(self, request: HttpRequest, pk: int, item_id: int | None = None) -> HttpResponse:
        actor = _actor(request)
        case = case_get(actor=actor, case_id=pk)
        form = VersionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete. Reload the page and try again."))
            return redirect("onboarding:case_detail", pk)
        version = form.cleaned_data["version"]
        try:
            self.perform(
                actor, case, version, form.cleaned_data.get("comment", ""), item_id, request
            )
        except DomainError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(
            reverse("onboarding:case_detail", args=[pk]) + ("#checklist" if item_id else "")
        )

    def perform(
        self,
        actor: Any,
        case: Any,
        version: int,
        comment: str,
        item_id: int | None,
        request: HttpRequest,
    ) -> None:
        if self.action == "check":
            assert item_id is not None  # noqa: S101 - the URL always carries it
            services.checklist_set(
                actor=actor,
                case=case,
                item_id=item_id,
                done=request.POST.get("done") == "1",
                expected_version=version,
            )
        elif self.action == "sign_off":
            services.phase_sign_off(
                actor=actor, case=case, comment=comment, expected_version=version
            )
            messages.success(request, _("The phase is signed off."))
        elif self.action == "advance":
            updated = services.case_advance(actor=actor, case=case, expected_version=version)
            messages.success(
                request,
                _("The case is now in %(phase)s.") % {"phase": updated.get_phase_display()}
                if updated.state == "open"
                else _("The case is completed."),
            )


class CaseAttachmentAddView(LoginRequiredMixin, DomainErrorMixin, View):
    """Upload a document (multipart form). Django has already streamed a large file to a
    temporary file; the service streams it on to storage."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            try:
                attachment = services.attachment_add(
                    actor=_actor(request),
                    case_id=pk,
                    upload=upload,
                    name=upload.name or "",
                    content_type=upload.content_type,
                )
            except NotFound:
                raise
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("%(name)s is added to the case.") % {"name": attachment.file.name}
                )
        return HttpResponseRedirect(reverse("onboarding:case_detail", args=[pk]) + "#attachments")


class CaseAttachmentDownloadView(LoginRequiredMixin, DomainErrorMixin, View):
    def get(self, request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
        stored = services.attachment_download(
            actor=_actor(request), case_id=pk, attachment_id=attachment_id
        )
        return file_response(stored, request)


class CaseCancelView(CaseDetailView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = _actor(request)
        case = case_get(actor=actor, case_id=pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.case_cancel(
                    actor=actor,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The case is cancelled."))
            return redirect("onboarding:case_detail", pk)
        return self.render_to_response(self.get_context_data(cancel_form=form))


def _plan_label(outcome: str | None) -> str:
    return str(PlanOutcome(outcome).label) if outcome else ""


class RequestListView(LoginRequiredMixin, PagedListMixin, ListView):
    template_name = "onboarding/request_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        params = self.request.GET
        return request_list(
            actor=_actor(self.request),
            service_code=params.get("service", ""),
            status=params.get("status", ""),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["rows"] = [
            (r, request_abilities(actor=actor, request=r), _plan_label(plan_outcome(r, today)))
            for r in context["object_list"]
        ]
        return {
            **context,
            "nav": "requests",
            "services": service_list(actor=actor),
            "statuses": RequestStatus.choices,
            "service": self.request.GET.get("service", ""),
            "status": self.request.GET.get("status", ""),
            "querystring": query.urlencode(),
            "can_create": bool(_organisation_choices(self.request, for_requests=True))
            or actor.is_provider_staff,
        }


class RequestCreateView(LoginRequiredMixin, TemplateView):
    template_name = "onboarding/request_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or ServiceRequestForm(
            organisations=_organisation_choices(self.request, for_requests=True)
        )
        return {**super().get_context_data(**kwargs), "nav": "requests", "form": form}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceRequestForm(
            request.POST, organisations=_organisation_choices(request, for_requests=True)
        )
        if form.is_valid():
            try:
                services.request_create(
                    actor=_actor(request),
                    organisation_id=form.cleaned_data["organisation"],
                    service_code=form.cleaned_data["service"],
                    note=form.cleaned_data["note"],
                    planned_on=form.cleaned_data["planned_on"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The request is registered."))
                return redirect("onboarding:request_list")
        return self.render_to_response(self.get_context_data(form=form))


class RequestStatusView(LoginRequiredMixin, DomainErrorMixin, View):
    status = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        service_request = request_get(actor=_actor(request), request_id=pk)
        try:
            services.request_set_status(
                actor=_actor(request), request=service_request, status=self.status
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The request is updated."))
        return redirect("onboarding:request_list")


class DemandReportView(LoginRequiredMixin, TemplateView):
    template_name = "onboarding/demand_report.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = _actor(request)
        form = DemandFilterForm(
            request.GET or {"year": timezone.localdate().year, "basis": "assignment"},
            compares_providers=compares_providers(actor),
        )
        if not form.is_valid():
            return self.render_to_response({"nav": "demand", "form": form, "report": None})
        basis = form.cleaned_data["basis"]
        report = demand_report(
            actor=actor,
            year=form.cleaned_data["year"],
            basis=None if basis == "all" else basis,
            across_providers=form.across_providers,
        )
        export = request.GET.get("format")
        across = "-alla-leverantorer" if report.across_providers else ""
        filename = f"efterfragan-{report.year}-{basis}{across}"
        if export == "csv":
            response = HttpResponse(demand_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if export == "xlsx":
            response = HttpResponse(
                demand_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
            return response
        query = request.GET.copy()
        query["year"], query["basis"] = str(report.year), basis
        query["providers"] = "all" if report.across_providers else "own"
        return self.render_to_response(
            {
                "nav": "demand",
                "form": form,
                "report": report,
                "chart": demand_chart(report),
                "query": query.urlencode(),
            }
        )


class ChecklistConfigView(LoginRequiredMixin, TemplateView):
    """Provider staff configure each phase's checklist."""

    template_name = "onboarding/checklists.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .selectors import checklist_templates

        actor = _actor(self.request)
        return {
            **super().get_context_data(**kwargs),
            "nav": "cases",
            "phases": [
                (phase, Phase(phase).label, items) for phase, items in checklist_templates().items()
            ],
            "form": kwargs.get("form") or ChecklistTemplateForm(),
            "can_edit": actor.has_provider_role("provider_admin", "account_manager"),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = _actor(request)
        item_id = request.POST.get("item")
        try:
            if item_id:
                services.checklist_template_set_active(
                    actor=actor, item_id=int(item_id), active=request.POST.get("active") == "1"
                )
            else:
                form = ChecklistTemplateForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                services.checklist_template_add(actor=actor, **form.cleaned_data)
        except (DomainError, ValueError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The checklist is updated."))
        return redirect("onboarding:checklists")
