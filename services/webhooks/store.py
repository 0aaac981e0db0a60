"""The webhooks service's documents in MongoDB.

subscriptions: {_id, scope_id, scope_kind, url, event_types, description, secret,
                created_by, created_at, secret_set_at, deleted_at}
deliveries:    {_id: "<subscription>:<event id>", subscription_id, scope_id, url,
                event_id, event_type, subject, order, body (the exact JSON text),
                status, attempts, next_attempt_at, claimed_until, last_status_code,
                last_error, created_at, sent_at}
audit_log, event_failures: see shared/chassis.py
"""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from shared.chassis import Store, set_with_pending, utcnow
from shared.contracts.webhooks import DeliveryStatus

WAITING, SENDING = DeliveryStatus.WAITING.value, DeliveryStatus.SENDING.value
UNFINISHED = [WAITING, SENDING, DeliveryStatus.DEAD.value]


class WebhooksStore(Store):
    OUTBOX_COLLECTIONS = ("subscriptions", "deliveries")

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.subscriptions.create_index([("scope_id", ASCENDING)])
        # the sender's every tick: is anything due? (one indexed read when nothing is)
        database.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        database.deliveries.create_index([("status", ASCENDING), ("claimed_until", ASCENDING)])
        database.deliveries.create_index(
            [("subscription_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)]
        )
        database.deliveries.create_index(
            [("subscription_id", ASCENDING), ("subject", ASCENDING), ("order", ASCENDING)]
        )
        database.deliveries.create_index([("scope_id", ASCENDING), ("created_at", DESCENDING)])

    # --- subscriptions ---

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        return self.db.subscriptions.find_one({"_id": subscription_id, "deleted_at": None})

    def subscriptions_of(self, scope_id: str) -> list[dict[str, Any]]:
        query = {"scope_id": scope_id, "deleted_at": None}
        return list(self.db.subscriptions.find(query).sort("created_at", ASCENDING))

    def subscribers(self, scope_ids: list[str], event_type: str) -> list[dict[str, Any]]:
        query = {"scope_id": {"$in": scope_ids}, "deleted_at": None, "event_types": event_type}
        return list(self.db.subscriptions.find(query, {"url": 1, "scope_id": 1}))

    def change_subscription(
        self, subscription_id: str, fields: dict[str, Any], items: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        return self.db.subscriptions.find_one_and_update(
            {"_id": subscription_id, "deleted_at": None},
            set_with_pending(fields, items),
            return_document=ReturnDocument.AFTER,
        )

    def cancel_deliveries(self, subscription_id: str) -> None:
        """A deleted subscription's deliveries not yet sent are not sent."""
        self.db.deliveries.update_many(
            {"subscription_id": subscription_id, "status": {"$in": [WAITING, "dead"]}},
            {
                "$set": {"status": DeliveryStatus.CANCELLED.value},
                "$unset": {"next_attempt_at": ""},
            },
        )

    # --- deliveries ---

    def add_deliveries(self, deliveries: list[dict[str, Any]]) -> None:
        """Store each once: an event delivered to us again adds nothing."""
        if not deliveries:
            return
        try:
            self.db.deliveries.insert_many(deliveries, ordered=False)
        except BulkWriteError as error:
            if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                raise

    def anything_due(self, now: datetime) -> set[str]:
        """The subscriptions with a delivery due (an indexed read; empty most ticks)."""
        due = {"status": WAITING, "next_attempt_at": {"$lte": now}}
        if self.db.deliveries.find_one(due, {"_id": 1}) is None:
            return set()
        cursor = self.db.deliveries.find(due, {"subscription_id": 1}).limit(1000)
        return {document["subscription_id"] for document in cursor}

    def claim_due(self, subscription_id: str, now: datetime, until: datetime) -> dict | None:
        """The subscription's earliest due delivery, claimed so no other sender takes it."""
        return self.db.deliveries.find_one_and_update(
            {"subscription_id": subscription_id, "status": WAITING,
             "next_attempt_at": {"$lte": now}},
            {"$set": {"status": SENDING, "claimed_until": until}},
            sort=[("order", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )  # fmt: skip

    def subject_head(self, subscription_id: str, subject: str) -> dict[str, Any] | None:
        """The earliest delivery of the subject not yet sent (nor cancelled)."""
        query = {"subscription_id": subscription_id, "subject": subject,
                 "status": {"$in": UNFINISHED}}  # fmt: skip
        found = self.db.deliveries.find(query, {"status": 1, "next_attempt_at": 1})
        return next(iter(found.sort("order", ASCENDING).limit(1)), None)

    def put_back(self, delivery_id: str, at: datetime) -> None:
        """Not its turn yet: waiting again, due at `at`, no attempt counted."""
        self.db.deliveries.update_one(
            {"_id": delivery_id, "status": SENDING},
            {"$set": {"status": WAITING, "next_attempt_at": at}, "$unset": {"claimed_until": ""}},
        )

    def record_sent(self, delivery: dict[str, Any], status_code: int) -> None:
        now = utcnow()
        self.db.deliveries.update_one(
            {"_id": delivery["_id"]},
            {
                "$set": {"status": DeliveryStatus.SENT.value, "sent_at": now,
                         "last_status_code": status_code, "last_error": None},
                "$inc": {"attempts": 1},
                "$unset": {"claimed_until": "", "next_attempt_at": ""},
            },
        )  # fmt: skip
        self.release_next(delivery["subscription_id"], delivery["subject"], now)

    def release_next(self, subscription_id: str, subject: str, now: datetime) -> None:
        """The subject's next delivery in order may go at once."""
        self.db.deliveries.find_one_and_update(
            {"subscription_id": subscription_id, "subject": subject, "status": WAITING},
            {"$set": {"next_attempt_at": now}},
            sort=[("order", ASCENDING)],
        )

    def record_failure(
        self,
        delivery_id: str,
        status: DeliveryStatus,
        status_code: int | None,
        error: str,
        retry_at: datetime | None,
    ) -> None:
        fields: dict[str, Any] = {
            "status": status.value,
            "last_status_code": status_code,
            "last_error": error[:300],
            "next_attempt_at": retry_at,
        }
        self.db.deliveries.update_one(
            {"_id": delivery_id},
            {"$set": fields, "$inc": {"attempts": 1}, "$unset": {"claimed_until": ""}},
        )

    def free_stale_claims(self, now: datetime) -> int:
        """Deliveries whose sender died while sending are due again."""
        result = self.db.deliveries.update_many(
            {"status": SENDING, "claimed_until": {"$lte": now}},
            {"$set": {"status": WAITING, "next_attempt_at": now}, "$unset": {"claimed_until": ""}},
        )
        return result.modified_count

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        return self.db.deliveries.find_one({"_id": delivery_id}, {"body": 0})

    def deliveries_of(self, scope_id: str, dead_only: bool, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"scope_id": scope_id}
        if dead_only:
            query["status"] = DeliveryStatus.DEAD.value
        cursor = self.db.deliveries.find(query, {"body": 0}).sort("created_at", DESCENDING)
        return list(cursor.limit(limit))

    def retry(self, delivery_id: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        """A dead letter due again from its first attempt; the audit entry with it."""
        now = utcnow()
        update = set_with_pending({"status": WAITING, "attempts": 0, "next_attempt_at": now}, items)
        return self.db.deliveries.find_one_and_update(
            {"_id": delivery_id, "status": DeliveryStatus.DEAD.value},
            update,
            projection={"body": 0},
            return_document=ReturnDocument.AFTER,
        )

    def release_held(self, subscription_id: str, subject: str, now: datetime) -> None:
        """Deliveries held behind a dead letter of their subject look again at once."""
        self.db.deliveries.update_many(
            {"subscription_id": subscription_id, "subject": subject, "status": WAITING,
             "next_attempt_at": {"$gt": now}},
            {"$set": {"next_attempt_at": now}},
        )  # fmt: skip
