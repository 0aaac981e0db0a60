"""Contracts of the directory service about households: the census every
threshold counts against (Law 10/2022 Art 21.1: ALL households of the unit)."""

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, StringConstraints, field_validator

from shared.contracts.common import Contract, Event, Text
from shared.i18n import _
from shared.ids import CODE_PATTERN

# Typed codes are forgiving about case and spaces: " ha7k2m " is HA7K2M.
HouseholdCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=CODE_PATTERN),
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Reference = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def normalize_phone(raw: str) -> str:
    """Vietnamese numbers as one form: "+84 912 345 678" and "0912.345.678" → "0912345678"."""
    digits = _PHONE_SEPARATORS.sub("", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits):
        raise ValueError(_("Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0)."))
    return digits


def _phone_or_none(value: object) -> str | None:
    return normalize_phone(value) if isinstance(value, str) and value.strip() else None


# A phone number a person may leave out: blank is None, anything else one form.
OptionalPhone = Annotated[str | None, BeforeValidator(_phone_or_none)]


class HouseholdStatus(StrEnum):
    ACTIVE = "active"  # lives in the unit and counts towards its thresholds
    MOVED_OUT = "moved_out"  # left the commune
    MERGED = "merged"  # joined another household


class Member(Contract):
    name: PersonName
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    phone: OptionalPhone = None


class ResidencePeriod(Contract):
    """Where a household stood from `start` until the day before `end` (None: still)."""

    unit_id: str
    status: HouseholdStatus
    start: date
    end: date | None = None


class Household(Contract):
    code: HouseholdCode
    address: str
    representative_name: PersonName
    members: list[Member]
    periods: list[ResidencePeriod] = Field(min_length=1)

    @property
    def current(self) -> ResidencePeriod:
        return self.periods[-1]


class RegisterHousehold(Contract):
    """`directory.register_household` by `actor`: idempotent by household code. A
    known code gets its address, representative and members updated; its history
    stays."""

    actor: Text
    code: HouseholdCode
    unit_id: Text
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    representative_name: PersonName
    members: list[Member] = []
    since: date  # when it began to live in the unit


class HouseholdRef(Contract):
    """`directory.resolve_household`."""

    code: HouseholdCode


class FindHouseholdsByPhone(Contract):
    """`directory.find_households_by_phone`."""

    phone: str

    @field_validator("phone", mode="before")
    @classmethod
    def _normalize_phone(cls, value: object) -> object:
        return normalize_phone(value) if isinstance(value, str) else value


class SearchHouseholds(Contract):
    """`directory.search_households`: staff look for a household of their commune by
    code, phone number or a part of a member's name."""

    actor: Text
    commune_id: Text
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]
    limit: int = Field(default=50, ge=1, le=200)


class HouseholdDetails(Contract):
    """`directory.household_details`: one household, for staff of its commune."""

    actor: Text
    code: HouseholdCode


class HouseholdView(Contract):
    """What `directory.household_details` answers: the household, with the names
    of every unit in its history."""

    household: Household
    unit_names: dict[str, str]


class HouseholdList(Contract):
    households: list[Household]


class CountHouseholds(Contract):
    """`directory.count_households`: active households of a unit (a thôn or tổ dân phố,
    or a whole commune) on a date."""

    unit_id: Text
    as_of: date


class HouseholdCount(Contract):
    unit_id: str
    as_of: date
    count: int = Field(ge=0)


class ListHouseholds(Contract):
    """`directory.list_households`, a page at a time, ordered by code."""

    unit_id: Text
    as_of: date
    skip: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=1000)


class MoveHousehold(Contract):
    """`directory.move_household` by `actor` to another thôn or tổ dân phố, from `on`."""

    actor: Text
    code: HouseholdCode
    to_unit_id: Text
    on: date


class MarkMovedOut(Contract):
    """`directory.mark_moved_out` by `actor`: the household left the commune on `on`."""

    actor: Text
    code: HouseholdCode
    on: date


class FreezeElectorate(Contract):
    """`directory.freeze_electorate`: the households of a unit on a date, kept as they
    are so later moves do not change a vote's denominator. Idempotent by `reference`
    (e.g. the consultation's id)."""

    reference: Reference
    unit_id: Text
    as_of: date


class ElectorateRef(Contract):
    """`directory.get_electorate`."""

    reference: Reference


class Electorate(Contract):
    reference: str
    unit_id: str
    as_of: date
    household_codes: list[str]

    @property
    def count(self) -> int:
        return len(self.household_codes)


class HouseholdMoved(Event):
    """Published when a household moves to another unit, or leaves (to_unit_id None)."""

    event_type: ClassVar[str] = "household_moved"
    code: str
    from_unit_id: str
    to_unit_id: str | None
    status: HouseholdStatus
    on: date


class HouseholdPlace(Contract):
    """What `directory.household_place` answers: the thôn or tổ dân phố a household
    lives in now (None once it moved out or merged), and the commune it lives or
    last lived in."""

    code: str
    unit_id: str | None
    commune_id: str | None
