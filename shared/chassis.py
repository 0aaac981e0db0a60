"""The service chassis: what every nameko service is built from.

- `MongoStore`, a DependencyProvider: one MongoClient per service process,
  opened at start (indexes ensured), closed at stop; each worker gets a thin
  store object around it.
- The outbox: an event is written in the same transaction as the state change
  that caused it, then relayed to the broker. A crash between the two delays
  the event; it never loses it (nameko-notes: "write, then dispatch").
- `on_event`: an event handler that validates its payload, drops only what can
  never succeed, and requeues other failures after a pause, a bounded number
  of times.

Only service processes import this module: it pulls in nameko and eventlet.
"""

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import eventlet
from nameko.events import event_handler
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider
from pydantic import ValidationError
from pymongo import ASCENDING, MongoClient, ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.database import Database

from shared.contracts.common import Event
from shared.errors import WIRE_ERRORS

log = logging.getLogger(__name__)

OUTBOX_CLAIM = timedelta(seconds=30)  # a relay that died frees its events after this
OUTBOX_RETRY = timedelta(seconds=3)  # after a failed publish, try again this much later
# Fail fast when MongoDB is unreachable, inside the gateway's RPC timeout.
SERVER_SELECTION_TIMEOUT_MS = 3000
RETRY_PAUSE_SECONDS = 2.0  # between attempts at an event that failed
MAX_EVENT_ATTEMPTS = 5  # then the event stays in `event_failures` as a dead letter


# nameko clients (services calling services, tests) get our errors back as
# themselves, with their fields, instead of a generic RemoteError.
for _error_class in WIRE_ERRORS:
    deserialize_to_instance(_error_class)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Base of every service's store: a database handle, transactions, the outbox."""

    def __init__(self, client: MongoClient, database: Database) -> None:
        self.client = client
        self.db = database

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        database.outbox.create_index([("claimed_until", ASCENDING), ("created_at", ASCENDING)])

    def count_failed_attempt(self, event: Event, error: Exception) -> int:
        """Note that handling `event` failed; return how many times it has now failed."""
        record = self.db.event_failures.find_one_and_update(
            {"_id": event.event_id},
            {
                "$inc": {"attempts": 1},
                "$set": {
                    "event_type": event.event_type,
                    "last_error": repr(error)[:500],
                    "payload": event.model_dump(mode="json"),
                    "last_failed_at": utcnow(),
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return record["attempts"]

    def ping(self) -> bool:
        try:
            self.db.command("ping")
        except Exception:  # any failure means "down" to a health check
            return False
        return True

    def in_transaction[T](self, writes: Callable[[ClientSession], T]) -> T:
        """Run `writes(session)` so its writes commit together; pymongo retries it on
        transient conflicts (MongoDB needs a replica set for this)."""
        with self.client.start_session() as session:
            return session.with_transaction(writes)

    def stage_event(self, event: Event, session: ClientSession) -> None:
        """Record an event to publish, inside the transaction of the change it reports."""
        now = utcnow()
        self.db.outbox.insert_one(
            {
                "_id": event.event_id,
                "event_type": event.event_type,
                "payload": event.model_dump(mode="json"),
                "created_at": now,
                "claimed_until": now,
            },
            session=session,
        )

    def relay_events(
        self,
        dispatch: Callable[[str, Any], None],
        *,
        older_than: timedelta = timedelta(0),
        only: str | None = None,
    ) -> int:
        """Publish staged events, oldest first; each is claimed so one relay sends it.
        `only` relays just that event: a request publishes its own event at once and
        leaves any backlog to the relay timer.

        A broker failure here is logged, not raised: the change is committed and
        its event is safe in the outbox, where the relay timer finds it again
        after OUTBOX_RETRY.
        """
        sent = 0
        while True:
            now = utcnow()
            due = {"claimed_until": {"$lte": now}, "created_at": {"$lte": now - older_than}}
            staged = self.db.outbox.find_one_and_update(
                due if only is None else {**due, "_id": only},
                {"$set": {"claimed_until": now + OUTBOX_CLAIM}},
                sort=[("created_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if staged is None:
                return sent
            try:
                dispatch(staged["event_type"], staged["payload"])  # waits for the confirm
            except Exception as exc:  # the broker is down, or no queue takes this event yet
                log.warning("event %s stays in the outbox: %r", staged["_id"], exc)
                self.db.outbox.update_one(
                    {"_id": staged["_id"]}, {"$set": {"claimed_until": now + OUTBOX_RETRY}}
                )
                return sent
            self.db.outbox.delete_one({"_id": staged["_id"]})
            sent += 1


class MongoStore(DependencyProvider):
    """Gives each worker a `store_class` instance over the service's own database.

    The database is `config["MONGO_DATABASES"][service_name]` on
    `config["MONGO_URL"]`; nothing here knows which server that is.
    """

    def __init__(self, store_class: type[Store]) -> None:
        self.store_class = store_class
        self.client: MongoClient | None = None
        self.database: Database | None = None

    def start(self) -> None:
        config = self.container.config
        self.client = MongoClient(
            config["MONGO_URL"],
            tz_aware=True,
            appname=self.container.service_name,
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
        )
        self.database = self.client[config["MONGO_DATABASES"][self.container.service_name]]
        self.store_class.ensure_indexes(self.database)

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> Store:
        assert self.client is not None and self.database is not None, "MongoStore not started"
        return self.store_class(self.client, self.database)


def on_event[E: Event](source_service: str, event_model: type[E]) -> Callable:
    """Decorate `handler(self, event: E)` as a nameko handler of `event_model` events.

    nameko acks and drops a message whose handler raised, unless told to requeue,
    and then it retries at once in a hot loop. So: a payload that does not
    validate can never succeed and is logged and dropped; any other failure is
    counted in the service's `event_failures` collection and requeued after a
    pause, until MAX_EVENT_ATTEMPTS, when it stays there as a dead letter. If the
    failure cannot even be counted (the database is down), it is requeued: a
    delay, never a loss. Handlers must be idempotent (use `event.event_id`),
    because a requeued or redelivered event runs again. The service must have
    a `store` (a MongoStore dependency).
    """

    def decorator(handler: Callable[[Any, E], None]) -> Callable:
        @functools.wraps(handler)
        def handle(self: Any, payload: Any) -> None:
            try:
                event = event_model.model_validate(payload)
            except ValidationError as exc:
                log.error(
                    "dropped malformed %s.%s event: %s", source_service, event_model.event_type, exc
                )
                return
            try:
                handler(self, event)
            except Exception as error:
                if _attempts_so_far(self.store, event, error) >= MAX_EVENT_ATTEMPTS:
                    log.error(
                        "event %s failed %d times; kept as a dead letter",
                        event.event_id,
                        MAX_EVENT_ATTEMPTS,
                    )
                    return
                log.exception(
                    "handling %s failed; requeued in %ss", event.event_id, RETRY_PAUSE_SECONDS
                )
                eventlet.sleep(RETRY_PAUSE_SECONDS)
                raise

        return event_handler(source_service, event_model.event_type, requeue_on_error=True)(handle)

    return decorator


def _attempts_so_far(store: Store, event: Event, error: Exception) -> int:
    try:
        return store.count_failed_attempt(event, error)
    except Exception:  # the database is unreachable too: keep retrying
        return 0
