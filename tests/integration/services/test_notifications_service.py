"""The notifications service on the real broker and wire server: idempotent,
and losing nothing when it is killed while events keep coming."""

import logging
from datetime import datetime, timedelta

from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.notifications.service import NotificationsService
from shared import chassis
from shared.chassis import MongoStore, Store, on_event, utcnow
from shared.config import SERVICE_NAMES
from shared.contracts.directory import ResidentialUnitAdded
from shared.contracts.surveys import PollOpened
from shared.ids import new_id
from tests.support import ServiceProcess, python_env, queue_depth, wait_until

EVENT_QUEUE = "evt-directory-residential_unit_added--notifications.tell_staff_of_new_unit"


def unit_added(
    name: str = "Tổ dân phố 9", occurred_at: datetime | None = None
) -> ResidentialUnitAdded:
    return ResidentialUnitAdded(
        event_id=new_id(),
        occurred_at=occurred_at or utcnow(),
        commune_name="Phường Hương An",
        unit={
            "id": new_id(),
            "kind": "residential_group",
            "name": name,
            "parent_id": "huong-an",
            "valid_from": "2025-08-01",
        },
    )


def test_the_same_event_delivered_twice_makes_one_notice(start_service, config, databases):
    notifications = start_service(NotificationsService)
    event = unit_added()
    dispatch = event_dispatcher(config)

    for _ in range(2):
        with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=10):
            dispatch("directory", event.event_type, event.model_dump(mode="json"))

    assert databases["notifications"].staff_notices.count_documents({}) == 1


def test_a_malformed_event_is_dropped_and_the_next_one_handled(
    start_service, config, databases, caplog
):
    notifications = start_service(NotificationsService)
    dispatch = event_dispatcher(config)
    good = unit_added()

    with caplog.at_level(logging.ERROR, logger="shared.chassis"):
        with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=10):
            dispatch("directory", good.event_type, {"event_id": "x", "unit": "not a unit"})
        with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=10):
            dispatch("directory", good.event_type, good.model_dump(mode="json"))

    assert "dropped malformed directory.residential_unit_added event" in caplog.text
    assert [n["_id"] for n in databases["notifications"].staff_notices.find()] == [good.event_id]


def test_notices_are_listed_newest_first_for_their_commune(start_service, config):
    notifications = start_service(NotificationsService)
    dispatch = event_dispatcher(config)
    now = utcnow()
    older = unit_added("Tổ dân phố 8", occurred_at=now - timedelta(minutes=5))
    newer = unit_added("Tổ dân phố 9", occurred_at=now)
    for event in (older, newer):
        with entrypoint_waiter(notifications, "tell_staff_of_new_unit", timeout=10):
            dispatch("directory", event.event_type, event.model_dump(mode="json"))

    with ServiceRpcProxy("notifications", config) as proxy:
        listed = proxy.list_staff_notices({"commune_id": "huong-an"})["notices"]
        elsewhere = proxy.list_staff_notices({"commune_id": "another-ward"})["notices"]

    assert [n["id"] for n in listed] == [newer.event_id, older.event_id]
    assert elsewhere == []


def test_killing_the_service_loses_no_event_the_broker_accepted(config, databases, tmp_path):
    """kill -9 the notifications process, publish while it is dead, start it again:
    every event is recorded exactly once."""
    env = python_env(
        AMQP_URI=config["AMQP_URI"],
        MONGO_URL=config["MONGO_URL"],
        **{f"DANBAN_DB_{name.upper()}": db for name, db in config["MONGO_DATABASES"].items()},
    )
    assert set(config["MONGO_DATABASES"]) == set(SERVICE_NAMES)
    service = ServiceProcess("notifications", env, tmp_path / "notifications.log").start()
    dispatch = event_dispatcher(config)
    notices = databases["notifications"].staff_notices
    try:
        before = [unit_added(f"Tổ trước {n}") for n in range(5)]
        for event in before:
            dispatch("directory", event.event_type, event.model_dump(mode="json"))
        wait_until(lambda: notices.count_documents({}) == 5)

        service.kill()
        while_dead = [unit_added(f"Tổ trong lúc dừng {n}") for n in range(20)]
        for event in while_dead:
            dispatch("directory", event.event_type, event.model_dump(mode="json"))
        # held by the broker: any sent to the dead consumer before the broker saw it go
        # are put back in the queue once it does
        wait_until(lambda: queue_depth(config["AMQP_URI"], EVENT_QUEUE) == 20, timeout=10)

        service.start()
        wait_until(lambda: notices.count_documents({}) == 25)
    finally:
        service.stop()

    expected = {event.event_id for event in before + while_dead}
    assert {n["_id"] for n in notices.find()} == expected


class AlwaysFailing:
    """A service whose handler can never succeed, to see retries end."""

    name = "always_failing"
    store = MongoStore(Store)

    def tell_someone(self, event: ResidentialUnitAdded, error: Exception) -> None:
        self.store.db.given_up.insert_one({"_id": event.event_id, "error": repr(error)})

    @on_event("directory", ResidentialUnitAdded, gave_up=tell_someone)
    def fail(self, event: ResidentialUnitAdded) -> None:
        raise RuntimeError("cannot handle this")


def test_an_event_that_keeps_failing_is_kept_as_a_dead_letter(
    start_service, config, databases, monkeypatch
):
    monkeypatch.setattr(chassis, "RETRY_PAUSE_SECONDS", 0.05)
    monkeypatch.setitem(
        config["MONGO_DATABASES"], "always_failing", config["MONGO_DATABASES"]["notifications"]
    )
    service = start_service(AlwaysFailing)
    event = unit_added()

    with entrypoint_waiter(
        service, "fail", timeout=10, callback=lambda *args: _failures(databases, event) >= 5
    ):
        event_dispatcher(config)("directory", event.event_type, event.model_dump(mode="json"))

    failure = databases["notifications"].event_failures.find_one({"event_id": event.event_id})
    assert failure["attempts"] == chassis.MAX_EVENT_ATTEMPTS
    assert failure["last_error"] == "RuntimeError('cannot handle this')"
    given_up = wait_until(lambda: list(databases["notifications"].given_up.find()))
    assert given_up == [{"_id": event.event_id, "error": "RuntimeError('cannot handle this')"}]
    assert (
        queue_depth(config["AMQP_URI"], "evt-directory-residential_unit_added--always_failing.fail")
        == 0
    )


def _failures(databases, event) -> int:
    record = databases["notifications"].event_failures.find_one({"event_id": event.event_id})
    return record["attempts"] if record else 0


def test_a_poll_event_from_surveys_becomes_one_staff_notice(start_service, config, databases):
    notifications = start_service(NotificationsService)
    event = PollOpened(
        event_id=new_id(),
        occurred_at=utcnow(),
        poll_id=new_id(),
        kind="decision",
        commune_id="huong-an",
        unit_id="huong-an",
        title="Giờ thu gom rác",
        opens_at=utcnow(),
        closes_at=utcnow() + timedelta(days=7),
        households=170,
    )
    dispatch = event_dispatcher(config)
    for _ in range(2):  # delivered twice, noticed once
        with entrypoint_waiter(notifications, "tell_staff_poll_opened", timeout=10):
            dispatch("surveys", event.event_type, event.model_dump(mode="json"))

    notices = list(databases["notifications"].staff_notices.find())
    assert [(n["_id"], n["title"]) for n in notices] == [(event.event_id, "Đã mở: Giờ thu gom rác")]
