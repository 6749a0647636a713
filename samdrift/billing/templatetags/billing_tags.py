"""Template filters for money: öre shown as Swedish kronor, and MSEK for reports."""

from __future__ import annotations

from django import template

from samdrift.billing.money import format_kronor, round_presentation

register = template.Library()


@register.filter
def kr(ore: int | None) -> str:
    return "" if ore is None else format_kronor(int(ore))


@register.filter
def msek(ore: int | None) -> str:
    return (
        ""
        if ore is None
        else str(round_presentation(int(ore), 100_000_000)).replace(".", ",").replace("-", "−")
    )


@register.filter
def period(value: object) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)
