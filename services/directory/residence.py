"""Where households live over time: pure rules, no I/O.

A household's history is a list of periods, oldest first, that never overlap:
each ends the day the next starts. Counting "as of" a date reads that list, so
a past count stays what it was when later moves happen.
"""

from datetime import date

from shared.contracts.households import (
    Household,
    HouseholdStatus,
    ResidencePeriod,
)
from shared.errors import InvalidInput
from shared.i18n import _


def first_period(unit_id: str, since: date) -> list[ResidencePeriod]:
    return [ResidencePeriod(unit_id=unit_id, status=HouseholdStatus.ACTIVE, start=since)]


def unit_on(household: Household, day: date) -> str | None:
    """The unit a household counts in on `day`; None before it arrived or after it left."""
    for period in household.periods:
        ends = period.end or date.max
        if period.start <= day < ends:
            return period.unit_id if period.status == HouseholdStatus.ACTIVE else None
    return None


def _closed_for_change(household: Household, on: date, *, too_early: str) -> list[ResidencePeriod]:
    current = household.current
    if current.status != HouseholdStatus.ACTIVE:
        raise InvalidInput(
            fields={
                "code": _("Hộ {code} không còn cư trú tại địa phương.").format(code=household.code)
            }
        )
    if on <= current.start:
        raise InvalidInput(fields={"on": too_early.format(day=f"{current.start:%d/%m/%Y}")})
    return [*household.periods[:-1], current.model_copy(update={"end": on})]


def moved(household: Household, to_unit_id: str, on: date) -> Household:
    """The household after it moved to `to_unit_id` on `on`."""
    if to_unit_id == household.current.unit_id:
        raise InvalidInput(fields={"to_unit_id": _("Hộ đang ở đơn vị này.")})
    periods = _closed_for_change(
        household,
        on,
        too_early=_("Ngày chuyển phải sau ngày hộ bắt đầu cư trú tại đơn vị hiện tại ({day})."),
    )
    periods.append(ResidencePeriod(unit_id=to_unit_id, status=HouseholdStatus.ACTIVE, start=on))
    return household.model_copy(update={"periods": periods})


def moved_out(household: Household, on: date) -> Household:
    """The household after it left the commune on `on`; its history stays."""
    periods = _closed_for_change(
        household,
        on,
        too_early=_("Ngày chuyển đi phải sau ngày hộ bắt đầu cư trú tại đơn vị hiện tại ({day})."),
    )
    periods.append(
        ResidencePeriod(
            unit_id=household.current.unit_id, status=HouseholdStatus.MOVED_OUT, start=on
        )
    )
    return household.model_copy(update={"periods": periods})
