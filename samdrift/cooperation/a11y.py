"""DSAM and steering group pages for the shared axe-core check (demo data loaded, demo admin
logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Catalogue, Evaluation, SteeringDecision

    urls = ["/cooperation/", "/cooperation/decisions/"]
    decision = SteeringDecision.objects.order_by("pk").first()
    if decision is not None:
        urls.append(f"/cooperation/decisions/{decision.pk}/")
    evaluation = Evaluation.objects.order_by("code").first()
    if evaluation is not None:
        urls.append(f"/cooperation/evaluations/{evaluation.code}/")
    catalogue = Catalogue.objects.order_by("code").first()
    if catalogue is not None:
        urls.append(f"/cooperation/catalogues/{catalogue.code}/")
    return urls
