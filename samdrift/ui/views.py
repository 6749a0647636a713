"""The overview (cases per phase and scope as a board, demand against connections)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from samdrift.onboarding.charts import demand_chart
from samdrift.onboarding.choices import PHASE_ORDER, Phase, Scope
from samdrift.onboarding.selectors import board_cases, case_board, demand_report


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "ui/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        year = timezone.localdate().year
        counts = case_board(actor=actor)
        report = demand_report(actor=actor, year=year, basis=None)
        columns = [
            {
                "phase": phase,
                "label": Phase(phase).label,
                "counts": [
                    (Scope(scope).label, counts.get((phase, scope), 0)) for scope in Scope.values
                ],
                "cases": cases,
            }
            for phase, cases in board_cases(actor=actor).items()
        ]
        return {
            **super().get_context_data(**kwargs),
            "nav": "dashboard",
            "columns": columns,
            "phases": PHASE_ORDER,
            "report": report,
            "chart": demand_chart(report),
        }
