"""The commune's notice board in MongoDB.

disclosures: {_id: the posting form's request id, ...Disclosure fields, _pending: outbox
              (its audit entry)}; dates are stored as BSON dates at midnight UTC.
"""

from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import Store, with_pending, without_pending
from shared.contracts.disclosures import Disclosure, DisclosureCategory, ListDisclosures

ORDER = [("posted_from", ASCENDING), ("posted_at", ASCENDING)]
DATE_FIELDS = ("decision_date", "posted_from", "posted_to", "deadline")


def _midnight(day: date) -> datetime:
    """A day as BSON keeps it (BSON has no date type)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _disclosure(document: dict[str, Any]) -> Disclosure:
    fields = without_pending(document)
    fields["id"] = fields.pop("_id")
    for name in DATE_FIELDS:
        if fields.get(name) is not None:
            fields[name] = fields[name].date()
    return Disclosure.model_validate(fields)


class BoardRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.disclosures.create_index([("commune_id", ASCENDING), *ORDER])
        database.disclosures.create_index([("commune_id", ASCENDING), ("posted_to", ASCENDING)])

    def insert_disclosure(self, disclosure: Disclosure, items: list[dict[str, Any]]) -> Disclosure:
        """Store a new disclosure with its audit entry; the same form sent again
        (its request id) gets the one stored first."""
        document = disclosure.model_dump(exclude={"id"})
        for name in DATE_FIELDS:
            if document[name] is not None:
                document[name] = _midnight(document[name])
        with suppress(DuplicateKeyError):
            self.db.disclosures.insert_one(with_pending({"_id": disclosure.id, **document}, items))
        stored = self.get_disclosure(disclosure.id)
        assert stored is not None, "a disclosure just inserted is there"
        return stored

    def end_by_update(self, old: Disclosure, update: Disclosure, last_day: date) -> None:
        """Take a permanent disclosure off the board after `last_day`, naming its update;
        once (a form sent again changes nothing)."""
        self.db.disclosures.update_one(
            {"_id": old.id, "replaced_by": None},
            {"$set": {"posted_to": _midnight(last_day), "replaced_by": update.id}},
        )

    def get_disclosure(self, disclosure_id: str) -> Disclosure | None:
        document = self.db.disclosures.find_one({"_id": disclosure_id})
        return _disclosure(document) if document else None

    def listed_disclosures(self, query: ListDisclosures) -> list[Disclosure]:
        """The board on a day, or its archive."""
        listed = self.archived_disclosures if query.which == "archive" else self.current_disclosures
        return listed(query.commune_id, query.on, query.category)

    def current_disclosures(
        self, commune_id: str, on: date, category: DisclosureCategory | None
    ) -> list[Disclosure]:
        """Started on or before `on`, and posted with no end (permanent, not updated
        since) or ending on or after it."""
        query = self._of(commune_id, category) | {
            "posted_from": {"$lte": _midnight(on)},
            "$or": [{"posted_to": None}, {"posted_to": {"$gte": _midnight(on)}}],
        }
        return self._find(query)

    def archived_disclosures(
        self, commune_id: str, on: date, category: DisclosureCategory | None
    ) -> list[Disclosure]:
        """Whose posting ended before `on` (a permanent one once updated), the latest to
        end first."""
        # $ne: MongoDB never orders null below a date, but the embedded server does
        ended = {"$lt": _midnight(on), "$ne": None}
        query = self._of(commune_id, category) | {"posted_to": ended}
        return self._find(query, [("posted_to", DESCENDING), ("posted_from", DESCENDING)])

    def disclosures_started(self, commune_id: str, starts: date, ends: date) -> list[Disclosure]:
        """Whose posting started between `starts` and `ends`, both included."""
        query = {
            "commune_id": commune_id,
            "posted_from": {"$gte": _midnight(starts), "$lte": _midnight(ends)},
        }
        return self._find(query)

    @staticmethod
    def _of(commune_id: str, category: DisclosureCategory | None) -> dict[str, Any]:
        query: dict[str, Any] = {"commune_id": commune_id}
        if category is not None:
            query["category"] = int(category)
        return query

    def _find(self, query: dict[str, Any], order: list | None = None) -> list[Disclosure]:
        return [_disclosure(d) for d in self.db.disclosures.find(query).sort(order or ORDER)]
