"""Pure rules of units over time: renames, merges and splits of thôn and tổ dân
phố, and the pre-2025 districts kept as read-only history."""

from datetime import UTC, date, datetime

import pytest

from services.directory import domain, succession
from services.directory.succession import Context
from services.notifications.domain import notice_for_unit_change
from shared.contracts.directory import AdministrativeUnit, RegisterUnit, UnitKind
from shared.contracts.households import Household
from shared.contracts.succession import (
    MergeUnits,
    RenameUnit,
    ResidentialUnitsChanged,
    SplitUnit,
)
from shared.errors import Conflict, InvalidInput
from tests.unit.test_directory_domain import PROVINCE, WARD

ON = date(2026, 1, 1)


def unit(number: int, kind: UnitKind = UnitKind.RESIDENTIAL_GROUP, **extra) -> AdministrativeUnit:
    label = "tổ dân phố" if kind == UnitKind.RESIDENTIAL_GROUP else "thôn"
    return AdministrativeUnit.model_validate(
        {
            "id": f"tdp-{number}",
            "kind": kind,
            "name": f"Tổ dân phố {number}",
            "parent_id": "huong-an",
            "local_label": label,
            "valid_from": date(2025, 7, 1),
            **extra,
        }
    )


def resident(code: str, unit_id: str, start: str = "2025-07-01", **period) -> Household:
    return Household.model_validate(
        {
            "code": code,
            "address": "Số 1",
            "representative_name": "Nguyễn Văn An",
            "members": [],
            "periods": [{"unit_id": unit_id, "status": "active", "start": start, **period}],
        }
    )


CONTEXT = Context(
    commune=WARD,
    units=[unit(1), unit(2), unit(3)],
    households=[
        resident("HAAAA2", "tdp-1"),
        resident("HAAAA3", "tdp-1"),
        resident("HBBBB2", "tdp-2"),
    ],
)


def common(**fields) -> dict:
    return {"actor": "minh", "commune_id": "huong-an", "on": ON, "decision": "NQ 12", **fields}


def refused_fields(plan, command, context: Context = CONTEXT) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        plan(command, context, "c1")
    return refused.value.fields


def test_a_merge_into_a_new_unit_ends_the_merged_ones_on_its_date():
    plan = succession.plan_merge(
        MergeUnits(**common(unit_ids=["tdp-1", "tdp-2"], name="Tổ dân phố 1")), CONTEXT, "c1"
    )

    [new] = plan.created
    assert (new.id, new.name, new.valid_from, new.local_label) == (
        "c1-1",
        "Tổ dân phố 1",  # the name of a unit that ends that day is free again
        ON,
        "tổ dân phố",
    )
    assert [(u.id, u.valid_to) for u in plan.ended] == [("tdp-1", ON), ("tdp-2", ON)]
    assert plan.successor_of("HAAAA2") == "c1-1"
    assert plan.succession.to_unit_ids == ["c1-1"]


def test_a_merge_into_one_of_the_units_creates_nothing():
    plan = succession.plan_merge(
        MergeUnits(**common(unit_ids=["tdp-1", "tdp-2"], into_unit_id="tdp-2")), CONTEXT, "c1"
    )
    assert (plan.created, [u.id for u in plan.ended], plan.succession.to_unit_ids) == (
        [],
        ["tdp-1"],
        ["tdp-2"],
    )


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"unit_ids": ["tdp-1", "tdp-1"], "name": "Tổ 9"}, "unit_ids"),  # one unit, twice
        ({"unit_ids": ["tdp-1", "tdp-2"]}, "name"),  # neither a name nor a unit merged into
        ({"unit_ids": ["tdp-1", "tdp-2"], "into_unit_id": "tdp-3"}, "into_unit_id"),
        ({"unit_ids": ["tdp-1", "tdp-2"], "into_unit_id": "tdp-2", "name": "Tổ 9"}, "name"),
        ({"unit_ids": ["tdp-1", "tdp-2"], "name": "Tổ dân phố 3"}, "name"),  # still exists
        ({"unit_ids": ["tdp-1", "huong-an"], "name": "Tổ 9"}, "unit_ids"),
        ({"unit_ids": ["tdp-1", "tdp-2"], "name": "Tổ 9", "local_label": "ấp"}, "local_label"),
    ],
)
def test_a_bad_merge_names_the_field_at_fault(fields, field):
    assert field in refused_fields(succession.plan_merge, MergeUnits(**common(**fields)))


def test_merging_a_thon_with_a_to_dan_pho_needs_the_new_units_kind():
    context = Context(WARD, [unit(1), unit(2, UnitKind.VILLAGE)], [])
    command = MergeUnits(**common(unit_ids=["tdp-1", "tdp-2"], name="Khu 9"))
    assert "kind" in refused_fields(succession.plan_merge, command, context)
    village = command.model_copy(update={"kind": UnitKind.VILLAGE})
    [new] = succession.plan_merge(village, context, "c1").created
    assert (new.kind, new.local_label) == (UnitKind.VILLAGE, "thôn")


def test_a_rename_must_change_the_name_or_the_label():
    same = RenameUnit(**common(unit_id="tdp-1", name="tổ  DÂN phố 1"))
    assert "name" in refused_fields(succession.plan_rename, same)
    relabelled = same.model_copy(update={"local_label": "khu phố"})
    [new] = succession.plan_rename(relabelled, CONTEXT, "c1").created
    assert (new.name, new.local_label) == ("tổ  DÂN phố 1", "khu phố")


def test_a_unit_that_already_has_an_end_cannot_change_again():
    context = Context(WARD, [unit(1, valid_to=date(2027, 1, 1)), unit(2)], [])
    fields = refused_fields(
        succession.plan_rename, RenameUnit(**common(unit_id="tdp-1", name="Tổ 9")), context
    )
    assert "01/01/2027" in fields["on"]


def test_a_change_takes_effect_after_the_unit_began():
    command = RenameUnit(**common(unit_id="tdp-1", name="Tổ 9", on=date(2025, 7, 1)))
    assert "01/07/2025" in refused_fields(succession.plan_rename, command)["on"]


def test_a_change_may_not_cut_through_a_later_move():
    moved_later = resident("HCCCC2", "tdp-1", end="2026-03-01")
    context = Context(WARD, CONTEXT.units, [*CONTEXT.households, moved_later])
    command = RenameUnit(**common(unit_id="tdp-1", name="Tổ 9"))
    assert "HCCCC2" in refused_fields(succession.plan_rename, command, context)["on"]


def split(*codes: list[str]) -> SplitUnit:
    parts = [{"name": f"Tổ 1{'AB'[i]}", "household_codes": c} for i, c in enumerate(codes)]
    return SplitUnit(**common(unit_id="tdp-1", parts=parts))


def test_a_split_assigns_each_household_to_its_part():
    plan = succession.plan_split(split(["HAAAA2"], ["HAAAA3"]), CONTEXT, "c1")
    assert [u.id for u in plan.created] == ["c1-1", "c1-2"]
    assert (plan.successor_of("HAAAA2"), plan.successor_of("HAAAA3")) == ("c1-1", "c1-2")


def test_a_split_names_unassigned_unknown_and_twice_assigned_households():
    fields = refused_fields(succession.plan_split, split(["HAAAA2", "HBBBB2"], ["HAAAA2"]))
    assert "HAAAA3" in fields["parts"]  # not assigned
    assert "HBBBB2" in fields["parts.0.household_codes"]  # lives in Tổ dân phố 2
    assert "HAAAA2" in fields["parts.1.household_codes"]  # already in the first part


def test_new_parts_may_not_share_a_name():
    command = SplitUnit(
        **common(
            unit_id="tdp-1",
            parts=[
                {"name": "Tổ 1A", "household_codes": ["HAAAA2", "HAAAA3"]},
                {"name": "tổ 1a"},
            ],
        )
    )
    assert "parts.1.name" in refused_fields(succession.plan_split, command)


def test_no_change_in_a_commune_kept_as_pre_reform_history():
    old_ward = WARD.model_copy(update={"valid_to": date(2025, 7, 1)})
    context = Context(old_ward, CONTEXT.units, [])
    command = RenameUnit(**common(unit_id="tdp-1", name="Tổ 9"))
    assert "01/07/2025" in refused_fields(succession.plan_rename, command, context)["commune_id"]


def test_long_lists_of_households_are_cut_short():
    codes = [f"HA{n:04d}" for n in range(25)]
    assert succession.listing(codes).endswith("HA0019 và 5 hộ khác")


def test_the_overview_parts_current_units_from_former_ones():
    change = succession.plan_rename(
        RenameUnit(**common(unit_id="tdp-1", name="Tổ 9")), CONTEXT, "c1"
    )
    units = [change.ended[0], unit(2), change.created[0]]
    later = unit(4, valid_from=date(2027, 1, 1))
    overview = succession.overview(
        WARD, PROVINCE, [*units, later], {"tdp-2": 1, "c1-1": 2}, [change.succession], ON
    )
    assert [s.unit.id for s in overview.residential_units] == ["tdp-2", "c1-1"]
    assert overview.upcoming_units == [later]
    assert [(f.unit.id, f.ended_by) for f in overview.former_units] == [
        ("tdp-1", change.succession)
    ]
    assert overview.unit_names["tdp-1"] == "Tổ dân phố 1"


def test_a_change_tells_staff_what_happened_when_and_on_whose_decision():
    plan = succession.plan_merge(
        MergeUnits(**common(unit_ids=["tdp-1", "tdp-2"], into_unit_id="tdp-2")), CONTEXT, "c1"
    )
    event = ResidentialUnitsChanged(
        event_id="e1",
        occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
        succession=plan.succession,
        commune_name="Phường Hương An",
        ended_units=plan.ended,
        successors=plan.successors,
        carried={"tdp-2": ["HAAAA2", "HAAAA3"]},
    )
    notice = notice_for_unit_change(event)
    assert (notice.id, notice.title) == ("e1", "Sáp nhập Tổ dân phố 1 vào Tổ dân phố 2")
    assert notice.body.startswith("Có hiệu lực từ ngày 01/01/2026 theo NQ 12. 2 hộ")


# Pre-2025 districts (the amended Law on Organisation of Local Government 2025).

DISTRICT = RegisterUnit(
    id="huong-tra",
    kind=UnitKind.DISTRICT,
    name="Thị xã Hương Trà",
    parent_id="hue",
    valid_from=date(2011, 1, 1),
    valid_to=date(2025, 7, 1),
)


def test_a_district_is_registered_only_as_ended_by_the_reform():
    district = domain.unit_from_registration(DISTRICT, PROVINCE)
    assert domain.is_history(district)
    for ends in (None, date(2025, 7, 2)):
        with pytest.raises(InvalidInput) as refused:
            domain.unit_from_registration(DISTRICT.model_copy(update={"valid_to": ends}), PROVINCE)
        assert "01/07/2025" in refused.value.fields["valid_to"]


def test_a_commune_under_a_district_ended_with_it():
    district = domain.unit_from_registration(DISTRICT, PROVINCE)
    ward = DISTRICT.model_copy(
        update={"id": "old-ward", "kind": UnitKind.WARD, "parent_id": "huong-tra", "valid_to": None}
    )
    with pytest.raises(InvalidInput):
        domain.unit_from_registration(ward, district)
    ended = ward.model_copy(update={"valid_to": date(2025, 7, 1)})
    assert domain.unit_from_registration(ended, district).parent_id == "huong-tra"
    group = ended.model_copy(update={"id": "old-group", "kind": UnitKind.RESIDENTIAL_GROUP})
    with pytest.raises(InvalidInput) as refused:
        domain.unit_from_registration(group, district)
    assert "parent_id" in refused.value.fields


def test_history_is_registered_again_only_unchanged():
    district = domain.unit_from_registration(DISTRICT, PROVINCE)
    assert domain.unit_from_registration(DISTRICT, PROVINCE, district) == district
    with pytest.raises(Conflict):
        domain.unit_from_registration(
            DISTRICT.model_copy(update={"name": "Thị xã khác"}), PROVINCE, district
        )


def test_registering_again_keeps_an_end_the_directory_recorded():
    group = RegisterUnit(
        id="tdp-1",
        kind=UnitKind.RESIDENTIAL_GROUP,
        name="Tổ dân phố 1",
        parent_id="huong-an",
        valid_from=date(2025, 7, 1),
    )
    merged = unit(1, valid_to=ON)
    assert domain.unit_from_registration(group, WARD, merged).valid_to == ON


def test_an_end_comes_after_the_start():
    ends_first = DISTRICT.model_copy(update={"valid_to": date(2010, 1, 1)})
    with pytest.raises(InvalidInput) as refused:
        domain.unit_from_registration(ends_first, PROVINCE)
    assert refused.value.fields["valid_to"] == "Ngày kết thúc phải sau ngày bắt đầu."
