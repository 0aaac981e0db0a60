"""Kept household counts (services/directory/counting.py): each active period adds
+1 on its start and -1 on its end; a count on a day adds up the changes dated
then or before, and equals counting the households one by one (Law 10/2022
Art 21.1: ALL households of the unit)."""

import random
from datetime import date, timedelta

from services.directory import counting, residence
from services.directory.counting import OPEN_END
from shared.contracts.households import Household
from shared.ids import CODE_ALPHABET

UNITS = ("tdp-1", "tdp-2", "tdp-3")
FIRST = date(2025, 7, 1)


def stored(household: Household) -> list[dict]:
    """Its periods as the store keeps them (an open one ends OPEN_END)."""
    periods = household.model_dump(mode="json")["periods"]
    return [{**p, "end": p["end"] or OPEN_END} for p in periods]


def history(rng: random.Random, code: str) -> Household:
    """A household that arrives, moves a few times and perhaps leaves."""
    household = Household(
        code=code,
        address="Số 1",
        representative_name="Nguyễn Văn An",
        members=[],
        periods=residence.first_period(rng.choice(UNITS), FIRST + timedelta(rng.randrange(60))),
    )
    day = household.current.start
    for _ in range(rng.randrange(4)):
        day += timedelta(days=rng.randrange(1, 90))
        if rng.random() < 0.2:
            return residence.moved_out(household, day)
        others = [u for u in UNITS if u != household.current.unit_id]
        household = residence.moved(household, rng.choice(others), day)
    return household


def test_a_period_adds_one_on_its_start_and_takes_it_off_on_its_end():
    periods = [
        {"unit_id": "tdp-1", "status": "active", "start": "2025-07-01", "end": "2025-10-01"},
        {"unit_id": "tdp-2", "status": "active", "start": "2025-10-01", "end": OPEN_END},
    ]
    assert counting.changes_of(periods) == {
        "tdp-1": {"2025-07-01": 1, "2025-10-01": -1},
        "tdp-2": {"2025-10-01": 1},
    }
    changes = counting.changes_of(periods)["tdp-1"]
    assert [counting.count_on(changes, d) for d in ("2025-06-30", "2025-07-01", "2025-10-01")] == [
        0,
        1,
        0,
    ]


def test_a_household_that_left_counts_nowhere_after_it_left():
    periods = [
        {"unit_id": "tdp-1", "status": "active", "start": "2025-07-01", "end": "2025-10-01"},
        {"unit_id": "tdp-1", "status": "moved_out", "start": "2025-10-01", "end": OPEN_END},
    ]
    assert counting.changes_of(periods) == {"tdp-1": {"2025-07-01": 1, "2025-10-01": -1}}


def test_a_change_of_history_changes_only_the_days_where_it_differs():
    before = [{"unit_id": "tdp-1", "status": "active", "start": "2025-07-01", "end": OPEN_END}]
    after = [
        {**before[0], "end": "2025-10-01"},
        {"unit_id": "tdp-2", "status": "active", "start": "2025-10-01", "end": OPEN_END},
    ]
    assert counting.difference(before, after) == {
        "tdp-1": {"2025-10-01": -1},
        "tdp-2": {"2025-10-01": 1},
    }
    assert counting.difference(after, after) == {}
    assert counting.difference([], before) == {"tdp-1": {"2025-07-01": 1}}


def test_kept_counts_equal_counting_every_household_on_every_day():
    rng = random.Random(13)
    codes = [f"HH{a}{b}" for a in CODE_ALPHABET for b in CODE_ALPHABET][:300]
    households = [history(rng, code) for code in codes]
    kept: counting.Changes = {}
    for household in households:  # as written: arrival, then each change as a difference
        periods = stored(household)
        states = [[]] + [
            [*periods[: n - 1], {**periods[n - 1], "end": OPEN_END}]
            for n in range(1, len(periods) + 1)
        ]
        assert states[-1] == periods
        for before, after in zip(states, states[1:], strict=False):
            counting.add(kept, counting.difference(before, after))
    for offset in range(0, 500, 7):
        day = FIRST + timedelta(days=offset)
        for unit_id in UNITS:
            expected = [h for h in households if residence.unit_on(h, day) == unit_id]
            assert counting.count_on(kept.get(unit_id, {}), day.isoformat()) == len(expected)
            found = [
                h for h in households if counting.active_in(stored(h), {unit_id}, day.isoformat())
            ]
            assert found == expected


def test_a_count_never_shows_below_zero():
    assert counting.count_on({"2025-07-01": -1}, "2025-08-01") == 0
