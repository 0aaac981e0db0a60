"""The outbox on the real wire server: an event is published once, and a broker
failure leaves it staged for the relay timer instead of failing the change."""

from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from shared.chassis import OUTBOX_RETRY, Store, utcnow
from shared.contracts.directory import ResidentialUnitAdded
from shared.ids import new_id


def staged_event(store: Store) -> ResidentialUnitAdded:
    event = ResidentialUnitAdded(
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
    store.in_transaction(lambda session: store.stage_event(event, session))
    return event


@pytest.fixture
def store(config) -> Iterator[Store]:
    client = MongoClient(config["MONGO_URL"], tz_aware=True)
    database = client[config["MONGO_DATABASES"]["directory"]]
    Store.ensure_indexes(database)
    yield Store(client, database)
    client.close()


def test_a_staged_event_is_published_once_and_removed(store, databases):
    event = staged_event(store)
    published = []

    assert store.relay_events(lambda kind, payload: published.append((kind, payload))) == 1
    assert store.relay_events(lambda kind, payload: published.append((kind, payload))) == 0

    assert published == [("residential_unit_added", event.model_dump(mode="json"))]
    assert databases["directory"].outbox.count_documents({}) == 0


def test_a_broker_failure_keeps_the_event_for_a_later_relay(store, databases):
    event = staged_event(store)

    def broker_down(kind: str, payload: dict) -> None:
        raise ConnectionError("broker unreachable")

    assert store.relay_events(broker_down) == 0
    kept = databases["directory"].outbox.find_one({"_id": event.event_id})
    assert utcnow() < kept["claimed_until"] <= utcnow() + OUTBOX_RETRY
    # set aside for a moment: the next relay does not hammer a broker that is down
    assert store.relay_events(lambda kind, payload: None) == 0

    databases["directory"].outbox.update_one(
        {"_id": event.event_id}, {"$set": {"claimed_until": utcnow()}}
    )
    published = []
    assert store.relay_events(lambda kind, payload: published.append(payload)) == 1
    assert published[0]["event_id"] == event.event_id


def test_relaying_one_event_leaves_the_others_to_the_timer(store, databases):
    mine, backlog = staged_event(store), staged_event(store)
    published = []

    assert store.relay_events(lambda kind, payload: published.append(payload), only=mine.event_id)

    assert [p["event_id"] for p in published] == [mine.event_id]
    assert [d["_id"] for d in databases["directory"].outbox.find()] == [backlog.event_id]
