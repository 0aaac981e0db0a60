"""The service chassis: what every nameko service is built from.

- `MongoStore`, a DependencyProvider: one MongoClient per service process,
  opened at start (indexes ensured), closed at stop; each worker gets a thin
  store object around it.
- The outbox: an event (and an audit entry, and a count to keep) is written in
  the same document write as the change that caused it, then relayed. A crash between the two
  delays the event; it never loses it (nameko-notes: "write, then dispatch").
- `on_event`: an event handler that validates its payload, drops only what can
  never succeed, and requeues other failures after a pause, a bounded number
  of times.

Only service processes import this module: it pulls in nameko and eventlet.
"""

import functools
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import eventlet
from eventlet.event import Event as Signal
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from pydantic import BaseModel, ValidationError
from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.contracts.common import Event
from shared.contracts.staff import AuditEntry, Role, RolesInUnit, UnitRoles
from shared.errors import WIRE_ERRORS, Forbidden, ServiceUnavailable
from shared.i18n import N_
from shared.queues import event_handler

log = logging.getLogger(__name__)

PENDING = "_pending"  # events and audit entries a document write left to relay
RELAY_AFTER = "_relay_after"  # set while a document has pending items; a claim while relayed
OUTBOX_CLAIM = timedelta(seconds=30)  # a relay that died frees its document after this
# After a failed publish, try again this much later, twice as long after each further
# failure, up to OUTBOX_MAX_RETRY: an event no service consumes yet is not retried
# every few seconds for ever.
OUTBOX_RETRY = timedelta(seconds=3)
OUTBOX_MAX_RETRY = timedelta(minutes=2)
RELAY_ATTEMPTS = "_relay_attempts"  # failed publishes of a document's pending events
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
    """Base of every service's store: a database handle and the outbox.

    The outbox lives inside the documents it concerns: a change, the events it
    causes and its audit entry are written in ONE document write (`_pending`),
    which MongoDB applies atomically on every kind of deployment, with no
    multi-document transaction. `relay_events` then publishes the events and
    appends the audit entries to `audit_log`, and removes them from `_pending`.
    A crash in between delays them; it never loses them. Subclasses name the
    collections that carry pending items in OUTBOX_COLLECTIONS.
    """

    OUTBOX_COLLECTIONS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, client: MongoClient, database: Database, kept: dict | None = None) -> None:
        self.client = client
        self.db = database
        self.kept = {} if kept is None else kept  # shared by one service's workers

    def recall(self, key: Any) -> Any | None:
        """What `keep` stored under `key`, while it is fresh; else None."""
        kept = self.kept.get(key)
        return kept[1] if kept is not None and kept[0] > time.monotonic() else None

    def keep(self, key: Any, value: Any, seconds: float) -> None:
        """Keep `value` for this service's workers for `seconds`."""
        self.kept[key] = (time.monotonic() + seconds, value)

    def forget(self, key: Any) -> None:
        self.kept.pop(key, None)

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        for name in cls.OUTBOX_COLLECTIONS:
            database[name].create_index([(RELAY_AFTER, ASCENDING)], sparse=True)
        database.audit_log.create_index([("commune_id", ASCENDING), ("at", DESCENDING)])

    def audit_entries(self, commune_id: str, limit: int) -> list[AuditEntry]:
        """The newest entries of a commune's audit log, which is only ever appended to."""
        cursor = self.db.audit_log.find({"commune_id": commune_id}, {"_id": 0})
        return [AuditEntry.model_validate(d) for d in cursor.sort("at", DESCENDING).limit(limit)]

    def count_failed_attempt(self, event: Event, handler: str, error: Exception) -> int:
        """Note that `handler` failed at `event`; return how many times it has now
        failed (each handler of an event counts its own: one does not use up another's
        tries)."""
        record = self.db.event_failures.find_one_and_update(
            {"_id": f"{event.event_id}:{handler}"},
            {
                "$inc": {"attempts": 1},
                "$set": {
                    "event_id": event.event_id,
                    "handler": handler,
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

    def insert_once(self, collection: str, document: dict, items: list[dict]) -> bool:
        """Store a new document; False if this form was stored already (sent twice)."""
        try:
            self.db[collection].insert_one(with_pending(document, items))
        except DuplicateKeyError:
            return False
        return True

    def ping(self) -> bool:
        try:
            self.db.command("ping")
        except Exception:  # any failure means "down" to a health check
            return False
        return True

    def relay_events(
        self,
        dispatch: Callable[[str, Any], None],
        *,
        older_than: timedelta = timedelta(0),
        only: tuple[str, str] | None = None,
    ) -> int:
        """Publish the pending events and append the pending audit entries of every
        outbox collection; `only=(collection, id)` relays one document's, so a
        request publishes its own at once and leaves any backlog to the timer.
        Each document is claimed while relayed, so one relay handles it. A broker
        failure is logged, not raised: the items stay pending until OUTBOX_RETRY,
        then twice as long after each failure, up to OUTBOX_MAX_RETRY.
        Returns how many items were relayed."""
        relayed = 0
        for name in (only[0],) if only else self.OUTBOX_COLLECTIONS:
            while (document := self._claim(name, older_than, only)) is not None:
                relayed += self._relay_document(name, document, dispatch)
        return relayed

    def _claim(
        self, name: str, older_than: timedelta, only: tuple[str, str] | None
    ) -> dict[str, Any] | None:
        now = utcnow()
        due: dict[str, Any] = {RELAY_AFTER: {"$lte": now - older_than}}
        if only:
            due["_id"] = only[1]
        # Most ticks find nothing due: a plain read answers that far more cheaply than
        # find_one_and_update on the embedded server (36 ms against 220 ms at 30,000
        # households), and the claim below still decides between racing relays.
        if self.db[name].find_one(due, {"_id": 1}) is None:
            return None
        return self.db[name].find_one_and_update(
            due,
            {"$set": {RELAY_AFTER: now + OUTBOX_CLAIM}},
            projection={PENDING: 1, RELAY_ATTEMPTS: 1},
            return_document=ReturnDocument.AFTER,
        )

    def _relay_document(
        self, name: str, document: dict[str, Any], dispatch: Callable[[str, Any], None]
    ) -> int:
        done: list[str] = []
        broker_failed = False
        for item in document.get(PENDING, []):
            if item["kind"] == "audit":
                with suppress(DuplicateKeyError):  # appended once already, before a crash
                    self.db.audit_log.insert_one({"_id": item["id"], **item["payload"]})
                done.append(item["id"])
            elif item["kind"] == "count":
                self._apply_count(item)
                done.append(item["id"])
            elif not broker_failed:  # events keep their order: stop at the first that fails
                try:
                    dispatch(item["event_type"], item["payload"])  # waits for the confirm
                    done.append(item["id"])
                except Exception as exc:  # the broker is down, or no queue takes it yet
                    log.warning(
                        "event %s of %s/%s waits: %r", item["id"], name, document["_id"], exc
                    )
                    broker_failed = True
        collection = self.db[name]
        retry: dict[str, Any] = {}
        if broker_failed:
            attempts = document.get(RELAY_ATTEMPTS, 0)
            wait = min(OUTBOX_RETRY * 2**attempts, OUTBOX_MAX_RETRY)
            retry = {"$set": {RELAY_AFTER: utcnow() + wait}, "$inc": {RELAY_ATTEMPTS: 1}}
        collection.update_one(
            {"_id": document["_id"]}, {"$pull": {PENDING: {"id": {"$in": done}}}, **retry}
        )
        # Nothing left (and nothing added meanwhile): the timer need not look again.
        collection.update_one(
            {"_id": document["_id"], PENDING: {"$size": 0}},
            {"$unset": {RELAY_AFTER: "", PENDING: "", RELAY_ATTEMPTS: ""}},
        )
        return len(done)

    def _apply_count(self, item: dict[str, Any]) -> None:
        """Add a count item's increments to its counter document once: the counter
        remembers the items it took, so a relay repeated after a crash adds nothing."""
        counters = self.db[item["collection"]]
        with suppress(DuplicateKeyError):  # taken already: the upsert met the document
            counters.update_one(
                {"_id": item["key"], "applied": {"$ne": item["id"]}},
                {
                    "$inc": item["inc"],
                    "$push": {"applied": item["id"]},
                    "$setOnInsert": item["fields"],
                },
                upsert=True,
            )


def count_item(
    collection: str, key: str, inc: dict[str, int], fields: dict[str, Any]
) -> dict[str, Any]:
    """A pending count: add `inc` to the counter document `key` of `collection`
    (made with `fields` if it is new), exactly once, with the document write that
    causes it. Counts kept as things happen, so a page never recounts."""
    return {
        "id": uuid.uuid4().hex,
        "kind": "count",
        "collection": collection,
        "key": key,
        "inc": inc,
        "fields": fields,
    }


def event_item(event: Event) -> dict[str, Any]:
    """A pending event, to go out with the document write that causes it."""
    return {
        "id": event.event_id,
        "kind": "event",
        "event_type": event.event_type,
        "payload": event.model_dump(mode="json"),
    }


def audit_entry(
    actor: str,
    action: str,
    target: str,
    commune_id: str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """What `actor` did to `target`, now unless `at` says when."""
    return AuditEntry(
        at=at or utcnow(),
        actor=actor,
        action=action,
        target=target,
        commune_id=commune_id,
        before=before,
        after=after,
    )


def audit_item(entry: BaseModel) -> dict[str, Any]:
    """A pending audit entry, to be appended to `audit_log` by the relay."""
    return {"id": uuid.uuid4().hex, "kind": "audit", "payload": entry.model_dump()}


def with_pending(document: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """A new document carrying pending items (for insert_one)."""
    return {**document, PENDING: items, RELAY_AFTER: utcnow()}


def set_with_pending(fields: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """An update that sets `fields` and adds pending items, keeping any not yet relayed."""
    return {"$set": {**fields, RELAY_AFTER: utcnow()}, "$push": {PENDING: {"$each": items}}}


def without_pending(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the domain sees it."""
    return {k: v for k, v in document.items() if k not in (PENDING, RELAY_AFTER, RELAY_ATTEMPTS)}


class MongoStore(DependencyProvider):
    """Gives each worker a `store_class` instance over the service's own database.

    The database is `config["MONGO_DATABASES"][service_name]` on
    `config["MONGO_URL"]`; nothing here knows which server that is.
    """

    def __init__(self, store_class: type[Store]) -> None:
        self.store_class = store_class
        self.client: MongoClient | None = None
        self.database: Database | None = None
        self.kept: dict = {}  # what the stores keep between calls (see Store.kept)
        self.ready = Signal()  # set once start() has opened the client and ensured indexes

    def start(self) -> None:
        config = self.container.config
        self.client = MongoClient(
            config["MONGO_URL"],
            tz_aware=True,
            appname=self.container.service_name,
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
            # A write is acknowledged once a majority of the replica set has it: a
            # ballot the primary alone took would be lost if it failed before a
            # secondary copied it. A write cut off by a failover is sent again once.
            w="majority",
            retryWrites=True,
        )
        self.database = self.client[config["MONGO_DATABASES"][self.container.service_name]]
        self.store_class.ensure_indexes(self.database)
        self.ready.send(True)

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> Store:
        # nameko starts entrypoints and dependencies side by side: a call that a
        # restarted service takes from its queue at once waits here until the
        # client is open and the indexes are in place (before, it killed the service).
        self.ready.wait()
        assert self.client is not None and self.database is not None, "MongoStore not started"
        return self.store_class(self.client, self.database, self.kept)


def on_event[E: Event](
    source_service: str,
    event_model: type[E],
    gave_up: Callable[[Any, E, Exception], None] | None = None,
) -> Callable:
    """Decorate `handler(self, event: E)` as a nameko handler of `event_model` events.

    nameko acks and drops a message whose handler raised, unless told to requeue,
    and then it retries at once in a hot loop. So: a payload that does not
    validate can never succeed and is logged and dropped; any other failure is
    counted in the service's `event_failures` collection and requeued after a
    pause, until MAX_EVENT_ATTEMPTS, when it stays there as a dead letter. If the
    failure cannot even be counted (the database is down), it is requeued: a
    delay, never a loss. `gave_up(self, event, error)`, if given, runs once the
    event becomes a dead letter, e.g. to tell whoever waits for the work. Handlers
    must be idempotent (use `event.event_id`),
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
                attempts = _attempts_so_far(self.store, event, handler.__name__, error)
                if attempts >= MAX_EVENT_ATTEMPTS:
                    log.error(
                        "event %s failed %d times; kept as a dead letter",
                        event.event_id,
                        MAX_EVENT_ATTEMPTS,
                    )
                    if gave_up is not None:
                        gave_up(self, event, error)
                    return
                log.exception(
                    "handling %s failed; requeued in %ss", event.event_id, RETRY_PAUSE_SECONDS
                )
                eventlet.sleep(RETRY_PAUSE_SECONDS)
                raise

        return event_handler(source_service, event_model.event_type, requeue_on_error=True)(handle)

    return decorator


def _attempts_so_far(store: Store, event: Event, handler: str, error: Exception) -> int:
    try:
        return store.count_failed_attempt(event, handler, error)
    except Exception:  # the database is unreachable too: keep retrying
        return 0


CALL_TIMEOUT_SECONDS = 10  # nameko 2.x service-to-service calls have none of their own


def ask(proxy: RpcProxy, method: str, payload: dict) -> Any:
    """Call another service, giving up after CALL_TIMEOUT_SECONDS."""
    try:
        with eventlet.Timeout(CALL_TIMEOUT_SECONDS):
            return getattr(proxy, method)(payload)
    except eventlet.Timeout:
        raise ServiceUnavailable(f"{proxy.service_name}.{method} did not answer") from None


class AsksDirectory:
    """For services that call the directory: a bounded call, the roles an actor holds
    over a unit, and refusing an actor without one of the roles needed (the
    directory decides who holds what)."""

    directory = RpcProxy("directory")
    FORBIDDEN = N_("Bạn không có quyền thực hiện việc này.")  # each service says it its way

    def _ask_directory(self, method: str, payload: dict) -> dict:
        return ask(self.directory, method, payload)

    def _roles(self, actor: str | None, unit_id: str) -> set[Role]:
        if not actor:
            return set()
        reply = self._ask_directory(
            "roles_in_unit", RolesInUnit(username=actor, unit_id=unit_id).model_dump()
        )
        return set(UnitRoles.model_validate(reply).roles)

    def _require(self, actor: str | None, unit_id: str, roles: frozenset[Role]) -> None:
        if not self._roles(actor, unit_id) & roles:
            raise Forbidden(self.FORBIDDEN)
