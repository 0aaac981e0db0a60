"""What the surveys store keeps between calls (services/surveys/store.py): an open
poll for a moment, so the ballots of a whole ward do not each read it; any other
poll afresh each time. Against the real wire server, no service running."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from services.surveys import store as surveys_store
from services.surveys.ballot_store import stored
from services.surveys.store import SurveysStore
from shared.contracts.surveys import Poll
from tests.samples import sample_poll

POLL = "f" * 32


@pytest.fixture
def store(databases):
    database = databases["surveys"]
    now = datetime.now(UTC)
    times = {"opens_at": now.isoformat(), "closes_at": (now + timedelta(days=1)).isoformat()}
    poll = Poll.model_validate(sample_poll(id=POLL, status="scheduled", **times))
    document = {"_id": POLL, **poll.model_dump(exclude={"id"}), "key": b"k" * 32}
    database.polls.insert_one(stored(document))
    return SurveysStore(database.client, database, {})


def set_status(store: SurveysStore, status: str) -> None:
    store.db.polls.update_one({"_id": POLL}, {"$set": {"status": status}})


def test_a_poll_not_open_is_read_afresh_each_time(store):
    assert store.open_poll(POLL)[1].status == "scheduled"
    set_status(store, "open")
    assert store.open_poll(POLL)[1].status == "open"  # opened: seen at once
    assert store.open_poll_ids() == [POLL]


def test_an_open_poll_is_kept_for_a_moment_then_read_again(store, monkeypatch):
    monkeypatch.setattr(surveys_store, "OPEN_POLL_KEPT_SECONDS", 0.5)
    set_status(store, "open")
    assert store.open_poll(POLL)[1].status == "open"
    set_status(store, "closed")
    assert store.open_poll(POLL)[1].status == "open"  # kept: the clock refuses late ballots
    time.sleep(0.6)
    assert store.open_poll(POLL)[1].status == "closed"
    assert store.open_poll(POLL)[1].status == "closed"  # and no longer kept


def test_an_unknown_poll_is_none(store):
    assert store.open_poll("0" * 32) is None
