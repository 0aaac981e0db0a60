"""Contracts of the directory service about residential units that are renamed,
merged or split (Law 10/2022 Art 25: residents are consulted first; the change
itself is decided by an act of the People's Council, cited in `decision`)."""

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text
from shared.contracts.directory import AdministrativeUnit, UnitKind, UnitName, UnitSuccession
from shared.contracts.households import HouseholdCode

Decision = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RequestId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ResidentialKind = Literal[UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP]


class UnitChange(Contract):
    """What every change of units says: who, in which commune, from when, on
    whose decision. `request_id` is the form's one-time id (it becomes the
    succession's id): submitting the same form twice changes the units once."""

    actor: Text
    commune_id: Text
    on: date
    decision: Decision
    request_id: RequestId | None = None


class RenameUnit(UnitChange):
    """`directory.rename_unit`: one thôn or tổ dân phố continues under a new name."""

    unit_id: Text
    name: UnitName
    local_label: str | None = None  # None keeps the unit's own


class MergeUnits(UnitChange):
    """`directory.merge_units`: two or more units become one: `into_unit_id`, one of
    them, which continues; or else a new unit called `name`."""

    unit_ids: list[Text] = Field(min_length=2, max_length=30)
    into_unit_id: str | None = None
    name: UnitName | None = None
    kind: ResidentialKind | None = None  # of the new unit; by default that of the merged ones
    local_label: str | None = None


class SplitPart(Contract):
    """One of the new units a split makes, and the households that go to it."""

    name: UnitName
    local_label: str | None = None
    household_codes: list[HouseholdCode] = []


class SplitUnit(UnitChange):
    """`directory.split_unit`: one unit becomes several new ones; each of its
    households is assigned to exactly one of them."""

    unit_id: Text
    parts: list[SplitPart] = Field(min_length=2, max_length=10)


class UnitChangeResult(Contract):
    """What rename_unit, merge_units and split_unit answer."""

    succession: UnitSuccession
    units: list[AdministrativeUnit]  # the successors, as they are now


class ResidentialUnitsChanged(Event):
    """Published on `directory.events` once a rename, merge or split is carried out:
    the households of `ended_units` count in the successors from `succession.on`
    (`carried`: successor id → household codes). Records made before that day keep
    naming the ended units."""

    event_type: ClassVar[str] = "residential_units_changed"
    succession: UnitSuccession
    commune_name: str
    ended_units: list[AdministrativeUnit]
    successors: list[AdministrativeUnit]
    carried: dict[str, list[str]]
