"""The demand chart: agencies that asked for each service against those connected to it, drawn by
the shared SVG charts (`samdrift.core.charts`) for the demand page and the dashboard."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from samdrift.core.charts import Series, bar_chart

from .selectors import DemandReport


def demand_chart(report: DemandReport) -> SafeString:
    """The dashboard's and the demand page's chart: per service, agencies that asked for it and
    agencies connected to it."""
    rows = report.rows
    return bar_chart(
        chart_id="demand-chart",
        title=_("Demand and connections per service, %(year)s") % {"year": report.year},
        description="; ".join(
            _("%(service)s: %(requested)s asked, %(connected)s connected")
            % {"service": r.service.name, "requested": r.requested, "connected": r.connected}
            for r in rows
        ),
        categories=[r.service.name for r in rows],
        series=[
            Series(_("Asked"), [r.requested for r in rows]),
            Series(_("Connected"), [r.connected for r in rows]),
        ],
    )
