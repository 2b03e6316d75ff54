"""Chart.js configurations for dashboard widgets, so that every plugin's charts look alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def bar_chart(
    labels: Sequence[Any],
    series: Any,
    values: Sequence[float | int],
    colour: str,
    *,
    whole_numbers: bool = True,
) -> dict[str, Any]:
    """A bar chart of one series named ``series`` (no legend), its y axis from zero; with
    ``whole_numbers`` the ticks are whole (counts), otherwise any amount (money)."""
    ticks = {"ticks": {"precision": 0}} if whole_numbers else {}
    return {
        "type": "bar",
        "data": {
            "labels": [str(label) for label in labels],
            "datasets": [{"label": str(series), "data": list(values), "backgroundColor": colour}],
        },
        "options": {
            "plugins": {"legend": {"display": False}},
            "scales": {"y": {"beginAtZero": True, **ticks}},
        },
    }
