"""Contracts of the directory service: administrative units and households."""

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text
from shared.i18n import N_

UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class UnitKind(StrEnum):
    """Levels of Vietnam's administration since 1 July 2025 (two-tier local government)."""

    PROVINCE = "province"  # tỉnh / thành phố trực thuộc trung ương
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu
    # huyện / quận / thị xã / thành phố thuộc tỉnh: abolished on 1 July 2025, kept
    # read-only so records made before then still name their place
    DISTRICT = "district"
    VILLAGE = "village"  # thôn (Law 10/2022 Art 2.3)
    RESIDENTIAL_GROUP = "residential_group"  # tổ dân phố (Law 10/2022 Art 2.3)


COMMUNE_LEVEL_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE})
RESIDENTIAL_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP})

# Law 10/2022 Art 2.3: "thôn" covers thôn, làng, ấp, bản, buôn, bon, phum, sóc;
# "tổ dân phố" covers tổ dân phố, khu phố, khối phố, khóm, tiểu khu.
LOCAL_LABELS: dict[UnitKind, tuple[str, ...]] = {
    # What a clerk types and the unit keeps (the directory checks it, staff forms offer
    # it); marked for the catalog so a page can say it.
    UnitKind.VILLAGE: (
        N_("thôn"),
        N_("làng"),
        N_("ấp"),
        N_("bản"),
        N_("buôn"),
        N_("bon"),
        N_("phum"),
        N_("sóc"),
    ),
    UnitKind.RESIDENTIAL_GROUP: (
        N_("tổ dân phố"),
        N_("khu phố"),
        N_("khối phố"),
        N_("khóm"),
        N_("tiểu khu"),
    ),
}


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
    valid_to: date | None = None  # the first day it no longer exists (history imports)


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


class SuccessionKind(StrEnum):
    RENAME = "rename"  # one unit → one, under a new name
    MERGE = "merge"  # several → one, new or one of them
    SPLIT = "split"  # one → several new ones


class UnitSuccession(Contract):
    """A recorded change of residential units, effective `on`: the units in
    `from_unit_ids` end that day (valid_to = on) and their households continue in
    `to_unit_ids`, which exist from that day (or before, for a unit merged into)."""

    id: str
    kind: SuccessionKind
    commune_id: str
    on: date
    from_unit_ids: list[str]
    to_unit_ids: list[str]
    decision: str  # the act that decided it, e.g. "Nghị quyết số 12/NQ-HĐND"
    actor: str


class ResidentialUnitSummary(Contract):
    unit: AdministrativeUnit
    household_count: int = Field(ge=0)
    ended_by: UnitSuccession | None = None  # a change that will end it on a later date


class FormerUnit(Contract):
    """A thôn or tổ dân phố that no longer exists, and what became of it (None: it
    ended without a recorded succession, e.g. imported history)."""

    unit: AdministrativeUnit
    ended_by: UnitSuccession | None = None


class CommuneOverview(Contract):
    """`directory.get_commune_overview`: a commune and its residential units, counted."""

    commune: AdministrativeUnit
    province: AdministrativeUnit | None
    residential_units: list[ResidentialUnitSummary]  # those that exist today
    upcoming_units: list[AdministrativeUnit] = []  # to exist from a later date
    former_units: list[FormerUnit] = []
    unit_names: dict[str, str] = {}  # every residential unit the commune ever had, by id

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
