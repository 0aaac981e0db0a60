"""The feedback service's documents in MongoDB.

cases:          {_id: case id (the filing form's request id), code (the receipt code,
                 unique), commune_id, unit_id, handling_unit_id, assignee, category,
                 type, status, open, complexity, remote_area, title, text, place,
                 public_title, public_text (masked), photo_ids, anonymous, confidential,
                 filed_by, reception_id, received_at, accepted_on, deadlines
                 {deadline: "YYYY-MM-DD"}, met, due, due_deadline, transferred_out,
                 extensions, transfers, timeline, answer, answer_text, rating, reopened,
                 parent_id, children, escalated, overdue_announced, _pending: outbox}
                 Days are ISO strings, so they sort and compare as dates in an index.
identities:     {_id: case id, household, contact}  who filed: never on a public
                 page, in an event or an export (Denunciation Law 2018 Art 47)
files:          {_id, case_id, code, kind: photo | attachment, content_type,
                 filename, data}  photos re-encoded without metadata
categories:     {_id: commune id, categories: [Category]}
schedules:      {_id: commune id, slots: [ReceptionSlot], updated_at}
receptions:     {_id: the form's request id, ...ReceptionSession}
figures:        {_id: "<commune>:<yyyy-mm>:<unit>:<category>", commune_id, year,
                 month, unit_id, category, received, answered, answered_on_time,
                 rated, satisfied, reopened, days: {"<n>": cases answered in n
                 days}, applied: [count item ids]}  kept as things happen
                 (shared.chassis.count_item), never recounted
filing_limits:  {_id: "<source>:<hour>", count, expires_at (TTL)}
audit_log, event_failures: see shared/chassis.py
"""

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import Store, set_with_pending, with_pending

PAGE_SIZE = 20
DASHBOARD_LIMIT = 50  # cases in each list of the dashboard
OVERDUE_BATCH = 100  # cases the overdue sweep takes at a time


class FeedbackStore(Store):
    OUTBOX_COLLECTIONS = ("cases", "categories", "schedules", "receptions")

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.cases.create_index([("code", ASCENDING)], unique=True)
        database.cases.create_index(
            [("commune_id", ASCENDING), ("open", ASCENDING), ("due", ASCENDING)]
        )
        database.cases.create_index(
            [("commune_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]
        )
        database.cases.create_index(
            [("open", ASCENDING), ("overdue_announced", ASCENDING), ("due", ASCENDING)]
        )
        database.cases.create_index(
            [("commune_id", ASCENDING), ("public", ASCENDING), ("answered_at", DESCENDING)]
        )
        database.files.create_index([("case_id", ASCENDING)])
        database.receptions.create_index([("commune_id", ASCENDING), ("day", ASCENDING)])
        database.figures.create_index([("commune_id", ASCENDING), ("year", ASCENDING)])
        database.filing_limits.create_index("expires_at", expireAfterSeconds=0)

    # --- filing ---

    def insert_case(
        self,
        case: dict[str, Any],
        identity: dict[str, Any] | None,
        files: list[dict[str, Any]],
        items: list[dict[str, Any]],
    ) -> bool:
        """Store a new case, its photos and who filed it; False if this form was
        stored already (sent twice). The photos and the identity go first: a case
        is never stored without them."""
        for file in files:
            with suppress(DuplicateKeyError):
                self.db.files.insert_one(file)
        if identity is not None:
            with suppress(DuplicateKeyError):
                self.db.identities.insert_one(identity)
        try:
            self.db.cases.insert_one(with_pending(case, items))
        except DuplicateKeyError:
            if self.get_case(case["_id"]) is not None:
                return False
            raise  # the receipt code is taken: the caller draws another
        return True

    def count_filing(self, keys: list[str], now: datetime, hour: int) -> int:
        """Count a filing against each of its sources (address, household, phone)
        for this hour; the highest count so far."""
        highest = 0
        for key in keys:
            record = self.db.filing_limits.find_one_and_update(
                {"_id": f"{key}:{hour}"},
                {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": now + timedelta(hours=2)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            highest = max(highest, record["count"])
        return highest

    # --- reading ---

    def get_case(self, case_id: str) -> dict[str, Any] | None:
        return self.db.cases.find_one({"_id": case_id})

    def case_by_code(self, code: str) -> dict[str, Any] | None:
        return self.db.cases.find_one({"code": code})

    def identity(self, case_id: str) -> dict[str, Any] | None:
        return self.db.identities.find_one({"_id": case_id})

    def file(self, file_id: str) -> dict[str, Any] | None:
        return self.db.files.find_one({"_id": file_id})

    def cases(self, query: dict[str, Any], page: int) -> tuple[list[dict[str, Any]], bool]:
        """One page of cases, newest first, and whether there are more."""
        return self._page(query, "received_at", page)

    def public_cases(self, query: dict[str, Any], page: int) -> tuple[list[dict[str, Any]], bool]:
        """One page of answered public cases, newest answer first."""
        return self._page(query, "answered_at", page)

    def _page(
        self, query: dict[str, Any], newest_by: str, page: int
    ) -> tuple[list[dict[str, Any]], bool]:
        cursor = (
            self.db.cases.find(query, {"_pending": 0})
            .sort(newest_by, DESCENDING)
            .skip((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
        found = list(cursor)
        return found[:PAGE_SIZE], len(found) > PAGE_SIZE

    def open_cases_by_due(
        self, query: dict[str, Any], due: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Open cases matching `query`, earliest deadline first, at most DASHBOARD_LIMIT."""
        selector = {**query, "open": True}
        if due is not None:
            selector["due"] = due
        cursor = self.db.cases.find(selector, {"_pending": 0}).sort("due", ASCENDING)
        return list(cursor.limit(DASHBOARD_LIMIT))

    def load_by_assignee(
        self, query: dict[str, Any], today: str, soon: str
    ) -> list[dict[str, Any]]:
        """Open cases per assignee: how many, due soon, overdue (only open cases are
        read, through the (commune, open, due) index)."""
        pipeline = [
            {"$match": {**query, "open": True}},
            {
                "$group": {
                    "_id": {"$ifNull": ["$assignee", ""]},
                    "open": {"$sum": 1},
                    "overdue": {"$sum": {"$cond": [{"$lt": ["$due", today]}, 1, 0]}},
                    "due_soon": {
                        "$sum": {
                            "$cond": [
                                {"$and": [{"$gte": ["$due", today]}, {"$lte": ["$due", soon]}]},
                                1,
                                0,
                            ]
                        }
                    },
                }
            },
            {"$sort": {"_id": 1}},
        ]
        return list(self.db.cases.aggregate(pipeline))

    # --- changing ---

    def update_case(
        self,
        case_id: str,
        expected_status: str,
        fields: dict[str, Any],
        items: list[dict[str, Any]],
        push: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Change a case still in `expected_status` (two staff acting at once: the
        second finds it changed and is refused), with its events, audit entries and
        counts, in one write; the case as it is now, or None if it was changed."""
        update = set_with_pending(fields, items)
        for field, values in (push or {}).items():
            update["$push"][field] = {"$each": values}
        return self.db.cases.find_one_and_update(
            {"_id": case_id, "status": expected_status},
            update,
            return_document=ReturnDocument.AFTER,
        )

    def add_pending(self, case_id: str, items: list[dict[str, Any]]) -> None:
        """Pending items (an audit entry) on a case, relayed like any other."""
        self.db.cases.update_one({"_id": case_id}, set_with_pending({}, items))

    def insert_files(self, files: list[dict[str, Any]]) -> None:
        for file in files:
            with suppress(DuplicateKeyError):
                self.db.files.insert_one(file)

    def overdue_cases(self, today: str) -> list[dict[str, Any]]:
        """Open cases past their deadline whose lateness was not announced yet."""
        query = {"open": True, "overdue_announced": False, "due": {"$lt": today}}
        return list(self.db.cases.find(query, {"_pending": 0}).limit(OVERDUE_BATCH))

    def mark_overdue(self, case_id: str, due: str, items: list[dict[str, Any]]) -> bool:
        """Announce a case's lateness once: only if it is still late on `due`."""
        update = set_with_pending({"overdue_announced": True, "escalated": True}, items)
        result = self.db.cases.update_one(
            {"_id": case_id, "open": True, "overdue_announced": False, "due": due}, update
        )
        return result.modified_count == 1

    # --- categories, reception ---

    def categories(self, commune_id: str) -> list[dict[str, Any]] | None:
        document = self.db.categories.find_one({"_id": commune_id})
        return document["categories"] if document else None

    def save_categories(
        self, commune_id: str, categories: list[dict[str, Any]], items: list[dict[str, Any]]
    ) -> None:
        self.db.categories.update_one(
            {"_id": commune_id}, set_with_pending({"categories": categories}, items), upsert=True
        )

    def schedule(self, commune_id: str) -> dict[str, Any] | None:
        return self.db.schedules.find_one({"_id": commune_id})

    def save_schedule(
        self,
        commune_id: str,
        slots: list[dict[str, Any]],
        now: datetime,
        items: list[dict[str, Any]],
    ) -> None:
        update = set_with_pending({"slots": slots, "updated_at": now}, items)
        self.db.schedules.update_one({"_id": commune_id}, update, upsert=True)

    def insert_reception(self, document: dict[str, Any], items: list[dict[str, Any]]) -> None:
        with suppress(DuplicateKeyError):  # the same form sent twice
            self.db.receptions.insert_one(with_pending(document, items))

    def reception(self, reception_id: str) -> dict[str, Any] | None:
        return self.db.receptions.find_one({"_id": reception_id}, {"_pending": 0})

    def receptions(self, commune_id: str, year: int) -> list[dict[str, Any]]:
        query = {
            "commune_id": commune_id,
            "day": {"$gte": f"{year}-01-01", "$lte": f"{year}-12-31"},
        }
        return list(self.db.receptions.find(query, {"_pending": 0}).sort("day", DESCENDING))

    def add_case_to_reception(self, reception_id: str, case_id: str) -> None:
        self.db.receptions.update_one({"_id": reception_id}, {"$addToSet": {"case_ids": case_id}})

    # --- figures ---

    def figures(self, commune_id: str, year: int, month: int | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"commune_id": commune_id, "year": year}
        if month is not None:
            query["month"] = month
        return list(self.db.figures.find(query, {"applied": 0}))
