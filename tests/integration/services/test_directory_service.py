"""The directory service in a nameko container, on the real broker and wire server."""

from datetime import date

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.directory.service import DirectoryService
from services.notifications.service import NotificationsService
from shared.chassis import PENDING, RELAY_AFTER, event_item, with_pending
from shared.contracts.directory import CommuneOverview, ResidentialUnitAdded
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.ids import new_id
from tests.samples import OTHER_WARD, household
from tests.support import embedded_mongo, wait_until


def new_group(name: str = "Tổ dân phố 7", **extra: object) -> dict:
    return {
        "actor": "admin",
        "commune_id": "huong-an",
        "kind": "residential_group",
        "name": name,
        "valid_from": "2025-08-01",
        **extra,
    }


def test_added_group_is_listed_with_its_household_count(directory):
    unit = directory.add_residential_unit(new_group())
    for code in ("HA7K2M", "HA7K2N"):
        directory.register_household(household(code, unit["id"], since="2025-08-01"))

    overview = CommuneOverview.model_validate(
        directory.get_commune_overview({"commune_id": "huong-an"})
    )

    assert [(s.unit.name, s.household_count) for s in overview.residential_units] == [
        ("Tổ dân phố 7", 2)
    ]
    assert overview.residential_units[0].unit.valid_from == date(2025, 8, 1)


def test_registering_the_same_household_twice_keeps_one(directory):
    unit = directory.add_residential_unit(new_group())
    directory.register_household(household("HA7K2M", unit["id"], since="2025-08-01"))
    directory.register_household(household("HA7K2M", unit["id"], since="2025-08-01"))

    overview = CommuneOverview.model_validate(
        directory.get_commune_overview({"commune_id": "huong-an"})
    )
    assert overview.household_count == 1


def test_a_name_already_used_in_the_commune_is_refused_and_nothing_is_added(directory, databases):
    directory.add_residential_unit(new_group("Tổ dân phố 7"))

    with pytest.raises(InvalidInput) as refused:
        directory.add_residential_unit(new_group("tổ  DÂN phố 7"))

    assert refused.value.fields == {
        "name": "Đã có đơn vị tên “tổ  DÂN phố 7” trong Phường Hương An."
    }
    assert databases["directory"].units.count_documents({"parent_id": "huong-an"}) == 1


def test_submitting_the_same_form_twice_adds_the_unit_once(directory, databases):
    request_id = new_id()
    first = directory.add_residential_unit(new_group(request_id=request_id))
    second = directory.add_residential_unit(new_group(request_id=request_id))

    assert first == second
    assert databases["directory"].units.count_documents({"parent_id": "huong-an"}) == 1
    # one event, waiting in the unit's outbox: no notifications service ever ran here
    [unit] = databases["directory"].units.find({"parent_id": "huong-an"})
    assert [item["kind"] for item in unit["_pending"]] == ["event"]


def test_invalid_input_names_each_wrong_field_in_vietnamese(directory):
    with pytest.raises(InvalidInput) as refused:
        directory.add_residential_unit(new_group(name="", kind="province", valid_from="31/02"))

    fields = refused.value.fields
    assert fields["name"] == "Vui lòng điền mục này."
    assert set(fields) == {"name", "kind", "valid_from"}


def test_a_group_needs_an_existing_commune(directory):
    with pytest.raises(InvalidInput) as refused:
        directory.add_residential_unit(new_group(commune_id="no-such-ward"))
    assert refused.value.fields == {"commune_id": "Không tìm thấy xã, phường hoặc đặc khu này."}


def test_unknown_commune_overview_is_not_found(directory):
    with pytest.raises(NotFound):
        directory.get_commune_overview({"commune_id": "no-such-ward"})


def test_health_reports_the_database(directory):
    assert directory.health() == {"service": "directory", "database_up": True}


def test_adding_a_group_tells_the_notifications_service(start_service, directory, databases):
    notifications = start_service(NotificationsService)

    with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=10):
        unit = directory.add_residential_unit(new_group())

    notice = databases["notifications"].staff_notices.find_one()
    assert notice["commune_id"] == "huong-an"
    assert notice["title"] == f"Đã thêm tổ dân phố “{unit['name']}”"


def test_an_event_whose_relay_died_is_published_by_the_timer(start_service, directory, databases):
    """Simulates a crash between storing a change and publishing its event: the
    event waits in the unit document's outbox, and the relay timer publishes it."""
    notifications = start_service(NotificationsService)
    event = ResidentialUnitAdded(
        event_id=new_id(),
        occurred_at="2025-08-01T00:00:00Z",
        commune_name="Phường Hương An",
        unit={
            "id": "u1",
            "kind": "residential_group",
            "name": "Tổ dân phố 9",
            "parent_id": "huong-an",
            "valid_from": "2025-08-01",
        },
    )
    databases["directory"].units.insert_one(
        {
            **with_pending({"_id": "u1", "parent_id": "huong-an"}, [event_item(event)]),
            RELAY_AFTER: event.occurred_at,
        }
    )

    with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=15):
        pass

    assert databases["notifications"].staff_notices.find_one({"_id": event.event_id})
    # the relay removes the item just after the broker confirmed it
    wait_until(lambda: PENDING not in databases["directory"].units.find_one({"_id": "u1"}))


def test_health_reports_a_database_that_went_away(start_service, config):
    with embedded_mongo(reuse_env=False) as doomed_url:
        start_service(DirectoryService, MONGO_URL=doomed_url)
        with ServiceRpcProxy("directory", config) as proxy:
            assert proxy.health()["database_up"] is True
    # the server above has stopped
    with ServiceRpcProxy("directory", config) as proxy:
        assert proxy.health() == {"service": "directory", "database_up": False}


def test_an_event_no_service_listens_for_yet_waits_until_one_does(
    start_service, directory, databases
):
    """A fresh broker has no queue for the event until notifications first starts:
    the event stays in the outbox instead of being dropped by the broker."""
    unit = directory.add_residential_unit(new_group())
    assert databases["directory"].units.find_one({"_id": unit["id"]})[PENDING]

    notifications = start_service(NotificationsService)
    with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=20):
        pass

    assert databases["notifications"].staff_notices.count_documents({}) == 1
    wait_until(lambda: PENDING not in databases["directory"].units.find_one({"_id": unit["id"]}))


def test_a_query_that_is_not_a_plain_id_is_refused(directory):
    with pytest.raises(InvalidInput):
        directory.get_commune_overview({"commune_id": {"$ne": None}})


def test_staff_of_another_commune_cannot_add_a_group(directory, databases):
    directory.register_unit(OTHER_WARD)
    directory.create_account(
        {
            "actor": "admin",
            "username": "tuan",
            "full_name": "Tuấn",
            "password": "một-mật-khẩu-dài",
            "roles": [{"role": "commune_staff", "unit_id": "kim-long"}],
        }
    )
    with pytest.raises(Forbidden):
        directory.add_residential_unit(new_group(actor="tuan"))
    assert databases["directory"].units.count_documents({"parent_id": "huong-an"}) == 0


def test_adding_a_group_is_in_the_audit_log(directory):
    unit = directory.add_residential_unit(new_group())
    [entry] = [
        e
        for e in directory.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
        if e["action"] == "add_residential_unit"
    ]
    assert (entry["actor"], entry["target"], entry["before"]) == ("admin", unit["id"], None)
    assert entry["after"]["name"] == "Tổ dân phố 7"
