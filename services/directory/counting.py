"""Counting households in units over time, from periods as the directory stores
them: pure, no I/O.

A stored period is {unit_id, status, start, end} with ISO dates ("2025-07-01",
which compare as dates), an open one ending OPEN_END. A household counts in a
unit on day D when one of its active periods there has start <= D < end
(Law 10/2022 Art 21.1: thresholds count ALL households of the unit).

Kept counts: each active period adds +1 to its unit on its start and -1 on its
end (an open period never ends); a unit's count on D is the sum of its changes
dated D or earlier. So a count for any day is read from one small document per
unit, however many households there are (README, principle 7: "Size never
shows"), and a write changes only the days where its periods differ.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from shared.contracts.households import HouseholdStatus

OPEN_END = "9999-12-31"  # an open period's end, so "end > day" needs no null test
ACTIVE = HouseholdStatus.ACTIVE.value

Period = dict[str, Any]
Changes = dict[str, dict[str, int]]  # unit id → {day: change of its count that day}


def changes_of(periods: Iterable[Period]) -> Changes:
    """What one household's periods add to the counts of its units."""
    changes: Changes = defaultdict(lambda: defaultdict(int))
    for period in periods:
        if period["status"] != ACTIVE:
            continue
        changes[period["unit_id"]][period["start"]] += 1
        if period["end"] != OPEN_END:
            changes[period["unit_id"]][period["end"]] -= 1
    return _without_zeros(changes)


def add(total: Changes, more: Changes, sign: int = 1) -> None:
    """Add `more` (times `sign`) into `total`, in place."""
    for unit_id, days in more.items():
        unit = total.setdefault(unit_id, {})
        for day, change in days.items():
            unit[day] = unit.get(day, 0) + sign * change


def difference(before: Iterable[Period], after: Iterable[Period]) -> Changes:
    """How the counts change when a household's periods go from `before` to `after`."""
    total = changes_of(after)
    add(total, changes_of(before), sign=-1)
    return _without_zeros(total)


def count_on(changes: dict[str, int], day: str) -> int:
    """A unit's count on `day` from its kept changes (never below 0, should they
    ever be off: a recount puts them right)."""
    return max(0, sum(change for when, change in changes.items() if when <= day))


def active_in(periods: Iterable[Period], unit_ids: set[str], day: str) -> bool:
    """Whether the household counted in one of `unit_ids` on `day`."""
    return any(
        p["unit_id"] in unit_ids and p["status"] == ACTIVE and p["start"] <= day < p["end"]
        for p in periods
    )


def stays_after(periods: Iterable[Period], unit_ids: set[str], day: str) -> bool:
    """Whether the household lived, active, in one of `unit_ids` on or after `day`."""
    return any(
        p["unit_id"] in unit_ids and p["status"] == ACTIVE and p["end"] > day for p in periods
    )


def lived_in(periods: Iterable[Period], unit_ids: set[str]) -> bool:
    return any(p["unit_id"] in unit_ids for p in periods)


def _without_zeros(changes: Changes) -> Changes:
    kept = {u: {d: c for d, c in days.items() if c} for u, days in changes.items()}
    return {u: days for u, days in kept.items() if days}
