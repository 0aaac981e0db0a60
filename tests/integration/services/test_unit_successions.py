"""Renaming, merging and splitting residential units in the directory service, on
the real broker and wire server: counts before and after the date, history kept,
repeats, refusals, the event, and a change interrupted midway."""

from datetime import UTC, datetime, timedelta

import pytest
from nameko.testing.services import entrypoint_waiter

from services.directory.store import DirectoryStore
from services.directory.succession import Context, plan_merge
from services.notifications.service import NotificationsService
from shared.chassis import MongoStore, Store, on_event
from shared.contracts.directory import CommuneOverview
from shared.contracts.succession import MergeUnits, ResidentialUnitsChanged
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.ids import new_id
from tests.integration.services.test_households import staff
from tests.samples import OTHER_WARD, household, residential_group
from tests.support import wait_until

DECISION = "Nghị quyết số 12/NQ-HĐND"
BEFORE, ON = "2025-12-31", "2026-01-01"


@pytest.fixture
def directory(directory):
    """The conftest's ward with three groups: tdp-1 (two households), tdp-2 (one),
    tdp-3 (one)."""
    for number in (1, 2, 3):
        directory.register_unit(residential_group(number))
    for code, unit_id in (("HAAAA2", "tdp-1"), ("HAAAA3", "tdp-1"), ("HBBBB2", "tdp-2")):
        directory.register_household(household(code, unit_id))
    directory.register_household(household("HCCCC2", "tdp-3"))
    return directory


def change(**fields) -> dict:
    return {"actor": "admin", "commune_id": "huong-an", "on": ON, "decision": DECISION, **fields}


def count(directory, unit_id: str, as_of: str) -> int:
    return directory.count_households({"unit_id": unit_id, "as_of": as_of})["count"]


def counts(directory, unit_ids: list[str]) -> list[tuple[int, int]]:
    """Households of each unit on the day before the change and on its day."""
    return [(count(directory, u, BEFORE), count(directory, u, ON)) for u in unit_ids]


def test_a_merge_into_a_new_unit_moves_the_count_on_its_date_and_may_reuse_a_name(directory):
    result = directory.merge_units(change(unit_ids=["tdp-1", "tdp-2"], name="tổ dân phố 1"))

    [new] = result["units"]
    assert (new["name"], new["valid_from"], new["valid_to"]) == ("tổ dân phố 1", ON, None)
    assert result["succession"]["from_unit_ids"] == ["tdp-1", "tdp-2"]
    assert counts(directory, ["tdp-1", "tdp-2", new["id"]]) == [(2, 0), (1, 0), (0, 3)]
    # the commune, which counts its former units for past dates, is unchanged
    assert counts(directory, ["huong-an"]) == [(4, 4)]
    history = directory.resolve_household({"code": "HAAAA2"})["periods"]
    assert [(p["unit_id"], p["start"], p["end"]) for p in history] == [
        ("tdp-1", "2025-07-01", ON),
        (new["id"], ON, None),
    ]


def test_the_commune_lists_current_units_and_former_ones_with_their_successor(directory):
    result = directory.merge_units(change(unit_ids=["tdp-1", "tdp-2"], into_unit_id="tdp-2"))

    overview = CommuneOverview.model_validate(
        directory.get_commune_overview({"commune_id": "huong-an"})
    )
    assert [(s.unit.id, s.household_count) for s in overview.residential_units] == [
        ("tdp-2", 3),
        ("tdp-3", 1),
    ]
    [former] = overview.former_units
    assert (former.unit.id, str(former.unit.valid_to)) == ("tdp-1", ON)
    assert former.ended_by.model_dump(mode="json") == result["succession"]
    assert overview.unit_names["tdp-1"] == "Tổ dân phố 1"
    # merged into an existing unit: it keeps its start and its households
    assert counts(directory, ["tdp-1", "tdp-2"]) == [(2, 0), (1, 3)]


def test_a_rename_keeps_old_records_naming_the_old_unit(directory):
    result = directory.rename_unit(change(unit_id="tdp-3", name="Tổ dân phố Hòa Bình"))

    renamed = result["units"][0]["id"]
    assert counts(directory, ["tdp-3", renamed]) == [(1, 0), (0, 1)]
    frozen = directory.freeze_electorate(
        {"reference": "vote-1", "unit_id": "tdp-3", "as_of": BEFORE}
    )
    assert frozen["household_codes"] == ["HCCCC2"]
    details = directory.household_details({"actor": "admin", "code": "HCCCC2"})
    assert details["unit_names"] == {"tdp-3": "Tổ dân phố 3", renamed: "Tổ dân phố Hòa Bình"}


def test_a_split_sends_each_household_where_the_clerk_assigned_it(directory):
    parts = [
        {"name": "Tổ dân phố 1A", "household_codes": ["haaaa2"]},
        {"name": "Tổ dân phố 1B", "household_codes": ["HAAAA3"]},
    ]
    result = directory.split_unit(change(unit_id="tdp-1", parts=parts))

    ids = [unit["id"] for unit in result["units"]]
    assert counts(directory, ["tdp-1", *ids]) == [(2, 0), (0, 1), (0, 1)]
    assert directory.list_households({"unit_id": ids[1], "as_of": ON})["households"][0]["code"] == (
        "HAAAA3"
    )


def test_a_split_that_leaves_households_unassigned_is_refused_naming_them(directory, databases):
    parts = [
        {"name": "Tổ dân phố 1A", "household_codes": ["HAAAA2"]},
        {"name": "Tổ dân phố 1B", "household_codes": ["HZZZZ9"]},
    ]
    with pytest.raises(InvalidInput) as refused:
        directory.split_unit(change(unit_id="tdp-1", parts=parts))

    assert "HAAAA3" in refused.value.fields["parts"]
    assert "HZZZZ9" in refused.value.fields["parts.1.household_codes"]
    assert databases["directory"].unit_successions.count_documents({}) == 0
    assert databases["directory"].units.count_documents({"valid_to": {"$ne": None}}) == 0


def test_the_same_form_sent_twice_changes_the_units_once(directory, databases):
    request = change(unit_ids=["tdp-1", "tdp-2"], name="Tổ dân phố 12", request_id=new_id())
    first = directory.merge_units(request)
    second = directory.merge_units(request)

    assert first == second
    assert databases["directory"].unit_successions.count_documents({}) == 1
    assert databases["directory"].units.count_documents({"name": "Tổ dân phố 12"}) == 1
    assert len(directory.resolve_household({"code": "HAAAA2"})["periods"]) == 2


@pytest.mark.parametrize(
    "request_fields, field",
    [
        ({"unit_id": "tdp-1", "name": "Tổ dân phố 2"}, "name"),  # a current unit's name
        ({"unit_id": "tdp-1", "name": "Tổ 9", "on": "2025-07-01"}, "on"),  # not after its start
        ({"unit_id": "huong-an", "name": "Tổ 9"}, "unit_id"),  # not a residential unit
        ({"unit_id": "tdp-1", "name": "Tổ 9", "decision": ""}, "decision"),
    ],
)
def test_a_bad_rename_is_refused_with_the_field_named(directory, request_fields, field):
    with pytest.raises(InvalidInput) as refused:
        directory.rename_unit(change(**request_fields))
    assert field in refused.value.fields


def test_an_ended_unit_cannot_be_changed_again_nor_take_new_households(directory):
    directory.rename_unit(change(unit_id="tdp-1", name="Tổ dân phố 11"))

    with pytest.raises(InvalidInput) as refused:
        directory.merge_units(change(unit_ids=["tdp-1", "tdp-2"], name="Tổ 12", on="2026-02-01"))
    assert "đã có quyết định kết thúc" in refused.value.fields["on"]
    with pytest.raises(InvalidInput) as refused:
        directory.register_household(household("HDDDD2", "tdp-1", since="2026-02-01"))
    assert "đơn vị kế tiếp" in refused.value.fields["unit_id"]
    with pytest.raises(InvalidInput):
        directory.move_household(
            {"actor": "admin", "code": "HBBBB2", "to_unit_id": "tdp-1", "on": "2026-02-01"}
        )
    # an import that knows nothing of the change (the demo, say) does not undo it
    unit = directory.register_unit(residential_group(1))
    assert unit["valid_to"] == ON
    again = directory.register_household(household("HAAAA2", "tdp-1", address="Số 9 mới"))
    assert (again["address"], len(again["periods"])) == ("Số 9 mới", 2)


def test_a_change_whose_date_falls_inside_a_later_move_is_refused(directory):
    directory.move_household(
        {"actor": "admin", "code": "HAAAA3", "to_unit_id": "tdp-3", "on": "2026-03-01"}
    )
    with pytest.raises(InvalidInput) as refused:
        directory.rename_unit(change(unit_id="tdp-1", name="Tổ dân phố 11"))
    assert "HAAAA3" in refused.value.fields["on"]


def test_staff_of_another_commune_cannot_change_units(directory, databases):
    directory.register_unit(OTHER_WARD)
    staff(directory, "tuan", "commune_staff", "kim-long")
    with pytest.raises(Forbidden):
        directory.merge_units(change(actor="tuan", unit_ids=["tdp-1", "tdp-2"], name="Tổ 12"))
    assert databases["directory"].unit_successions.count_documents({}) == 0


def test_a_change_is_in_the_audit_log_with_the_households_it_carried(directory):
    directory.merge_units(change(unit_ids=["tdp-1", "tdp-2"], into_unit_id="tdp-2"))

    log = directory.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    [entry] = [e for e in log if e["action"] == "merge_units"]
    assert entry["before"] == {"name": "Tổ dân phố 1"}
    assert (entry["after"]["decision"], entry["after"]["households"]) == (
        DECISION,
        {"Tổ dân phố 2": "HAAAA2, HAAAA3"},
    )


class ChangeWatcher:
    name = "change_watcher"
    store = MongoStore(Store)
    seen: list[ResidentialUnitsChanged] = []

    @on_event("directory", ResidentialUnitsChanged)
    def note(self, event: ResidentialUnitsChanged) -> None:
        ChangeWatcher.seen.append(event)


@pytest.fixture
def watcher(start_service, config):
    config["MONGO_DATABASES"]["change_watcher"] = config["MONGO_DATABASES"]["notifications"]
    ChangeWatcher.seen.clear()
    return start_service(ChangeWatcher)


def test_a_change_is_published_once_carried_out(directory, watcher):
    with entrypoint_waiter(watcher, "note", timeout=10):
        result = directory.merge_units(change(unit_ids=["tdp-1", "tdp-2"], name="Tổ dân phố 12"))

    [event] = ChangeWatcher.seen
    new_id_ = result["units"][0]["id"]
    assert event.succession.model_dump(mode="json") == result["succession"]
    assert event.carried == {new_id_: ["HAAAA2", "HAAAA3", "HBBBB2"]}
    assert [str(unit.valid_to) for unit in event.ended_units] == [ON, ON]


def test_the_communes_staff_are_told_of_a_change(start_service, directory, databases):
    notifications = start_service(NotificationsService)

    with entrypoint_waiter(notifications, "tell_staff_of_unit_change", timeout=10):
        directory.split_unit(
            change(
                unit_id="tdp-1",
                parts=[
                    {"name": "Tổ dân phố 1A", "household_codes": ["HAAAA2"]},
                    {"name": "Tổ dân phố 1B", "household_codes": ["HAAAA3"]},
                ],
            )
        )

    notice = databases["notifications"].staff_notices.find_one({"commune_id": "huong-an"})
    assert notice["title"] == "Chia Tổ dân phố 1 thành Tổ dân phố 1A, Tổ dân phố 1B"
    assert notice["body"] == (
        "Có hiệu lực từ ngày 01/01/2026 theo Nghị quyết số 12/NQ-HĐND. "
        "2 hộ gia đình được chuyển sang đơn vị mới."
    )


def plan_of(databases, command: MergeUnits):
    """What the service would record for `command`, recorded as if the request that
    began it died at once (its claim already lapsed)."""
    store = DirectoryStore(databases["directory"].client, databases["directory"])
    context = Context(
        commune=store.get_unit("huong-an"),
        units=store.children("huong-an"),
        households=store.households_staying(command.unit_ids, command.on),
    )
    plan = plan_merge(command, context, command.request_id)
    store.begin_succession(plan)
    databases["directory"].unit_successions.update_one(
        {"_id": plan.succession.id},
        {"$set": {"claimed_until": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    return store, plan


def test_a_change_interrupted_midway_is_finished_by_the_timer(directory, watcher, databases):
    command = MergeUnits.model_validate(
        change(unit_ids=["tdp-1", "tdp-2"], name="Tổ dân phố 1", request_id=new_id())
    )
    store, plan = plan_of(databases, command)
    # the request died after ending one unit
    assert store.end_unit("tdp-1", plan.succession.on, plan.succession.id)

    with entrypoint_waiter(watcher, "note", timeout=20):
        pass

    record = databases["directory"].unit_successions.find_one({"_id": plan.succession.id})
    assert record["state"] == "done"
    assert counts(directory, ["tdp-1", "tdp-2", plan.created[0].id]) == [(2, 0), (1, 0), (0, 3)]
    # the same form sent again answers what was done
    again = directory.merge_units(command.model_dump(mode="json"))
    assert again["succession"]["id"] == plan.succession.id


def test_a_change_whose_new_name_was_taken_meanwhile_is_undone(directory, databases):
    command = MergeUnits.model_validate(
        change(unit_ids=["tdp-1", "tdp-2"], name="Tổ dân phố 12", request_id=new_id())
    )
    store, plan = plan_of(databases, command)
    directory.add_residential_unit(
        {
            "actor": "admin",
            "commune_id": "huong-an",
            "kind": "residential_group",
            "name": "Tổ dân phố 12",
            "valid_from": "2025-08-01",
        }
    )

    wait_until(
        lambda: (
            databases["directory"].unit_successions.find_one({"_id": plan.succession.id})["state"]
            == "abandoned"
        ),
        timeout=20,
    )
    units = databases["directory"].units
    assert units.count_documents({"valid_to": {"$ne": None}}) == 0  # both reopened
    assert units.find_one({"_id": plan.created[0].id}) is None
    assert counts(directory, ["tdp-1", "tdp-2"]) == [(2, 2), (1, 1)]
    with pytest.raises(Conflict) as refused:
        directory.merge_units(command.model_dump(mode="json"))
    assert "Tổ dân phố 12" in refused.value.detail


DISTRICT = {
    "id": "huong-tra",
    "kind": "district",
    "name": "Thị xã Hương Trà",
    "parent_id": "hue",
    "valid_from": "2011-01-01",
    "valid_to": "2025-07-01",
}
OLD_WARD = {
    "id": "huong-an-2024",
    "kind": "ward",
    "name": "Phường Hương An (cũ)",
    "parent_id": "huong-tra",
    "valid_from": "2024-11-01",
    "valid_to": "2025-07-01",
}


def test_a_district_is_kept_as_read_only_history(directory):
    directory.register_unit(DISTRICT)
    directory.register_unit(OLD_WARD)
    directory.register_unit(OLD_WARD)  # the same import again changes nothing

    with pytest.raises(InvalidInput) as refused:  # districts ended with the 2025 reform
        directory.register_unit({**DISTRICT, "id": "phong-dien", "valid_to": None})
    assert "01/07/2025" in refused.value.fields["valid_to"]
    with pytest.raises(InvalidInput) as refused:  # only communes that ended with it
        directory.register_unit({**OLD_WARD, "id": "new-ward", "valid_to": None})
    assert "valid_to" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:  # no thôn or tổ directly under a district
        directory.register_unit(
            {**OLD_WARD, "id": "to-1", "kind": "residential_group", "name": "Tổ 1"}
        )
    assert "parent_id" in refused.value.fields
    with pytest.raises(Conflict):  # nor changed afterwards
        directory.register_unit({**DISTRICT, "name": "Thị xã Hương Trà mới"})
    with pytest.raises(InvalidInput) as refused:  # nothing added under its communes
        directory.add_residential_unit(
            {
                "actor": "admin",
                "commune_id": "huong-an-2024",
                "kind": "residential_group",
                "name": "Tổ 1",
                "valid_from": "2025-01-01",
            }
        )
    assert "chỉ lưu để tra cứu" in refused.value.fields["commune_id"]
    # the list of communes is of those that exist; the old ward is still found by its id
    assert [c["id"] for c in directory.list_communes()["communes"]] == ["huong-an"]
    overview = directory.get_commune_overview({"commune_id": "huong-an-2024"})
    assert overview["province"]["name"] == "Thị xã Hương Trà"
