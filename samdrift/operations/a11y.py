"""Operations pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Incident, Survey

    urls = ["/operations/", "/operations/report/", "/operations/surveys/"]
    survey = Survey.objects.order_by("pk").first()
    if survey is not None:
        urls.append(f"/operations/surveys/{survey.pk}/")
    incident = Incident.objects.order_by("pk").first()
    if incident is not None:
        urls.append(f"/operations/incidents/{incident.pk}/")
    return urls
