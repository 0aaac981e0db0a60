from datetime import date

import pytest

from shared.calendar import add_working_days, is_working_day, parse_day


@pytest.mark.parametrize(
    "start, count, due",
    [
        (date(2026, 11, 16), 5, date(2026, 11, 23)),  # Monday → next Monday, weekend skipped
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday → Monday
        (date(2026, 11, 20), 2, date(2026, 11, 25)),  # 24/11 is Vietnamese Culture Day
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # Tết: 16–20/02/2026 are days off
        (date(2026, 4, 28), 5, date(2026, 5, 7)),  # 30/04 and 01/05 off
        (date(2026, 11, 16), 0, date(2026, 11, 16)),
    ],
)
def test_deadlines_in_working_days_skip_weekends_and_public_holidays(start, count, due):
    assert add_working_days(start, count) == due


def test_a_day_given_off_in_place_of_a_holiday_is_not_a_working_day():
    assert not is_working_day(date(2026, 4, 27))  # Hùng Kings' day fell on a Sunday
    assert is_working_day(date(2026, 4, 28))


def test_a_saturday_worked_in_exchange_for_a_bridge_day_is_a_working_day():
    # 2026: Monday 31/08 is given off before National Day, worked on Saturday 22/08.
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert not is_working_day(date(2026, 8, 29))  # an ordinary Saturday
    assert add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)  # 31/08, 01-02/09 off


def test_days_are_read_as_vietnamese_lists_write_them():
    assert parse_day("01/07/2025") == parse_day("1-7-2025") == date(2025, 7, 1)
    assert parse_day("2025-07-01") == date(2025, 7, 1)
    for wrong in ("07/2025", "31/02/2026", "hôm nay"):
        with pytest.raises(ValueError):
            parse_day(wrong)
