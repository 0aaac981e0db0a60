"""The figures of a commune's cases, from the counters kept as cases change
(store.py: figures). Pure: no I/O."""

from collections import Counter
from typing import Any

from services.feedback.domain import median_of_histogram
from shared.contracts.feedback import Figures, FiguresQuery, FiguresRow

COUNTS = ("received", "answered", "answered_on_time", "rated", "satisfied", "reopened")


def _row(unit_id: str, category: str, counters: list[dict[str, Any]]) -> FiguresRow:
    totals = {name: sum(c.get(name, 0) for c in counters) for name in COUNTS}
    days: Counter[int] = Counter()
    for counter in counters:
        days.update({int(n): k for n, k in counter.get("days", {}).items()})
    return FiguresRow(
        unit_id=unit_id, category=category, median_days=median_of_histogram(days), **totals
    )


def figures_of(query: FiguresQuery, counters: list[dict[str, Any]]) -> Figures:
    """One row per unit and category over the months asked for, and the total."""
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for counter in counters:
        cells.setdefault((counter["unit_id"], counter["category"]), []).append(counter)
    rows = [_row(unit, category, cells[unit, category]) for unit, category in sorted(cells)]
    return Figures(
        commune_id=query.commune_id,
        year=query.year,
        month=query.month,
        rows=rows,
        total=_row("", "", counters),
    )
