"""The start page: what is waiting for this person, per role (issue 21 item 4, ADR 0705)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .start import next_tasks, role_lines


class StartView(LoginRequiredMixin, TemplateView):
    template_name = "ui/start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        return {
            **super().get_context_data(**kwargs),
            "nav": "start",
            "roles": role_lines(actor),
            "tasks": next_tasks(actor),
        }
