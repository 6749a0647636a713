"""Pages of the customer satisfaction surveys (NKI, ADR 0843) under /operations/surveys/. Thin:
parse, call one selector or service, answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samdrift.core.exceptions import DomainError, NotFound
from samdrift.organisations.selectors import organisation_names

from . import nki, services, surveys
from .forms import AnswerForm, SurveyForm
from .views import _actor, _form_error, page


@page
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    options = surveys.survey_services(actor=actor)
    form = SurveyForm(request.POST or None, services=options) if options else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            survey = services.survey_create(
                actor=actor,
                service_code=form.cleaned_data["service"],
                year=form.cleaned_data["year"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The survey is open for answers."))
            return redirect("operations:survey", survey_id=survey.id)
    context = {
        "nav": "operations",
        "surveys": surveys.survey_list(actor=actor),
        "form": form,
    }
    status = 422 if form is not None and form.is_bound and form.errors else 200
    return render(request, "operations/survey_list.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = _actor(request)
    access = surveys.survey_get(actor=actor, survey_id=survey_id)
    names = organisation_names()
    form: Any = None
    if access.abilities["answer"]:
        form = AnswerForm(
            request.POST or None,
            organisations=[(o, names.get(o, str(o))) for o in access.own_agencies],
            questions=nki.QUESTIONS,
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            data = form.cleaned_data
            services.survey_answer(
                actor=actor,
                survey_id=survey_id,
                organisation_id=data["organisation"],
                overall=data["overall"],
                expectations=data["expectations"],
                ideal=data["ideal"],
                comment=data["comment"],
            )
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Thank you: your agency's answer is saved."))
            return redirect("operations:survey", survey_id=survey_id)
    context = {
        "nav": "operations",
        "access": access,
        "survey": access.survey,
        "questions": nki.QUESTIONS,
        "own": [(names.get(o, str(o)), a) for o, a in access.own_answers.items()],
        "form": form,
    }
    status = 422 if form is not None and form.is_bound and form.errors else 200
    return render(request, "operations/survey_detail.html", context, status=status)
