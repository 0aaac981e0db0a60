from datetime import date

import pytest

from services.directory import residence
from shared.contracts.households import Household, HouseholdStatus
from shared.errors import InvalidInput

JULY = date(2025, 7, 1)


def household(unit_id: str = "tdp-1", since: date = JULY) -> Household:
    return Household(
        code="HA7K2M",
        address="Số 1",
        representative_name="Lê Thị Hoa",
        members=[],
        periods=residence.first_period(unit_id, since),
    )


def test_a_household_counts_in_its_unit_from_the_day_it_arrives():
    h = household()
    assert residence.unit_on(h, date(2025, 6, 30)) is None
    assert residence.unit_on(h, JULY) == "tdp-1"
    assert residence.unit_on(h, date(2030, 1, 1)) == "tdp-1"


def test_after_a_move_past_dates_still_count_in_the_old_unit():
    h = residence.moved(household(), "tdp-2", date(2025, 9, 1))
    assert residence.unit_on(h, date(2025, 8, 31)) == "tdp-1"
    assert residence.unit_on(h, date(2025, 9, 1)) == "tdp-2"
    assert [p.end for p in h.periods] == [date(2025, 9, 1), None]


def test_a_household_that_left_counts_nowhere_after_it_left():
    h = residence.moved_out(household(), date(2025, 9, 1))
    assert residence.unit_on(h, date(2025, 8, 31)) == "tdp-1"
    assert residence.unit_on(h, date(2025, 9, 1)) is None
    assert h.current.status == HouseholdStatus.MOVED_OUT


def test_a_move_cannot_predate_the_current_period():
    with pytest.raises(InvalidInput) as refused:
        residence.moved(household(), "tdp-2", JULY)
    assert "01/07/2025" in refused.value.fields["on"]


def test_a_household_that_left_cannot_move_or_leave_again():
    gone = residence.moved_out(household(), date(2025, 9, 1))
    with pytest.raises(InvalidInput):
        residence.moved(gone, "tdp-2", date(2025, 10, 1))
    with pytest.raises(InvalidInput):
        residence.moved_out(gone, date(2025, 10, 1))


def test_moving_to_the_unit_it_is_in_is_refused():
    with pytest.raises(InvalidInput):
        residence.moved(household(), "tdp-1", date(2025, 9, 1))
