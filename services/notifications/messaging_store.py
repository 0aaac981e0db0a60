"""The notifications service's documents about messages to people.

messages:    {_id, commune_id, kind, audience, texts {lang: [title, body]}, link, official,
              created_at, error, fanned_out, inboxes, unknown}
inbox:       {_id: "<message>|<key>", message_id, key, texts, link, official, created_at}
             key "h:<code>" (a household), "s:<username>" (an official), or "u:<unit>"
             (every household of a unit: one item, read by all of them)
reads:       {_id: "<owner key>|<item>", owner, item_id, at}
preferences: {_id: owner key, channels, email, phone, zalo_user_id, language, units}
deliveries:  {_id: "<message>|<key>|<channel>", message_id, commune_id, recipient, channel,
              address, title, subject, text, link, status, attempts, next_attempt_at,
              last_error, last_failed_at, sent_at, provider_id, sent_by, claimed_until}
code_misses: {_id: client key (a keyed hash of the sender and the day), misses, at}
leases:      {_id: work name, holder, until}: who runs the cluster's scheduled work
scheduled:   {_id, kind, due_at, payload, status, attempts, last_error, as_of}: work for
             later (reminders; households following their unit's rename, merge or split);
             a training registration's reminder is one job (status waiting, done or
             cancelled) whose `as_of` is when the latest event about it happened
"""

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notifications.messages import Draft
from shared.chassis import Store, set_with_pending, utcnow, with_pending
from shared.contracts.notifications import DeliveryStatus, Language, Preferences

DUPLICATE_KEY = 11000
BATCH = 1000  # documents per insert_many or per $in query
DUE = [DeliveryStatus.QUEUED.value, DeliveryStatus.FAILED.value]
JOB_ATTEMPTS = 10  # tries of a scheduled job before it is kept as failed


def _insert_new(collection: Any, documents: list[dict[str, Any]]) -> int:
    """Insert what is not there yet (by _id); how many were new. A redelivered event
    or a retried request inserts nothing twice."""
    inserted = 0
    for start in range(0, len(documents), BATCH):
        batch = documents[start : start + BATCH]
        try:
            inserted += len(collection.insert_many(batch, ordered=False).inserted_ids)
        except BulkWriteError as failed:
            errors = failed.details.get("writeErrors", [])
            if any(error["code"] != DUPLICATE_KEY for error in errors):
                raise
            inserted += failed.details.get("nInserted", 0)
    return inserted


def _texts(texts: dict[Language, tuple[str, str]]) -> dict[str, list[str]]:
    return {language.value: list(pair) for language, pair in texts.items()}


class MessagingRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.messages.create_index([("commune_id", ASCENDING), ("created_at", DESCENDING)])
        database.messages.create_index([("fanned_out", ASCENDING), ("created_at", ASCENDING)])
        # one field, not (key, created_at): the embedded server reads a single-field
        # index (2 ms at 30,000 items) but scans for a compound one (40-60 ms); MongoDB
        # sorts an inbox key's few items in memory either way
        database.inbox.create_index([("key", ASCENDING)])
        database.inbox.create_index([("message_id", ASCENDING)])
        database.reads.create_index([("owner", ASCENDING)])
        database.preferences.create_index([("units", ASCENDING)])
        database.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        database.deliveries.create_index(
            [("commune_id", ASCENDING), ("status", ASCENDING), ("last_failed_at", DESCENDING)]
        )
        database.deliveries.create_index([("message_id", ASCENDING)])
        database.scheduled.create_index([("status", ASCENDING), ("due_at", ASCENDING)])

    # --- messages and inboxes ---------------------------------------------------

    def message(self, message_id: str) -> dict[str, Any] | None:
        return self.db.messages.find_one({"_id": message_id})

    def save_message(self, draft: Draft, audit: list[dict[str, Any]] = ()) -> None:
        """Store a draft once, with the audit entry of a staff message in the same write;
        a second save of the same id leaves the first."""
        document = {
            "_id": draft.id,
            "commune_id": draft.commune_id,
            "kind": draft.kind,
            "audience": draft.audience.model_dump(mode="json"),
            "texts": _texts(draft.texts),
            "link": draft.link,
            "official": draft.official,
            "error": draft.error,
            "created_at": utcnow(),
            "fanned_out": False,
        }
        with contextlib.suppress(DuplicateKeyError):
            self.db.messages.insert_one(with_pending(document, list(audit)) if audit else document)

    def add_inbox_items(self, message: dict[str, Any], keys: list[str]) -> int:
        items = [
            {
                "_id": f"{message['_id']}|{key}",
                "message_id": message["_id"],
                "key": key,
                "texts": message["texts"],
                "link": message["link"],
                "official": message["official"],
                "created_at": message["created_at"],
            }
            for key in keys
        ]
        return _insert_new(self.db.inbox, items)

    def unfinished_messages(self, before: datetime) -> list[dict[str, Any]]:
        """Messages whose fan-out began before `before` and never finished (its worker
        died, or the directory did not answer)."""
        query = {"fanned_out": False, "created_at": {"$lte": before}}
        return list(self.db.messages.find(query).sort("created_at", ASCENDING).limit(20))

    def finish_fan_out(self, message_id: str, inboxes: int, unknown: int) -> dict[str, Any]:
        return self.db.messages.find_one_and_update(
            {"_id": message_id},
            {"$set": {"fanned_out": True, "inboxes": inboxes, "unknown": unknown}},
            return_document=ReturnDocument.AFTER,
        )

    def inbox_items(self, keys: list[str], limit: int) -> list[dict[str, Any]]:
        """The newest items under any of `keys`, newest first: one indexed query per key
        (an inbox has three at most), as the embedded server scans the whole collection
        for `$in` (350 ms at 30,000 items, against 2 ms a key)."""
        found = [
            item
            for key in keys
            for item in self.db.inbox.find({"key": key}).sort("created_at", DESCENDING).limit(limit)
        ]
        return sorted(found, key=lambda item: item["created_at"], reverse=True)[:limit]

    def inbox_item(self, message_id: str, keys: list[str]) -> dict[str, Any] | None:
        """A message's item in one of these inboxes, if it is in one."""
        return self.db.inbox.find_one({"message_id": message_id, "key": {"$in": keys}})

    def read_at(self, owner_key: str, item_ids: list[str]) -> dict[str, datetime]:
        ids = [f"{owner_key}|{item_id}" for item_id in item_ids]
        found = self.db.reads.find({"_id": {"$in": ids}})
        return {document["item_id"]: document["at"] for document in found}

    def mark_read(self, owner_key: str, item_ids: list[str]) -> None:
        now = utcnow()
        reads = [
            {"_id": f"{owner_key}|{item_id}", "owner": owner_key, "item_id": item_id, "at": now}
            for item_id in item_ids
        ]
        _insert_new(self.db.reads, reads)

    def messages_of(self, commune_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.db.messages.find({"commune_id": commune_id}).sort("created_at", DESCENDING)
        return list(cursor.limit(limit))

    def delivery_counts(self, message_ids: list[str]) -> dict[str, dict[str, int]]:
        """Deliveries of each message by status."""
        counts: dict[str, dict[str, int]] = {}
        found = self.db.deliveries.find(
            {"message_id": {"$in": message_ids}}, {"status": 1, "message_id": 1}
        )
        for document in found:
            by_status = counts.setdefault(document["message_id"], {})
            by_status[document["status"]] = by_status.get(document["status"], 0) + 1
        return counts

    def code_misses(self, client_key: str) -> int:
        found = self.db.code_misses.find_one({"_id": client_key})
        return found["misses"] if found else 0

    def count_code_miss(self, client_key: str) -> None:
        self.db.code_misses.update_one(
            {"_id": client_key}, {"$inc": {"misses": 1}, "$set": {"at": utcnow()}}, upsert=True
        )

    # --- preferences --------------------------------------------------------------

    def preferences(self, owner_key: str) -> dict[str, Any] | None:
        return self.db.preferences.find_one({"_id": owner_key})

    def save_preferences(self, preferences: Preferences, units: list[str]) -> None:
        fields = preferences.model_dump(mode="json", exclude={"owner"})
        self.db.preferences.update_one(
            {"_id": preferences.owner.key}, {"$set": {**fields, "units": units}}, upsert=True
        )

    def set_units(self, owner_keys: list[str], units: list[str]) -> None:
        """Where households now live, for messages to every household of a unit."""
        for start in range(0, len(owner_keys), BATCH):
            batch = owner_keys[start : start + BATCH]
            self.db.preferences.update_many({"_id": {"$in": batch}}, {"$set": {"units": units}})

    def preferences_of(self, keys: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(keys), BATCH):
            yield from self.db.preferences.find({"_id": {"$in": keys[start : start + BATCH]}})

    def preferences_in_unit(self, unit_id: str) -> Iterator[dict[str, Any]]:
        """Those of households living in the unit who chose a channel besides the inbox."""
        return self.db.preferences.find({"units": unit_id, "channels": {"$ne": []}})

    # --- deliveries ---------------------------------------------------------------

    def add_deliveries(self, deliveries: list[dict[str, Any]]) -> int:
        return _insert_new(self.db.deliveries, deliveries)

    def claim_due_delivery(self, now: datetime, claim: timedelta) -> dict[str, Any] | None:
        """One delivery due for a try, claimed so that no other sender takes it; one
        whose sender died while sending is due again when its claim runs out."""
        due = {
            "$or": [
                {"status": {"$in": DUE}, "next_attempt_at": {"$lte": now}},
                {"status": DeliveryStatus.SENDING.value, "claimed_until": {"$lte": now}},
            ]
        }
        return self.db.deliveries.find_one_and_update(
            due,
            {"$set": {"status": DeliveryStatus.SENDING.value, "claimed_until": now + claim}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    def record_sent(self, delivery_id: str, provider_id: str, sender: str) -> None:
        now = utcnow()
        self.db.deliveries.update_one(
            {"_id": delivery_id},
            {
                "$set": {
                    "status": DeliveryStatus.SENT.value,
                    "sent_at": now,
                    "provider_id": provider_id,
                    "sent_by": sender,  # the lease holder that sent it
                },
                "$inc": {"attempts": 1},
                "$unset": {"claimed_until": "", "next_attempt_at": ""},
            },
        )

    def record_failure(
        self,
        delivery_id: str,
        reason: str,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None:
        self.db.deliveries.update_one(
            {"_id": delivery_id},
            {
                "$set": {
                    "status": status.value,
                    "last_error": reason[:500],
                    "last_failed_at": utcnow(),
                    "next_attempt_at": next_attempt_at,
                },
                "$inc": {"attempts": 1},
                "$unset": {"claimed_until": ""},
            },
        )

    def deliveries_of(
        self, commune_id: str, statuses: list[DeliveryStatus], limit: int
    ) -> list[dict[str, Any]]:
        """The newest failures first."""
        query = {"commune_id": commune_id, "status": {"$in": [s.value for s in statuses]}}
        cursor = self.db.deliveries.find(query).sort("last_failed_at", DESCENDING)
        return list(cursor.limit(limit))

    def requeue(self, delivery_id: str, commune_id: str, audit: list[dict[str, Any]]) -> bool:
        """A dead letter tried again from scratch, with its audit entry in the same write;
        False if it is not one of the commune's."""
        result = self.db.deliveries.update_one(
            {
                "_id": delivery_id,
                "commune_id": commune_id,
                "status": DeliveryStatus.GIVEN_UP.value,
                "channel": {"$ne": None},
            },
            set_with_pending(
                {"status": DeliveryStatus.QUEUED.value, "next_attempt_at": utcnow(), "attempts": 0},
                audit,
            ),
        )
        return result.modified_count == 1

    # --- the cluster's scheduled work ---------------------------------------------

    def hold_lease(self, name: str, holder: str, period: timedelta) -> bool:
        """Take or keep the lease on `name` for `period`; False while another holds it.
        One process in the cluster runs the scheduled work; if it dies, another takes
        over when the lease runs out."""
        now = utcnow()
        try:
            self.db.leases.find_one_and_update(
                {"_id": name, "$or": [{"holder": holder}, {"until": {"$lte": now}}]},
                {"$set": {"holder": holder, "until": now + period}},
                upsert=True,
            )
        except DuplicateKeyError:  # another holder's lease is still running
            return False
        return True

    def schedule(self, job_id: str, kind: str, due_at: datetime, payload: dict[str, Any]) -> None:
        """Work for later, once per id (a redelivered event schedules nothing twice)."""
        job = {
            "_id": job_id,
            "kind": kind,
            "due_at": due_at,
            "payload": payload,
            "status": "waiting",
        }
        with contextlib.suppress(DuplicateKeyError):
            self.db.scheduled.insert_one(job)

    def due_jobs(self, now: datetime) -> list[dict[str, Any]]:
        return list(
            self.db.scheduled.find({"status": "waiting", "due_at": {"$lte": now}}).limit(100)
        )

    def still_due(self, job: dict[str, Any]) -> bool:
        """Whether a job read a moment ago is still waiting as it was read (a reminder's
        registration may have been cancelled, or given a new place, meanwhile)."""
        return self.db.scheduled.find_one(_as_read(job) | {"status": "waiting"}) is not None

    def finish_job(self, job: dict[str, Any]) -> None:
        self.db.scheduled.update_one(
            _as_read(job), {"$set": {"status": "done", "done_at": utcnow()}}
        )

    def postpone_job(self, job: dict[str, Any], error: Exception, retry_at: datetime) -> None:
        """A job that failed waits until `retry_at`; after JOB_ATTEMPTS it is kept as
        failed, with its error, instead of being tried for ever."""
        attempts = job.get("attempts", 0) + 1
        status = "failed" if attempts >= JOB_ATTEMPTS else "waiting"
        fields = {"due_at": retry_at, "attempts": attempts, "status": status}
        self.db.scheduled.update_one(
            _as_read(job), {"$set": {**fields, "last_error": repr(error)[:500]}}
        )

    # --- a training registration's reminder ---------------------------------------
    # Its events come through separate queues, so a cancellation may be handled before
    # the confirmation it cancels, and any of them again: each applies only if it is
    # later than the latest one applied (`as_of`, when it happened at the training
    # service).

    def superseded(self, job_id: str, as_of: datetime) -> bool:
        """Whether a later event of the registration was handled already."""
        later = {"_id": job_id, "as_of": {"$gt": _stored(as_of)}}
        return self.db.scheduled.find_one(later, {"_id": 1}) is not None

    def schedule_reminder(
        self, job_id: str, due_at: datetime, payload: dict[str, Any], as_of: datetime
    ) -> None:
        """Remind of the session at `due_at` (a new place after a cancellation is
        reminded again); an event older than the latest one applied changes nothing."""
        job = {
            "kind": "session_reminder",
            "due_at": due_at,
            "payload": payload,
            "status": "waiting",
            "attempts": 0,
            "as_of": _stored(as_of),
        }
        self._apply_if_later(job_id, {"$set": job, "$unset": {"last_error": ""}})

    def cancel_reminder(self, job_id: str, as_of: datetime) -> None:
        """No reminder, even if the event that schedules it is handled after this one."""
        fields = {"kind": "session_reminder", "status": "cancelled", "as_of": _stored(as_of)}
        self._apply_if_later(job_id, {"$set": {**fields, "cancelled_at": utcnow()}})

    def _apply_if_later(self, job_id: str, update: dict[str, Any]) -> None:
        as_of = update["$set"]["as_of"]
        # no document yet: inserted; one as late or later: the insert collides, and stays
        with contextlib.suppress(DuplicateKeyError):
            self.db.scheduled.update_one(
                {"_id": job_id, "as_of": {"$lt": as_of}}, update, upsert=True
            )


def _stored(moment: datetime) -> datetime:
    """A moment as the database keeps it (milliseconds), so that the same event's
    moment compares equal to what it stored."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _as_read(job: dict[str, Any]) -> dict[str, Any]:
    """A job's filter, matching only if no later event has rescheduled or cancelled it
    since it was read (`as_of` None also matches jobs that have none)."""
    return {"_id": job["_id"], "as_of": job.get("as_of")}
