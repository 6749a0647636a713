"""The checker page: a logged-in user uploads a PDF, the check runs as a background job (its page
shows the progress live), and the report is read here from the finished job (ADR 0110)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.i18n import page_language
from samdrift.core.jobs.selectors import job_detail

from .engine.results import FileResult
from .forms import CheckForm
from .permissions import checker_abilities
from .report import build, error_text
from .services import CHECK_TASK, CheckerBusy, check_queue


class CheckView(LoginRequiredMixin, View):
    template_name = "accessibility/check.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context: dict[str, Any] = {"form": CheckForm(), "nav": "accessibility"}
        if "job" in request.GET:
            context.update(self._finished(request, request.GET["job"]))
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CheckForm(request.POST, request.FILES)
        context: dict[str, Any] = {"form": form, "nav": "accessibility"}
        if not checker_abilities(actor=getattr(request, "actor", None))["check"]:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = check_queue(
                    actor=request.actor,  # type: ignore[attr-defined]
                    chunks=upload.chunks(),
                    profile=form.cleaned_data["profile"],
                    label=upload.name,
                )
            except CheckerBusy as busy:
                form.add_error(None, str(busy))
                response = render(request, self.template_name, context, status=429)
                response["Retry-After"] = str(busy.retry_after)
                return response
            except ValidationFailed as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(reverse("jobs:detail", args=[int(job.id)]))
        return render(request, self.template_name, context, status=422)

    def _finished(self, request: HttpRequest, job_id: str) -> dict[str, Any]:
        """The report of one of the actor's own finished checks; anyone else's is a 404."""
        try:
            job = job_detail(actor=request.actor, job_id=int(job_id))  # type: ignore[attr-defined]
        except (NotFound, ValueError):
            raise Http404 from None
        if job.task_path != CHECK_TASK or not isinstance(job.result, dict):
            raise Http404
        result = FileResult.from_transport(job.result["report"])
        lang = page_language()
        return {
            "job_id": job.id,
            "item": {
                "file": result,
                "report": None if result.error else build(result, lang),
                "error": error_text(result) if result.error else None,
            },
        }
