"""My jobs (/jobs/) and one job (/jobs/<id>/), whose status region updates live."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase
from django.views.generic import TemplateView, View

from samdrift.core.files.responses import file_response
from samdrift.core.paging import paginate
from samdrift.core.views import DomainErrorMixin

from .permissions import abilities, error_summary
from .selectors import job_detail, job_file, my_jobs


class JobListView(LoginRequiredMixin, TemplateView):
    template_name = "jobs/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        paged = paginate(my_jobs(actor=actor), params=self.request.GET)
        return {**super().get_context_data(**kwargs), **paged.context("jobs")}


class JobDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "jobs/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        job = job_detail(actor=actor, job_id=kwargs["job_id"])
        return {
            **super().get_context_data(**kwargs),
            "job": job,
            "can": abilities(actor, job),
            "error_summary": error_summary(job),
        }


class JobFileView(LoginRequiredMixin, DomainErrorMixin, View):
    """The file a job made (a report PDF), streamed."""

    def get(self, request: HttpRequest, job_id: int) -> HttpResponseBase:
        stored = job_file(actor=request.actor, job_id=job_id)  # type: ignore[attr-defined]
        return file_response(stored, request)
