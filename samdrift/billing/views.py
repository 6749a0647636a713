"""Pages of the billing app. Thin: parse, call a selector or service, render.

Missing and forbidden objects give the same 404; a page the role may not use gives 403. Every
figure on the demo data is illustrative (said on the pages), not the source report's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from samdrift.audit.services import audit_read
from samdrift.core.exceptions import DomainError, NotFound, PermissionDenied
from samdrift.core.i18n import page_language
from samdrift.core.jobs.origin import queued_by
from samdrift.core.paging import paginate

from . import documents, exports, selectors, services, tasks
from .charts import recovery_chart
from .forms import (
    AllocateForm,
    AllocationRuleForm,
    BillServiceForm,
    CreditForm,
    ExitForm,
    ExitPreviewForm,
    FeeAreaForm,
    PriceForm,
    ProjectTimeForm,
    RunForm,
    YearForm,
)
from .money import format_kronor, ore_to_decimal, to_ore
from .periods import label, parse_period
from .permissions import billing_abilities, invoice_abilities

View = Callable[..., HttpResponse]
# The ledger up to the last possible year: every entry an exit settlement brings to zero.
ALL_YEARS = 2100


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def page(view: View) -> View:
    """Login required; NotFound → 404, PermissionDenied → 403 (the same for every page)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None

    return wrapper


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return int(form.cleaned_data["year"])
    years = selectors.years_with_data()
    return years[0] if years else datetime.date.today().year  # noqa: DTZ011 - a default year only


def _asked_provider(request: HttpRequest) -> int | None:
    """The provider agency a fee-model or run page was asked for (`?provider=ID`, or a form's
    `provider` field), if any: someone who works for two providers picks one (ADR 0664, 0668);
    the selectors decide whether it is theirs."""
    value = request.POST.get("provider", "") or request.GET.get("provider", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise Http404
    return int(value)


def _fee_model(request: HttpRequest) -> int:
    """The provider whose fee model the page shows: asked for, else the actor's first."""
    return selectors.fee_model_of(actor=_actor(request), provider_id=_asked_provider(request))


def _run_url(run: Any) -> str:
    """A run's page, naming its provider: a run is one provider's month (ADR 0668)."""
    path = reverse("billing:run", kwargs={"period": label(run.period)})
    return f"{path}?{urlencode({'provider': run.provider_id})}"


def _with_provider(url: str, provider: int | None, request: HttpRequest, **query: Any) -> str:
    """`url` with the query that keeps the provider the page was asked for."""
    if _asked_provider(request) is not None and provider is not None:
        query["provider"] = provider
    return f"{url}?{urlencode(query)}" if query else url


def _context(
    request: HttpRequest, nav: str, provider: int | None = None, **extra: Any
) -> dict[str, Any]:
    actor = _actor(request)
    choices = selectors.fee_model_choices(actor=actor) if provider is not None else []
    return {
        "nav": "billing",
        "subnav": nav,
        # The fee model's writes, runs, project time and exits are each provider's own
        # (permissions.MANAGERS of that provider; ADR 0664, 0668).
        "abilities": billing_abilities(actor, provider),
        # A provider's page: which provider's it shows, and the others the actor may pick.
        "provider": provider,
        "provider_choices": choices,
        **extra,
    }


@page
def invoice_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    paged = paginate(selectors.invoice_list(actor=_actor(request), year=year), params=request.GET)
    return render(
        request,
        "billing/invoice_list.html",
        _context(
            request,
            "invoices",
            **paged.context("invoices"),
            year=year,
            year_form=YearForm(initial={"year": year}),
        ),
    )


@page
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _actor(request)
    invoice = selectors.invoice_get(actor=actor, invoice_id=invoice_id)
    lines = list(selectors.invoice_lines(actor=actor, invoice=invoice))
    audit_read(actor=actor, obj=invoice, access="open", organisation_id=invoice.buyer_id)
    can = invoice_abilities(actor, invoice)
    unreadable = documents.unreadable_text(invoice) if can["credit"] else []
    return render(
        request,
        "billing/invoice_detail.html",
        _context(
            request,
            "invoices",
            invoice=invoice,
            lines=lines,
            can=can,
            credit_form=CreditForm(),
            credit_notes=invoice.credit_notes.all(),
            unreadable=unreadable,
            suggested=services.suggested_texts(invoice) if unreadable else {},
        ),
    )


@page
def invoice_ubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_get(actor=_actor(request), invoice_id=invoice_id)
    if not invoice.is_final:
        raise Http404
    body = documents.invoice_ubl(invoice)
    audit_read(actor=_actor(request), obj=invoice, access="download_ubl",
               organisation_id=invoice.buyer_id)  # fmt: skip
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@page
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _actor(request)
    invoice = selectors.invoice_get(actor=actor, invoice_id=invoice_id)
    lines = selectors.invoice_lines(actor=actor, invoice=invoice)
    body = exports.invoice_pdf(invoice, lines, language=page_language(), request=request)
    audit_read(actor=actor, obj=invoice, access="download_pdf", organisation_id=invoice.buyer_id)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.pdf"'
    return response


@page
def invoice_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    headers = (
        "number",
        "kind",
        "status",
        "period",
        "buyer",
        "seller",
        "issue_date",
        "due_date",
        "total_sek",
    )
    records = [
        {
            "number": i.number,
            "kind": i.kind,
            "status": i.status,
            "period": label(i.period),
            "buyer": i.buyer.name,
            "seller": i.seller.name,
            "issue_date": i.issue_date.isoformat(),
            "due_date": i.due_date.isoformat(),
            "total_sek": str(ore_to_decimal(i.total_ore)),
        }
        for i in selectors.invoice_list(actor=_actor(request), year=year)
    ]
    audit_read(actor=_actor(request), access="export", object_type="billing.invoice",
               object_id=f"year:{year}", detail={"rows": len(records)})  # fmt: skip
    return _download(request, f"fakturor-{year}", headers, records)


def _download(
    request: HttpRequest, name: str, headers: tuple[str, ...], records: list[dict[str, Any]]
) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(name, headers, records),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(
        exports.to_csv(headers, records), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@page
@require_POST
def invoice_credit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _actor(request)
    invoice = selectors.invoice_get(actor=actor, invoice_id=invoice_id)
    form = CreditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the credit note."))
        return redirect("billing:invoice", invoice_id=invoice.pk)
    try:
        note = services.credit_invoice(
            actor=actor, invoice_id=invoice.pk, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("billing:invoice", invoice_id=invoice.pk)
    messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
    return redirect("billing:invoice", invoice_id=note.pk)


@page
@require_POST
def invoice_correct(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Confirms the suggested readable texts: full credit note and replacement (ADR 0217)."""
    actor = _actor(request)
    invoice = selectors.invoice_get(actor=actor, invoice_id=invoice_id)
    try:
        _note, replacement = services.correct_unreadable_invoice(actor=actor, invoice_id=invoice.pk)
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("billing:invoice", invoice_id=invoice.pk)
    messages.success(
        request, _("Replacement invoice %(number)s issued.") % {"number": replacement.number}
    )
    return redirect("billing:invoice", invoice_id=replacement.pk)


@page
def run_list(request: HttpRequest) -> HttpResponse:
    """A provider's invoice runs (the one asked for, else the actor's first); its finance
    function starts a month's run here (ADR 0668)."""
    actor = _actor(request)
    provider = _fee_model(request)
    paged = paginate(selectors.run_list(actor=actor, provider_id=provider), params=request.GET)
    can = billing_abilities(actor, provider)
    if request.method == "POST" and not can["run"]:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checked, provider = services.check_run(
                actor=actor, period=form.cleaned_data["period"], provider_id=provider
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_error("period", str(error))
        else:
            month = label(checked)
            # The run itself is a background job; its page shows the progress and links the run.
            with queued_by(
                actor,
                agency_id=provider,
                label=_("Invoice run %(period)s") % {"period": month},
            ):
                job = tasks.run_invoices.enqueue(
                    user_id=actor.user_id, period=month, provider_id=provider
                )
            if not job.is_finished:
                return redirect("jobs:detail", job_id=int(job.id))
            # An immediate backend (some tests) has run it already, within this request.
            if job.status != TaskResultStatus.SUCCESSFUL:
                messages.error(request, _("The invoice run failed; nothing was changed."))
                return redirect(_with_provider(reverse("billing:runs"), provider, request))
            for warning in (job.return_value or {}).get("warnings", []):
                messages.warning(request, warning)
            return redirect((job.return_value or {}).get("link") or reverse("billing:runs"))
    return render(
        request,
        "billing/run_list.html",
        _context(request, "runs", provider, **paged.context("runs"), form=form),
    )


@page
def run_detail(request: HttpRequest, period: str) -> HttpResponse:
    """One provider's run of a month; another provider's is missing, like a month not run."""
    actor = _actor(request)
    try:
        month = parse_period(period)
    except ValueError:
        raise Http404 from None
    run = selectors.run_get(actor=actor, period=month, provider_id=_asked_provider(request))
    invoices = list(selectors.run_invoices(run=run).select_related("buyer").order_by("buyer__name"))
    total = sum(i.total_ore for i in invoices)
    return render(
        request,
        "billing/run_detail.html",
        _context(request, "runs", run.provider_id, run=run, invoices=invoices, total=total),
    )


@page
@require_POST
def run_finalise(request: HttpRequest, period: str) -> HttpResponse:
    """Finalises the provider's run of the month (the form names its provider)."""
    try:
        month = parse_period(period)
    except ValueError:
        raise Http404 from None
    try:
        run = services.finalise_run(
            actor=_actor(request), period=month, provider_id=_asked_provider(request)
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, str(error))
        provider = _asked_provider(request)
        return redirect(_with_provider(reverse("billing:run", args=[period]), provider, request))
    messages.success(request, _("The run is finalised; the invoices have numbers and UBL."))
    return redirect(_run_url(run))


@page
def price_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = PriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_price_version(
                actor=actor,
                service_code=data["service"],
                unit_price=data["unit_price"],
                valid_from=data["valid_from"],
                decision_ref=data["decision_ref"],
                decision_date=data["decision_date"],
                model=data["model"],
                basis=data["basis"],
                package_size=data["package_size"] or None,
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The price version is saved."))
            return redirect("billing:prices")
    paged = paginate(selectors.price_list(actor=actor), params=request.GET)
    return render(
        request,
        "billing/price_list.html",
        _context(request, "prices", **paged.context("prices"), form=form),
    )


@page
def cost_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    provider = _fee_model(request)
    pools = selectors.cost_pools(actor=_actor(request), year=year, provider_id=provider)
    for pool in pools:
        pool["kronor"] = format_kronor(pool["total"])
    return render(
        request,
        "billing/cost_list.html",
        _context(
            request,
            "costs",
            provider,
            pools=pools,
            year=year,
            year_form=YearForm(initial={"year": year}),
        ),
    )


@page
def ledger(request: HttpRequest) -> HttpResponse:
    """Every account the actor reads; with `?provider=`, one of its providers' only."""
    year = _year(request)
    provider = _asked_provider(request)
    rows = selectors.ledger(actor=_actor(request), year=year, provider_id=provider)
    return render(
        request,
        "billing/ledger.html",
        _context(
            request, "ledger", rows=rows, year=year, year_form=YearForm(initial={"year": year})
        ),
    )


@page
def usage_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    paged = paginate(selectors.usage_list(actor=_actor(request), year=year), params=request.GET)
    return render(
        request,
        "billing/usage_list.html",
        _context(
            request,
            "usage",
            **paged.context("usage"),
            year=year,
            year_form=YearForm(initial={"year": year}),
        ),
    )


@page
def report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    provider = _fee_model(request)
    rows = selectors.outcome_report(actor=actor, provider_id=provider)
    chart_points = [
        (row.year, row.accumulated_ore)
        for row in rows
        if row.fee_area == (rows[0].fee_area if rows else "")
    ]
    proposal_year = max((row.year for row in rows), default=None)
    proposals = (
        services.propose_fees(actor=actor, year=proposal_year, provider_id=provider)
        if proposal_year
        else []
    )
    return render(
        request,
        "billing/report.html",
        _context(
            request,
            "report",
            provider,
            rows=rows,
            chart=recovery_chart(chart_points),
            proposals=proposals,
            proposal_year=proposal_year,
            note=exports.ROUNDING_NOTE_SV,
        ),
    )


@page
def report_export(request: HttpRequest) -> HttpResponse:
    records = exports.report_records(
        selectors.outcome_report(actor=_actor(request), provider_id=_fee_model(request))
    )
    audit_read(actor=_actor(request), access="export", object_type="billing.outcomereport",
               object_id="-", detail={"format": request.GET.get("format", "csv")})  # fmt: skip
    if request.GET.get("format") == "pdf":
        body = exports.outcome_report_pdf(records, language=page_language(), request=request)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="utfall.pdf"'
        return response
    return _download(request, "utfall", exports.REPORT_HEADERS, records)


@page
def allocation(request: HttpRequest) -> HttpResponse:
    """A provider's versioned allocation rules and the runs that spread a year's pools over its
    services."""
    actor = _actor(request)
    year = _year(request)
    provider = _fee_model(request)
    rules = selectors.allocation_rules(actor=actor, year=year, provider_id=provider)
    billable = selectors.allocation_services(actor=actor, provider_id=provider)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not billing_abilities(actor, provider)["allocate"]:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    rule_form = AllocationRuleForm(
        request.POST if action == "rule" else None,
        prefix="rule",
        services=billable,
        initial={"year": year},
    )
    run_form = AllocateForm(
        request.POST if action == "allocate" else None, prefix="run", initial={"year": year}
    )
    if action == "rule" and rule_form.is_valid():
        data = rule_form.cleaned_data
        try:
            rule = services.create_allocation_rule(
                actor=actor,
                year=data["year"],
                cost_pool=data["cost_pool"],
                method=data["method"],
                decision_ref=data["decision_ref"],
                target_service=data["target_service"],
                weights=data["weights"] or None,
                provider_id=provider,
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            rule_form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Version %(version)s of the rule for %(pool)s is saved.")
                % {"version": rule.version, "pool": rule.cost_pool},
            )
            return redirect(
                _with_provider(reverse("billing:allocation"), provider, request, year=rule.year)
            )
    if action == "allocate" and run_form.is_valid():
        run_year = run_form.cleaned_data["year"]
        try:
            run = services.run_allocation(actor=actor, year=run_year, provider_id=provider)
        except PermissionDenied:
            raise
        except DomainError as error:
            run_form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("The costs of %(year)s are allocated (run %(hash)s).")
                % {"year": run_year, "hash": run.input_hash[:12]},
            )
            return redirect(
                _with_provider(reverse("billing:allocation"), provider, request, year=run_year)
            )
    rules_in_force = {rule.cost_pool: rule.pk for rule in reversed(rules)}
    return render(
        request,
        "billing/allocation.html",
        _context(
            request,
            "allocation",
            provider,
            year=year,
            year_form=YearForm(initial={"year": year}),
            rules=rules,
            in_force=set(rules_in_force.values()),
            runs=selectors.allocation_runs(actor=actor, year=year, provider_id=provider),
            rule_form=rule_form,
            run_form=run_form,
        ),
    )


@page
def project_time(request: HttpRequest) -> HttpResponse:
    """Time and material on connection cases: a provider's (the one asked for, else the actor's
    first; ADR 0668), whose finance function books it on its own cases; a customer reads its
    own agencies'."""
    actor = _actor(request)
    provider = selectors.billing_provider_of(actor=actor, provider_id=_asked_provider(request))
    entries = selectors.project_time_list(actor=actor, provider_id=provider)
    manage = provider is not None and billing_abilities(actor, provider)["record_project_time"]
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    form = (
        ProjectTimeForm(
            request.POST if request.method == "POST" else None,
            cases=selectors.project_time_cases(actor=actor, provider_id=provider),
        )
        if manage
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.record_project_time(
                actor=actor,
                case_id=data["case"].pk,
                period=data["period"],
                hours=data["hours"],
                hourly_rate=data["hourly_rate"],
                external_cost=data["external_cost"],
                description=data["description"],
                key=data["key"],
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("The time is booked; it is invoiced with the run for %(period)s.")
                % {"period": label(entry.billed_period)},
            )
            return redirect(_with_provider(reverse("billing:project_time"), provider, request))
    rows = [
        {
            "entry": entry,
            "rate_ore": to_ore(entry.hourly_rate),
            "amount_ore": to_ore(entry.hours * entry.hourly_rate) + entry.external_cost_ore,
        }
        for entry in entries
    ]
    return render(
        request,
        "billing/project_time.html",
        _context(
            request,
            "project_time",
            provider,
            rows=rows,
            total=sum(row["amount_ore"] for row in rows),
            form=form,
        ),
    )


@page
def exit_settlement(request: HttpRequest) -> HttpResponse:
    """Settle a leaving agency's accounts with a provider to zero (the provider asked for, else
    the actor's first; ADR 0668): choose it, see its balances, then confirm."""
    actor = _actor(request)
    provider = selectors.billing_provider_of(
        actor=actor, provider_id=_asked_provider(request), manage=True
    )
    if provider is None:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    agencies = selectors.exit_candidates(actor=actor, provider_id=provider)
    if request.method == "POST":
        form = ExitForm(request.POST, prefix="exit", agencies=agencies)
        valid = form.is_valid()
        chosen = form.cleaned_data.get("organisation")
        if valid:
            data = form.cleaned_data
            try:
                invoices = services.settle_exit(
                    actor=actor,
                    organisation_id=data["organisation"].pk,
                    period=data["period"],
                    reason=data["reason"],
                    provider_id=provider,
                )
            except PermissionDenied:
                raise
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request,
                    _("%(agency)s is settled; final invoices %(numbers)s are issued.")
                    % {
                        "agency": data["organisation"].name,
                        "numbers": ", ".join(str(i.number) for i in invoices),
                    },
                )
                return redirect(_with_provider(reverse("billing:exit"), provider, request))
        preview_form = ExitPreviewForm(
            initial={"organisation": chosen.pk if chosen else None}, agencies=agencies
        )
    else:
        preview_form = ExitPreviewForm(request.GET or None, agencies=agencies)
        chosen = preview_form.cleaned_data["organisation"] if preview_form.is_valid() else None
        form = ExitForm(
            prefix="exit",
            agencies=agencies,
            initial={"organisation": chosen.pk if chosen else None},
        )
    balances = (
        [
            {"row": row, "settle_ore": -row.balance_ore}
            for row in selectors.ledger(
                actor=actor, year=ALL_YEARS, organisation_id=chosen.pk, provider_id=provider
            )
            if row.balance_ore
        ]
        if chosen
        else []
    )
    return render(
        request,
        "billing/exit.html",
        _context(
            request,
            "exit",
            provider,
            preview_form=preview_form,
            form=form,
            chosen=chosen,
            balances=balances,
            settlement_ore=sum(line["settle_ore"] for line in balances),
        ),
    )


@page
def fee_areas(request: HttpRequest) -> HttpResponse:
    """A provider's fee areas; its finance function creates new ones (ADR 0664)."""
    actor = _actor(request)
    provider = _fee_model(request)
    can = billing_abilities(actor, provider)
    if request.method == "POST" and not can["manage_fee_areas"]:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    form = FeeAreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = services.create_fee_area(
                actor=actor,
                code=data["code"],
                name_sv=data["name_sv"],
                name_en=data["name_en"],
                segment=data["segment"],
                economic_goal=data["economic_goal"],
                recovery_years=data["recovery_years"],
                provider_id=provider,
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The fee area %(code)s is created.") % {"code": area.code})
            return redirect("billing:fee_area", fee_area_id=area.pk)
    return render(
        request,
        "billing/fee_areas.html",
        _context(
            request,
            "fee_areas",
            provider,
            areas=selectors.fee_area_list(actor=actor, provider_id=provider),
            form=form if can["manage_fee_areas"] else None,
        ),
    )


@page
def fee_area(request: HttpRequest, fee_area_id: int) -> HttpResponse:
    """One fee area of the actor's providers: the services billed in it; its provider's finance
    function bills another of the provider's own services in it."""
    actor = _actor(request)
    area = selectors.fee_area_get(actor=actor, fee_area_id=fee_area_id)
    can = billing_abilities(actor, area.provider_id)
    if request.method == "POST" and not can["manage_fee_areas"]:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    form = (
        BillServiceForm(
            request.POST if request.method == "POST" else None,
            services=selectors.unbilled_services(actor=actor, provider_id=area.provider_id),
        )
        if can["manage_fee_areas"]
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            billed = services.bill_service(
                actor=actor,
                fee_area_id=area.pk,
                service_code=data["service"],
                unit_code=data["unit_code"],
                unit_sv=data["unit_sv"],
                unit_en=data["unit_en"],
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(service)s is billed in %(area)s.")
                % {"service": billed.service.code, "area": area.code},
            )
            return redirect("billing:fee_area", fee_area_id=area.pk)
    return render(
        request,
        "billing/fee_area.html",
        _context(
            request,
            "fee_areas",
            area=area,
            billed=selectors.fee_area_services(actor=actor, fee_area=area),
            form=form,
        ),
    )
