"""The census in the directory service, on the real broker and wire server:
counts as of a date, frozen electorates, moves with their events."""

import pytest
from nameko.testing.services import entrypoint_waiter

from shared.chassis import MongoStore, Store, on_event
from shared.contracts.households import HouseholdMoved
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.samples import OTHER_WARD, household

GROUPS = ("tdp-1", "tdp-2")


@pytest.fixture
def directory(directory):
    """The ward of the conftest, with two residential groups."""
    for number, unit_id in enumerate(GROUPS, start=1):
        directory.register_unit(
            {
                "id": unit_id,
                "kind": "residential_group",
                "name": f"Tổ dân phố {number}",
                "parent_id": "huong-an",
                "valid_from": "2025-07-01",
            }
        )
    return directory


def count(directory, unit_id: str, as_of: str) -> int:
    return directory.count_households({"unit_id": unit_id, "as_of": as_of})["count"]


def test_counts_as_of_a_date_follow_arrivals_moves_and_departures(directory):
    for code in ("HAAAA2", "HAAAA3", "HAAAA4"):
        directory.register_household(household(code))
    directory.register_household(household("HBBBB2", "tdp-2", since="2025-09-01"))
    directory.move_household(
        {"actor": "admin", "code": "HAAAA3", "to_unit_id": "tdp-2", "on": "2025-10-01"}
    )
    directory.mark_moved_out({"actor": "admin", "code": "HAAAA4", "on": "2025-11-01"})

    assert [
        count(directory, "tdp-1", day)
        for day in ("2025-06-30", "2025-08-01", "2025-10-01", "2025-11-01")
    ] == [0, 3, 2, 1]
    assert [
        count(directory, "tdp-2", day) for day in ("2025-08-01", "2025-09-01", "2025-10-01")
    ] == [0, 1, 2]
    # a commune counts all its groups; a province all its communes' groups
    assert count(directory, "huong-an", "2025-10-15") == 4
    assert count(directory, "hue", "2025-11-15") == 3


def test_listing_pages_through_the_households_of_a_day_in_code_order(directory):
    for code in ("HAAAA4", "HAAAA2", "HAAAA3", "HAAAA5"):
        directory.register_household(household(code))
    first = directory.list_households({"unit_id": "tdp-1", "as_of": "2025-08-01", "limit": 3})
    rest = directory.list_households({"unit_id": "tdp-1", "as_of": "2025-08-01", "skip": 3})
    assert [h["code"] for h in first["households"] + rest["households"]] == [
        "HAAAA2",
        "HAAAA3",
        "HAAAA4",
        "HAAAA5",
    ]


def test_a_frozen_electorate_does_not_change_when_households_move(directory):
    for code in ("HAAAA2", "HAAAA3"):
        directory.register_household(household(code))
    frozen = directory.freeze_electorate(
        {"reference": "vote-1", "unit_id": "tdp-1", "as_of": "2025-08-01"}
    )
    directory.move_household(
        {"actor": "admin", "code": "HAAAA3", "to_unit_id": "tdp-2", "on": "2025-09-01"}
    )
    directory.register_household(household("HAAAA4", since="2025-09-01"))
    again = directory.freeze_electorate(
        {"reference": "vote-1", "unit_id": "tdp-1", "as_of": "2025-10-01"}
    )

    assert frozen["household_codes"] == ["HAAAA2", "HAAAA3"]
    assert again == frozen  # the same reference keeps its first snapshot
    assert directory.get_electorate({"reference": "vote-1"}) == frozen
    with pytest.raises(NotFound):
        directory.get_electorate({"reference": "vote-2"})


def test_a_household_is_found_by_code_or_by_any_members_phone(directory):
    directory.register_household(
        household(
            "HAAAA2",
            members=[
                {"name": "Nguyễn Văn An", "birth_year": 1968, "phone": "+84 912 345 678"},
                {"name": "Nguyễn Thị Bình", "birth_year": 1995},
            ],
        )
    )

    assert directory.resolve_household({"code": " haaaa2 "})["members"][0]["phone"] == (
        "0912345678"
    )
    found = directory.find_households_by_phone({"phone": "0912.345.678"})["households"]
    assert [h["code"] for h in found] == ["HAAAA2"]
    with pytest.raises(NotFound):
        directory.resolve_household({"code": "HZZZZ9"})


def test_registering_again_updates_details_and_keeps_the_history(directory):
    directory.register_household(household("HAAAA2"))
    directory.move_household(
        {"actor": "admin", "code": "HAAAA2", "to_unit_id": "tdp-2", "on": "2025-09-01"}
    )
    updated = directory.register_household(household("HAAAA2", "tdp-2", address="Số 9 mới"))

    assert updated["address"] == "Số 9 mới"
    assert [p["unit_id"] for p in updated["periods"]] == ["tdp-1", "tdp-2"]
    with pytest.raises(InvalidInput) as refused:
        directory.register_household(household("HAAAA2", "tdp-1"))
    assert "chuyển hộ" in refused.value.fields["unit_id"]


@pytest.mark.parametrize(
    "bad, field",
    [
        (household("HA0AA1"), "code"),  # 0 and 1 are not in household codes
        (household("HAAAA2", members=[{"name": "An", "phone": "12345"}]), "members.0.phone"),
        (household("HAAAA2", "huong-an"), "unit_id"),  # a ward, not a residential group
        (household("HAAAA2", since="2025-02-30"), "since"),
    ],
)
def test_bad_households_are_refused_with_the_field_named(directory, bad, field):
    with pytest.raises(InvalidInput) as refused:
        directory.register_household(bad)
    assert field in refused.value.fields


class MoveWatcher:
    name = "move_watcher"
    store = MongoStore(Store)
    seen: list[HouseholdMoved] = []

    @on_event("directory", HouseholdMoved)
    def note(self, event: HouseholdMoved) -> None:
        MoveWatcher.seen.append(event)


def test_moves_and_departures_are_published_as_events(start_service, config, directory):
    config["MONGO_DATABASES"]["move_watcher"] = config["MONGO_DATABASES"]["notifications"]
    watcher = start_service(MoveWatcher)
    MoveWatcher.seen.clear()
    directory.register_household(household("HAAAA2"))

    with entrypoint_waiter(watcher, "note", timeout=10):
        directory.move_household(
            {"actor": "admin", "code": "HAAAA2", "to_unit_id": "tdp-2", "on": "2025-09-01"}
        )
    with entrypoint_waiter(watcher, "note", timeout=10):
        directory.mark_moved_out({"actor": "admin", "code": "HAAAA2", "on": "2025-10-01"})

    assert [(e.from_unit_id, e.to_unit_id, e.status.value) for e in MoveWatcher.seen] == [
        ("tdp-1", "tdp-2", "active"),
        ("tdp-2", None, "moved_out"),
    ]


def staff(directory, username: str, role: str, unit_id: str) -> None:
    directory.create_account(
        {
            "actor": "admin",
            "username": username,
            "full_name": username,
            "password": "một-mật-khẩu-dài",
            "roles": [{"role": role, "unit_id": unit_id}],
        }
    )


def test_staff_find_households_of_their_commune_by_code_phone_or_name(directory):
    directory.register_household(
        household(
            "HAAAA2",
            representative_name="Trần Thị Lan",
            members=[{"name": "Lê  Văn Hùng", "phone": "0912345678"}],
        )
    )
    directory.register_household(household("HAAAA3", "tdp-2"))
    staff(directory, "minh", "commune_staff", "huong-an")

    def search(text: str) -> list[str]:
        found = directory.search_households(
            {"actor": "minh", "commune_id": "huong-an", "text": text}
        )["households"]
        return [h["code"] for h in found]

    assert search("haaaa2") == ["HAAAA2"]
    assert search("+84 912 345 678") == ["HAAAA2"]
    assert search("lê văn") == ["HAAAA2"]
    assert search("NGUYỄN") == ["HAAAA3"]
    assert search("không có ai") == []


def test_staff_cannot_see_or_change_households_of_another_commune(directory, databases):
    directory.register_unit(OTHER_WARD)
    staff(directory, "tuan", "commune_staff", "kim-long")
    staff(directory, "hoa", "inspector", "huong-an")
    directory.register_household(household("HAAAA2"))

    with pytest.raises(Forbidden):
        directory.search_households({"actor": "tuan", "commune_id": "huong-an", "text": "HA"})
    with pytest.raises(Forbidden):
        directory.household_details({"actor": "tuan", "code": "HAAAA2"})
    with pytest.raises(Forbidden):
        directory.register_household(household("HAAAA9", actor="tuan"))
    with pytest.raises(Forbidden):  # an inspector reads, and changes nothing
        directory.mark_moved_out({"actor": "hoa", "code": "HAAAA2", "on": "2025-09-01"})
    details = directory.household_details({"actor": "hoa", "code": "HAAAA2"})
    assert (details["household"]["code"], details["unit_names"]) == (
        "HAAAA2",
        {"tdp-1": "Tổ dân phố 1"},
    )
    assert databases["directory"].households.count_documents({}) == 1


def test_every_change_to_a_household_is_in_the_audit_log(directory):
    directory.register_household(household("HAAAA2"))
    directory.register_household(household("HAAAA2"))  # the same again: no change, no entry
    directory.register_household(
        household("HAAAA2", address="Số 9 mới", members=[{"name": "Trần Văn Bảo"}])
    )
    directory.move_household(
        {"actor": "admin", "code": "HAAAA2", "to_unit_id": "tdp-2", "on": "2025-09-01"}
    )
    directory.mark_moved_out({"actor": "admin", "code": "HAAAA2", "on": "2025-10-01"})

    log = directory.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    households = [e for e in log if e["target"] == "HAAAA2"]
    assert [e["action"] for e in households] == [
        "mark_moved_out",
        "move_household",
        "register_household",
        "register_household",
    ]
    update = households[2]
    assert (update["before"]["address"], update["after"]["address"]) == (
        "Số nhà của HAAAA2",
        "Số 9 mới",
    )


def test_a_group_head_sees_only_the_households_of_their_own_group(directory):
    directory.register_household(household("HAAAA2", "tdp-1"))
    directory.register_household(household("HAAAA3", "tdp-2"))
    staff(directory, "hoa", "group_head", "tdp-1")

    found = directory.search_households({"actor": "hoa", "commune_id": "huong-an", "text": "HA"})
    assert [h["code"] for h in found["households"]] == []  # a code is matched whole
    found = directory.search_households(
        {"actor": "hoa", "commune_id": "huong-an", "text": "nguyễn"}
    )
    assert [h["code"] for h in found["households"]] == ["HAAAA2"]
    assert directory.household_details({"actor": "hoa", "code": "HAAAA2"})
    with pytest.raises(Forbidden):
        directory.household_details({"actor": "hoa", "code": "HAAAA3"})
    with pytest.raises(Forbidden):
        directory.list_household_imports({"actor": "hoa", "commune_id": "huong-an"})
