"""The outbox on the real wire server: a change, its events and its audit entry
are written in one document write; the relay publishes each event once, appends
each audit entry once, and keeps what the broker did not take."""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pymongo import MongoClient

from shared.chassis import (
    OUTBOX_RETRY,
    PENDING,
    RELAY_AFTER,
    Store,
    audit_item,
    event_item,
    set_with_pending,
    utcnow,
    with_pending,
)
from shared.contracts.directory import ResidentialUnitAdded
from shared.contracts.staff import AuditEntry
from shared.ids import new_id


class ThingStore(Store):
    OUTBOX_COLLECTIONS = ("things",)


def an_event() -> ResidentialUnitAdded:
    return ResidentialUnitAdded(
        event_id=new_id(),
        occurred_at=utcnow(),
        commune_name="Phường Hương An",
        unit={
            "id": "u1",
            "kind": "village",
            "name": "Thôn 1",
            "parent_id": "w",
            "valid_from": "2025-08-01",
        },
    )


def an_audit_entry(target: str) -> AuditEntry:
    return AuditEntry(
        at=utcnow(),
        actor="minh",
        action="change",
        target=target,
        commune_id="w",
        before=None,
        after={"n": 1},
    )


@pytest.fixture
def store(config) -> Iterator[ThingStore]:
    client = MongoClient(config["MONGO_URL"], tz_aware=True)
    database = client[config["MONGO_DATABASES"]["directory"]]
    ThingStore.ensure_indexes(database)
    yield ThingStore(client, database)
    client.close()


def test_events_are_published_once_and_audit_entries_appended_once(store, databases):
    event = an_event()
    store.db.things.insert_one(
        with_pending({"_id": "t1"}, [event_item(event), audit_item(an_audit_entry("t1"))])
    )
    published = []

    assert store.relay_events(lambda kind, payload: published.append((kind, payload))) == 2
    assert store.relay_events(lambda kind, payload: published.append((kind, payload))) == 0

    assert published == [("residential_unit_added", event.model_dump(mode="json"))]
    assert [e["target"] for e in databases["directory"].audit_log.find()] == ["t1"]
    assert databases["directory"].things.find_one({"_id": "t1"}) == {"_id": "t1"}


def test_a_broker_failure_keeps_the_event_but_not_the_audit_entry(store, databases):
    event = an_event()
    store.db.things.insert_one(
        with_pending({"_id": "t1"}, [event_item(event), audit_item(an_audit_entry("t1"))])
    )

    def broker_down(kind: str, payload: dict) -> None:
        raise ConnectionError("broker unreachable")

    assert store.relay_events(broker_down) == 1  # the audit entry
    kept = databases["directory"].things.find_one({"_id": "t1"})
    assert [item["id"] for item in kept[PENDING]] == [event.event_id]
    assert utcnow() < kept[RELAY_AFTER] <= utcnow() + OUTBOX_RETRY
    assert databases["directory"].audit_log.count_documents({}) == 1
    # set aside for a moment: the next relay does not hammer a broker that is down
    assert store.relay_events(lambda kind, payload: None) == 0

    # failing again, it waits twice as long
    databases["directory"].things.update_one({"_id": "t1"}, {"$set": {RELAY_AFTER: utcnow()}})
    assert store.relay_events(broker_down) == 0
    kept = databases["directory"].things.find_one({"_id": "t1"})
    assert utcnow() + OUTBOX_RETRY < kept[RELAY_AFTER] <= utcnow() + 2 * OUTBOX_RETRY

    databases["directory"].things.update_one({"_id": "t1"}, {"$set": {RELAY_AFTER: utcnow()}})
    published = []
    assert store.relay_events(lambda kind, payload: published.append(payload)) == 1
    assert published[0]["event_id"] == event.event_id
    assert databases["directory"].things.find_one({"_id": "t1"}) == {"_id": "t1"}  # clean


def test_the_timer_relays_only_what_is_older_than_it_waits_for(store):
    store.db.things.insert_one(with_pending({"_id": "t1"}, [event_item(an_event())]))
    assert store.relay_events(lambda k, p: None, older_than=timedelta(seconds=5)) == 0
    assert store.relay_events(lambda k, p: None) == 1


def test_relaying_one_document_leaves_the_others_to_the_timer(store, databases):
    mine, backlog = an_event(), an_event()
    store.db.things.insert_one(with_pending({"_id": "mine"}, [event_item(mine)]))
    store.db.things.insert_one(with_pending({"_id": "other"}, [event_item(backlog)]))
    published = []

    store.relay_events(lambda kind, payload: published.append(payload), only=("things", "mine"))

    assert [p["event_id"] for p in published] == [mine.event_id]
    assert databases["directory"].things.find_one({"_id": "other"})[PENDING]


def test_a_second_change_keeps_the_first_changes_pending_items(store):
    first, second = an_event(), an_event()
    store.db.things.insert_one(with_pending({"_id": "t1", "n": 1}, [event_item(first)]))
    store.db.things.update_one({"_id": "t1"}, set_with_pending({"n": 2}, [event_item(second)]))
    published = []
    store.relay_events(lambda kind, payload: published.append(payload["event_id"]))
    assert published == [first.event_id, second.event_id]


def test_concurrent_changes_all_succeed_and_all_their_entries_arrive(store, databases):
    """What multi-document transactions could not do on the embedded server:
    twelve writers at once, every change with its audit entry."""
    errors: list[Exception] = []

    def writer(n: int) -> None:
        for i in range(10):
            try:
                store.db.things.update_one(
                    {"_id": f"t{n}"},
                    set_with_pending({"n": i}, [audit_item(an_audit_entry(f"t{n}"))]),
                    upsert=True,
                )
            except Exception as exc:  # noqa: BLE001 - counted and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.relay_events(lambda kind, payload: None)

    assert errors == []
    assert databases["directory"].audit_log.count_documents({}) == 120
