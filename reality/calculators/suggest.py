"""Counterfactuals: what would work instead (filled in below)."""

from __future__ import annotations


def suggestions(report, kb) -> list[str]:
    return []
