"""The recognition service's documents in MongoDB.

rules:            {_id, commune_id, key, value, valid_from (ISO day), reason, set_by,
                   set_at}  a commune's own versions of a rule; never changed
nominations:      {_id: the form's request id, commune_id, year, title, recipient,
                   recipient_key, achievement, achievement_key, proposed_by, status,
                   minutes_filename, posting_id, comment_until, comments, council,
                   authority, decision_number, decided_on, award, certificate_code,
                   rejected_reason, revoked_reason, has_photo, history: [entry]}
files:            {_id: "<nomination>:minutes|photo", content_type, filename, data}
postings:         {_id: the form's request id, commune_id, year, posted_on,
                   comment_until (ISO days), nomination_ids}
comments:         {_id: the form's request id, receipt (unique), posting_id,
                   nomination_id, name, contact, text, received_at}
decision_numbers: {_id: authority|year|number, nomination_id}  one use of each number
quotas:           {_id: commune|year|unit, advanced, fighters}  the unit's decided
                   Lao động tiên tiến and Chiến sĩ thi đua cơ sở, kept as decided
cases:            {_id: the form's request id, commune_id, version, state, subject_key,
                   opened_year, disclosed_on}  a discipline case's newest version
case_versions:    {_id: "<case>:<version>", case_id, version, state, reason,
                   changed_by, changed_at}  every version, never changed
audit_log, event_failures: see shared/chassis.py
"""

from datetime import date
from typing import Any

from bson.binary import Binary
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import Store, set_with_pending
from shared.contracts.recognition import NominationStatus
from shared.contracts.staff import AuditEntry
from shared.ids import new_id

STANDING = [s.value for s in NominationStatus if s not in ("rejected", "revoked")]


class RecognitionStore(Store):
    OUTBOX_COLLECTIONS = ("rules", "nominations", "postings", "cases")

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.rules.create_index([("commune_id", ASCENDING), ("key", ASCENDING)])
        database.nominations.create_index(
            [("commune_id", ASCENDING), ("year", ASCENDING), ("status", ASCENDING)]
        )
        database.nominations.create_index([("commune_id", ASCENDING), ("recipient_key", ASCENDING)])
        database.nominations.create_index([("certificate_code", ASCENDING)], sparse=True)
        database.postings.create_index([("commune_id", ASCENDING), ("comment_until", ASCENDING)])
        database.comments.create_index([("receipt", ASCENDING)], unique=True)
        database.comments.create_index([("posting_id", ASCENDING)])
        database.cases.create_index([("commune_id", ASCENDING), ("opened_year", ASCENDING)])
        database.cases.create_index([("subject_key", ASCENDING)])
        database.case_versions.create_index([("case_id", ASCENDING), ("version", DESCENDING)])

    # --- rules ---

    def rule_versions(self, commune_id: str) -> list[dict[str, Any]]:
        return list(self.db.rules.find({"commune_id": commune_id}).sort("set_at", ASCENDING))

    # --- nominations ---

    def nomination(self, nomination_id: str) -> dict[str, Any] | None:
        return self.db.nominations.find_one({"_id": nomination_id})

    def nominations(self, ids: list[str]) -> list[dict[str, Any]]:
        return list(self.db.nominations.find({"_id": {"$in": ids}}))

    def nominations_in(
        self, commune_id: str, year: int | None, statuses: list[str] | None = None
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"commune_id": commune_id}
        if year is not None:
            query["year"] = year
        if statuses:
            query["status"] = {"$in": statuses}
        return list(self.db.nominations.find(query, {"history": 0}).sort("_id", ASCENDING))

    def standing_of(self, commune_id: str, recipient_key: str) -> list[dict[str, Any]]:
        """The recipient's nominations that still stand (not rejected, not revoked)."""
        query = {
            "commune_id": commune_id,
            "recipient_key": recipient_key,
            "status": {"$in": STANDING},
        }
        return list(self.db.nominations.find(query, {"history": 0}))

    def by_certificate(self, code: str) -> dict[str, Any] | None:
        return self.db.nominations.find_one({"certificate_code": code})

    def decided_years(self, commune_id: str) -> list[int]:
        found = self.db.nominations.distinct(
            "year", {"commune_id": commune_id, "status": "decided"}
        )
        return sorted(found, reverse=True)

    def move(
        self,
        nomination_id: str,
        from_statuses: list[str],
        fields: dict[str, Any],
        entry: dict[str, Any],
        items: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        """Change a nomination that is in one of `from_statuses`, adding a history entry
        and pending items in the same write; None if it was not in those statuses."""
        update = set_with_pending(fields, items)
        update["$push"]["history"] = entry
        return self.db.nominations.find_one_and_update(
            {"_id": nomination_id, "status": {"$in": from_statuses}},
            update,
            return_document=ReturnDocument.AFTER,
        )

    def post_all(self, ids: list[str], posting: dict[str, Any], entry: dict[str, Any]) -> None:
        """Put the proposed ones among `ids` on the posting (again after a crash: a no-op)."""
        self.db.nominations.update_many(
            {"_id": {"$in": ids}, "status": NominationStatus.PROPOSED.value},
            {
                "$set": {
                    "status": NominationStatus.POSTED.value,
                    "posting_id": posting["_id"],
                    "comment_until": posting["comment_until"],
                },
                "$push": {"history": entry},
            },
        )

    def save_file(self, file_id: str, content_type: str, filename: str, data: bytes) -> None:
        self.db.files.replace_one(
            {"_id": file_id},
            {"content_type": content_type, "filename": filename, "data": Binary(data)},
            upsert=True,
        )

    def file(self, file_id: str) -> dict[str, Any] | None:
        return self.db.files.find_one({"_id": file_id})

    def drop_file(self, file_id: str) -> None:
        self.db.files.delete_one({"_id": file_id})

    # --- decision numbers and quotas ---

    def claim_number(self, key: str, nomination_id: str) -> bool:
        """Take a decision number for a nomination; False if another has it."""
        try:
            self.db.decision_numbers.insert_one({"_id": key, "nomination_id": nomination_id})
        except DuplicateKeyError:
            held = self.db.decision_numbers.find_one({"_id": key})
            return held is not None and held["nomination_id"] == nomination_id
        return True

    def release_number(self, key: str, nomination_id: str) -> None:
        self.db.decision_numbers.delete_one({"_id": key, "nomination_id": nomination_id})

    def quota(self, key: str) -> dict[str, Any]:
        return self.db.quotas.find_one({"_id": key}) or {"_id": key, "advanced": 0, "fighters": 0}

    def count_in_quota(self, key: str, field: str, step: int) -> None:
        self.db.quotas.update_one(
            {"_id": key},
            {"$inc": {"advanced": 0, "fighters": 0} | {field: step}},
            upsert=True,
        )

    def take_fighter_place(self, key: str, advanced: int, fighters: int) -> bool:
        """Count one more fighter if the quota is still as it was read: two decisions at
        once cannot both take the last place (a unit with fighters has its quota)."""
        result = self.db.quotas.update_one(
            {"_id": key, "advanced": advanced, "fighters": fighters}, {"$inc": {"fighters": 1}}
        )
        return result.modified_count == 1

    # --- postings and comments ---

    def posting(self, posting_id: str) -> dict[str, Any] | None:
        return self.db.postings.find_one({"_id": posting_id})

    def open_postings(self, commune_id: str, on: date) -> list[dict[str, Any]]:
        day = on.isoformat()
        query = {
            "commune_id": commune_id,
            "comment_until": {"$gte": day},
            "posted_on": {"$lte": day},
        }
        return list(self.db.postings.find(query).sort("posted_on", ASCENDING))

    def add_comment(self, document: dict[str, Any]) -> dict[str, Any]:
        """Store a comment once (by its form's request id) and count it."""
        try:
            self.db.comments.insert_one(document)
        except DuplicateKeyError:
            return self.db.comments.find_one({"_id": document["_id"]})
        if document["nomination_id"]:
            self.db.nominations.update_one(
                {"_id": document["nomination_id"]}, {"$inc": {"comments": 1}}
            )
        return document

    def comments_on(self, posting_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.comments.find({"posting_id": posting_id}).sort("received_at", ASCENDING)
        )

    # --- discipline cases ---

    def case(self, case_id: str) -> dict[str, Any] | None:
        return self.db.cases.find_one({"_id": case_id})

    def cases_in(self, commune_id: str, year: int | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"commune_id": commune_id}
        if year is not None:
            query["opened_year"] = year
        return list(self.db.cases.find(query).sort("_id", ASCENDING))

    def cases_of_subject(self, subject_key: str) -> list[dict[str, Any]]:
        return list(self.db.cases.find({"subject_key": subject_key}))

    def version(self, case_id: str, version: int) -> dict[str, Any] | None:
        return self.db.case_versions.find_one({"_id": f"{case_id}:{version}"})

    def newest_version(self, case_id: str) -> int:
        found = self.db.case_versions.find({"case_id": case_id}).sort("version", DESCENDING)
        return next(iter(found.limit(1)), {"version": 0})["version"]

    def add_version(self, record: dict[str, Any]) -> bool:
        """Store a new version; False if that version number exists (a change made on a
        version that is no longer the newest)."""
        try:
            self.db.case_versions.insert_one(
                {"_id": f"{record['case_id']}:{record['version']}", **record}
            )
        except DuplicateKeyError:
            return False
        return True

    def open_case(self, document: dict[str, Any], items: list[dict[str, Any]]) -> bool:
        return self.insert_once("cases", document, items)

    def update_case(
        self, case_id: str, fields: dict[str, Any], items: list[dict[str, Any]]
    ) -> None:
        self.db.cases.update_one({"_id": case_id}, set_with_pending(fields, items))

    def audit_now(self, entry: AuditEntry) -> None:
        """An audit entry written at once, before what it records is returned (a view,
        a refusal): nothing to relay, nothing that can be lost after the answer."""
        self.db.audit_log.insert_one({"_id": new_id(), **entry.model_dump()})
