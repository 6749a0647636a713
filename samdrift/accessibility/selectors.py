"""Reads of the checker: the rule catalogue of a profile (no tenant data is involved)."""

from __future__ import annotations

from samdrift.accessibility.rules import PROFILES, Rule


def rule_catalogue(*, profile: str) -> list[Rule]:
    """The rules of a profile in report order; raises KeyError for an unknown profile."""
    return list(PROFILES[profile])
