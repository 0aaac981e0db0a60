"""Contracts of the directory service: administrative units and households."""

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text

UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class UnitKind(StrEnum):
    """Levels of Vietnam's administration since 1 July 2025 (two-tier local government)."""

    PROVINCE = "province"  # tỉnh / thành phố trực thuộc trung ương
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu
    VILLAGE = "village"  # thôn (Law 10/2022 Art 2.3)
    RESIDENTIAL_GROUP = "residential_group"  # tổ dân phố (Law 10/2022 Art 2.3)


COMMUNE_LEVEL_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE})
RESIDENTIAL_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP})


class AdministrativeUnit(Contract):
    id: str
    kind: UnitKind
    name: UnitName
    parent_id: str | None = None
    local_label: str | None = None  # ấp, khóm, bản, khu phố...: what residents call it
    valid_from: date
    valid_to: date | None = None


class RegisterUnit(Contract):
    """`directory.register_unit`: create or update a unit with a known id (imports, demo)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    kind: UnitKind
    name: UnitName
    parent_id: str | None = None
    local_label: str | None = None
    valid_from: date


class AddResidentialUnit(Contract):
    """`directory.add_residential_unit`: a clerk (`actor`) adds a thôn or tổ dân phố."""

    actor: Text
    commune_id: Text
    kind: Literal[UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP]
    name: UnitName
    local_label: str | None = None
    valid_from: date
    # The form's one-time id: submitting the same form twice adds the unit once.
    request_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None


class GetCommuneOverview(Contract):
    """`directory.get_commune_overview`."""

    commune_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]


class ResidentialUnitSummary(Contract):
    unit: AdministrativeUnit
    household_count: int = Field(ge=0)


class CommuneOverview(Contract):
    """`directory.get_commune_overview`: a commune and its residential units, counted."""

    commune: AdministrativeUnit
    province: AdministrativeUnit | None
    residential_units: list[ResidentialUnitSummary]

    @property
    def household_count(self) -> int:
        return sum(item.household_count for item in self.residential_units)


class CommuneList(Contract):
    """`directory.list_communes`."""

    communes: list[AdministrativeUnit]


class ResidentialUnitAdded(Event):
    """Published on `directory.events` after a clerk adds a thôn or tổ dân phố."""

    event_type: ClassVar[str] = "residential_unit_added"
    unit: AdministrativeUnit
    commune_name: str
