"""Operations pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import (
        CapacityMetric,
        Change,
        Incident,
        Problem,
        ResponsibilityMatrix,
        Survey,
    )

    urls = ["/operations/", "/operations/report/", "/operations/surveys/", "/operations/matrices/"]
    urls.extend(["/operations/capacity/", "/operations/problems/", "/operations/changes/"])
    problem = Problem.objects.order_by("pk").first()
    if problem is not None:
        urls.append(f"/operations/problems/{problem.pk}/")
    change = Change.objects.order_by("pk").first()
    if change is not None:
        urls.append(f"/operations/changes/{change.pk}/")
    metric = CapacityMetric.objects.select_related("service").order_by("pk").first()
    if metric is not None:
        urls.append(f"/operations/capacity/{metric.service.code}/")
    matrices = ResponsibilityMatrix.objects.order_by("pk")[:2]  # a draft and a published one
    urls.extend(f"/operations/matrices/{matrix.pk}/" for matrix in matrices)
    survey = Survey.objects.order_by("pk").first()
    if survey is not None:
        urls.append(f"/operations/surveys/{survey.pk}/")
    incident = Incident.objects.order_by("pk").first()
    if incident is not None:
        urls.append(f"/operations/incidents/{incident.pk}/")
    routed = Incident.objects.exclude(function="").order_by("pk").first()
    if routed is not None:
        urls.append(f"/operations/incidents/{routed.pk}/")
    return urls
