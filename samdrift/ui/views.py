"""The dashboard (cases per phase and scope as a board, demand against connections) and the
profile page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from samdrift.identity.loa import SWEDISH_URI_FOR_RANK
from samdrift.onboarding.charts import demand_chart
from samdrift.onboarding.choices import PHASE_ORDER, Phase, Scope
from samdrift.onboarding.selectors import board_cases, case_board, demand_report

from .start import role_lines


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


class ProfileView(LoginRequiredMixin, TemplateView):
    """Who am I here: agency and roles, this login's level of assurance, language and
    notification settings (issue 21 item 4)."""

    template_name = "ui/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        return {
            **super().get_context_data(**kwargs),
            "nav": "profile",
            "roles": role_lines(actor),
            "loa_rank": actor.loa_rank,
            "loa_uri": SWEDISH_URI_FOR_RANK.get(actor.loa_rank, ""),
        }
