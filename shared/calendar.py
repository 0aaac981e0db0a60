"""Working days in Vietnam, for the law's deadlines counted in ngày làm việc
(e.g. a decision record within 5 working days, Law 10/2022 Art 20.3).

Public offices work Monday to Friday; the public holidays, with the days off
given in their place and the Saturdays worked in exchange, come from the
`holidays` package. Also Vietnam's time
zone, for what residents read, and the quarters of a year (the notice board's
quarterly index), and days as Vietnamese lists write them. Pure: no I/O.
"""

import re
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from shared.i18n import _

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_day(moment: datetime) -> date:
    """The day it is in Vietnam at `moment` (deadlines and "as of" dates are local)."""
    return moment.astimezone(VIETNAM).date()


def vietnam_time(moment: datetime) -> str:
    """A moment as residents read it: "08:00 ngày 05/06/2026" ("08:00, 5 Jun 2026")."""
    from shared.i18n import VIETNAMESE, current, format_day

    local = moment.astimezone(VIETNAM)
    if current() == VIETNAMESE:
        return local.strftime("%H:%M ngày %d/%m/%Y")  # i18n-exempt: the Vietnamese format itself
    return f"{local:%H:%M}, {format_day(local)}"


@cache
def _vietnam_calendar(year: int) -> holidays.HolidayBase:
    return holidays.VN(years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday but the public holidays and the days off given in their
    place, and the Saturdays worked to make up for a bridge day (e.g. 22/08/2026,
    worked for Monday 31/08/2026): `holidays` knows both."""
    return _vietnam_calendar(day.year).is_working_day(day)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (the day itself does not count):
    "within 5 working days of 28/04/2026" ends on this date."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of a quarter."""
    starts = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return starts, following - timedelta(days=1)


def parse_day(text: str) -> date:
    """A day as Vietnamese lists write it: 01/07/2025, 1-7-2025 or 2025-07-01."""
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day, month, year = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(_("Ngày phải viết dạng ngày/tháng/năm, ví dụ 01/07/2025."))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("Không có ngày {text}.").format(text=text)) from None
