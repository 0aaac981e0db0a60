"""The directory's documents in MongoDB.

units:       {_id, kind, name, name_key, parent_id, local_label, valid_from, valid_to,
              ended_by: the succession that ended it, if one did}
households:  {_id: household code, address, representative_name, members: [...],
              periods: [{unit_id, status, start, end}],  (an open period ends OPEN_END)
              current_unit, current_start: the last period's unit and start (see
              _candidates), search_text: the names (as name_key) and phone numbers, one
              a line, imported_by: the import that created it, if one did}
unit_counts: {_id: unit id, changes: {day: change of its count that day}, version}:
             households counted as they come and go (services/directory/counting.py)
electorates: {_id: reference, unit_id, as_of, household_codes, created_at}
Dates are stored as ISO strings ("2025-07-01"), which sort and compare as dates.

Kept counts. A count is never made by reading households (README, principle 7:
"Size never shows"; recounting a ward of 30,000 took 4-10 s on the embedded
server): every write of a household's periods adds the difference it makes to
`unit_counts`, right after the household's own write (insert_imported_households,
save_household, replace_periods). MongoDB applies each write atomically, but not
the two together: a process that dies between them leaves the counts short of
that one household (of one batch of an import). Repairs recount from the
households (rebuild_unit_counts): on start when no counts are kept yet (which
also brings older databases up to date), when an import is applied again after
a crash, and when the timer finishes a unit change whose request died.
"""

import logging
import re
from datetime import date
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.directory import counting
from services.directory.api_tokens_store import ApiTokenRecords
from services.directory.counting import OPEN_END
from services.directory.domain import name_key
from services.directory.import_store import ImportRecords
from services.directory.positions_store import PositionRecords
from services.directory.staff_store import StaffRecords
from services.directory.succession_store import SuccessionRecords
from shared.chassis import audit_item, event_item, set_with_pending, with_pending, without_pending
from shared.contracts.common import Event
from shared.contracts.directory import AdministrativeUnit, UnitKind
from shared.contracts.households import Electorate, Household, HouseholdStatus, normalize_phone
from shared.contracts.staff import AuditEntry
from shared.errors import Conflict
from shared.i18n import _

log = logging.getLogger(__name__)

__all__ = ["OPEN_END", "DirectoryStore"]

# Fields kept for queries only, not part of a Household (name_keys: before search_text).
DERIVED_FIELDS = ("current_unit", "current_start", "search_text", "name_keys", "imported_by")
COUNT_TRIES = 3  # recounts of a unit that lost the race with a write, then it waits
# Matches of a household search read for each household shown: the rest are filtered
# out by unit (a group head sees only their own group's households).
SEARCH_READ_FACTOR = 10


def _placement(periods: list[dict[str, Any]]) -> dict[str, str]:
    """The last period's unit and start, at the top level of the document."""
    return {"current_unit": periods[-1]["unit_id"], "current_start": periods[-1]["start"]}


def _household_document(household: Household) -> dict[str, Any]:
    document = household.model_dump(mode="json", exclude={"code"})
    for period in document["periods"]:
        period["end"] = period["end"] or OPEN_END
    names = [household.representative_name, *(member.name for member in household.members)]
    phones = [member.phone for member in household.members if member.phone]
    return {
        "_id": household.code,
        **document,
        **_placement(document["periods"]),
        # name_key: searching "nguyễn văn" finds "Nguyễn  Văn An", whatever its case or
        # spacing; one string, not a list, so the embedded server matches it in SQL
        "search_text": "\n".join([*(name_key(n) for n in names), *phones]),
    }


def _household(document: dict[str, Any]) -> Household:
    document = without_pending(document)
    document["code"] = document.pop("_id")
    for name in DERIVED_FIELDS:
        document.pop(name, None)
    document["periods"] = [
        {**period, "end": None if period["end"] == OPEN_END else period["end"]}
        for period in document["periods"]
    ]
    return Household.model_validate(document)


def _recount(database: Database, unit_ids: list[str] | None) -> None:
    """Count the households of `unit_ids` (None: of every unit) afresh from their
    periods, and keep the result in place of what was kept. A unit's result is
    stored only if no write changed its counts while the households were read
    (its `version`); else it is recounted, up to COUNT_TRIES times. Still off
    afterwards only if a writer stalled between its two writes for the whole
    recount."""
    for _attempt in range(COUNT_TRIES):
        wanted = None if unit_ids is None else {"_id": {"$in": unit_ids}}
        kept = {d["_id"]: d for d in database.unit_counts.find(wanted or {})}
        query = {} if unit_ids is None else {"periods.unit_id": {"$in": unit_ids}}
        counted: counting.Changes = {}
        for document in database.households.find(query, {"periods": 1}):
            counting.add(counted, counting.changes_of(document["periods"]))
        units = set(kept) | set(counted) if unit_ids is None else set(unit_ids)
        raced = []
        for unit_id in sorted(units):
            changes = {d: c for d, c in sorted(counted.get(unit_id, {}).items()) if c}
            earlier = kept.get(unit_id)
            if earlier is None:
                if not changes:
                    continue
                try:
                    database.unit_counts.insert_one(
                        {"_id": unit_id, "changes": changes, "version": 0}
                    )
                except DuplicateKeyError:
                    raced.append(unit_id)
                continue
            if {d: c for d, c in earlier.get("changes", {}).items() if c} == changes:
                continue
            stored = database.unit_counts.update_one(
                {"_id": unit_id, "version": earlier.get("version", 0)},
                {"$set": {"changes": changes}, "$inc": {"version": 1}},
            )
            if stored.matched_count == 0:
                raced.append(unit_id)
            else:
                log.warning("household counts of %s were off; recounted", unit_id)
        if not raced:
            return
        unit_ids = raced
    log.error("household counts of %s kept changing while recounted", unit_ids)


def _bring_up_to_date(database: Database) -> None:
    """Households stored before their top-level fields existed get them; counts are
    made once if none are kept yet. Both only ever do anything once."""
    households = database.households
    # Not {"current_unit": None}: through its index the embedded server's find
    # misses the documents that lack the field, which MongoDB matches.
    older = {"current_unit": {"$exists": False}}
    if households.find_one(older, {"_id": 1}) is not None:
        for document in list(households.find(older)):
            derived = _household_document(_household(dict(document)))
            fields = {k: derived[k] for k in ("current_unit", "current_start", "search_text")}
            households.update_one({"_id": document["_id"]}, {"$set": fields})
    counted = database.unit_counts.find_one({}, {"_id": 1}) is not None
    if not counted and households.find_one({}, {"_id": 1}) is not None:
        log.info("counting households for the first time")
        _recount(database, None)


def _unit_document(unit: AdministrativeUnit) -> dict[str, Any]:
    document = unit.model_dump(mode="json", exclude={"id"})
    return {"_id": unit.id, "name_key": name_key(unit.name), **document}


def _unit(document: dict[str, Any]) -> AdministrativeUnit:
    document = without_pending(document)
    document["id"] = document.pop("_id")
    document.pop("name_key", None)
    document.pop("ended_by", None)
    return AdministrativeUnit.model_validate(document)


class DirectoryStore(
    PositionRecords, SuccessionRecords, ImportRecords, StaffRecords, ApiTokenRecords
):
    OUTBOX_COLLECTIONS = (
        "units",
        "households",
        "staff_accounts",
        "imports",
        "unit_successions",
        "holdings",
        "api_tokens",
    )

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        # No two current units (no end recorded) of one parent share a name, compared
        # case- and space-insensitively; an ended unit's name may be taken again. Both
        # MongoDB and the embedded server honour the partial filter (tested).
        if "unique_name" in database.units.index_information():  # before successions
            database.units.drop_index("unique_name")
        database.units.create_index(
            [("parent_id", ASCENDING), ("name_key", ASCENDING)],
            unique=True,
            name="unique_current_name",
            partialFilterExpression={"valid_to": {"$type": "null"}},
        )
        database.households.create_index(
            [("periods.unit_id", ASCENDING), ("periods.start", ASCENDING)]
        )
        database.households.create_index([("members.phone", ASCENDING)])
        database.households.create_index([("imported_by", ASCENDING)], sparse=True)
        # Single fields on purpose: the embedded server reads an index only for a lone
        # equality or range on a top-level field (see _candidates).
        database.households.create_index([("current_unit", ASCENDING)])
        database.households.create_index([("current_start", ASCENDING)])
        _bring_up_to_date(database)

    def get_unit(self, unit_id: str) -> AdministrativeUnit | None:
        document = self.db.units.find_one({"_id": unit_id})
        return _unit(document) if document else None

    def children(self, parent_id: str) -> list[AdministrativeUnit]:
        return [_unit(d) for d in self.db.units.find({"parent_id": parent_id}).sort("name_key")]

    def units_of_kinds(self, kinds: set[UnitKind]) -> list[AdministrativeUnit]:
        query = {"kind": {"$in": [kind.value for kind in kinds]}}
        return [_unit(d) for d in self.db.units.find(query).sort("name_key")]

    def household_counts(self, unit_ids: list[str], day: date) -> dict[str, int]:
        """Active households of each unit on `day`, from the kept counts: one small
        document a unit, whatever the number of households."""
        kept = self.db.unit_counts.find({"_id": {"$in": unit_ids}}, {"changes": 1})
        changes = {d["_id"]: d.get("changes", {}) for d in kept}
        return {u: counting.count_on(changes.get(u, {}), day.isoformat()) for u in unit_ids}

    def count_households(self, unit_ids: list[str], day: date) -> int:
        return sum(self.household_counts(unit_ids, day).values())

    def rebuild_unit_counts(self, unit_ids: list[str] | None = None) -> None:
        """Recount `unit_ids` (None: every unit) from the households: the repair
        for counts a crash left short (reads every household that ever lived there)."""
        _recount(self.db, unit_ids)

    def _count(self, changes: counting.Changes) -> None:
        """Add a write's difference to the kept counts: one update a unit, sent
        together."""
        updates = {
            unit_id: {"$inc": {**{f"changes.{d}": c for d, c in days.items()}, "version": 1}}
            for unit_id, days in changes.items()
        }
        if not updates:
            return
        try:
            self.db.unit_counts.bulk_write(
                [UpdateOne({"_id": u}, update, upsert=True) for u, update in updates.items()],
                ordered=False,
            )
        except BulkWriteError as failure:
            errors = failure.details["writeErrors"]
            if any(error["code"] != 11000 for error in errors):
                raise
            for error in errors:  # two first counts of a unit at once: now it exists
                unit_id = list(updates)[error["index"]]
                self.db.unit_counts.update_one({"_id": unit_id}, updates[unit_id])

    def _candidates(
        self, unit_ids: list[str], day: date | None, projection: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """Households that may have lived in one of `unit_ids` on `day` or later (and a
        few others; callers test the periods): those whose last period is in one of
        them, and those whose last period began after `day`. A household in a unit
        on `day` either still has that period last, or began a later one since.
        `day` None: the first kind only (households living there now).

        One query a unit: the embedded server reads an index only for a lone equality
        (or range) on a top-level field; on an array path such as periods.unit_id, or
        beside an $elemMatch, it tests every household in Python (0.4-0.7 s a query at
        30,000 households, against 35-60 ms)."""
        queries: list[dict[str, Any]] = [{"current_unit": unit_id} for unit_id in unit_ids]
        if day is not None:
            queries.append({"current_start": {"$gt": day.isoformat()}})
        found: dict[str, dict[str, Any]] = {}
        for query in queries:
            for document in self.db.households.find(query, projection):
                found.setdefault(document["_id"], document)
        return list(found.values())

    def _active_on(
        self, unit_ids: list[str], day: date, projection: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """The documents of the households active in one of `unit_ids` on `day`, by code."""
        wanted, when = set(unit_ids), day.isoformat()
        found = [
            d
            for d in self._candidates(unit_ids, day, projection)
            if counting.active_in(d["periods"], wanted, when)
        ]
        return sorted(found, key=lambda d: d["_id"])

    def list_households(
        self, unit_ids: list[str], day: date, skip: int = 0, limit: int = 0
    ) -> list[Household]:
        # One unit's households come whole in one query (60 ms for 750); for more
        # units only their periods, then the page one by one.
        whole = len(unit_ids) == 1
        found = self._active_on(unit_ids, day, None if whole else {"periods": 1})
        page = found[skip : skip + limit if limit else None]
        if not whole:
            page = [d for d in map(self._document, (d["_id"] for d in page)) if d]
        return [_household(d) for d in page]

    def household_codes(self, unit_ids: list[str], day: date) -> list[str]:
        return [d["_id"] for d in self._active_on(unit_ids, day, {"periods": 1})]

    def _document(self, code: str) -> dict[str, Any] | None:
        return self.db.households.find_one({"_id": code})

    def get_household(self, code: str) -> Household | None:
        document = self.db.households.find_one({"_id": code})
        return _household(document) if document else None

    def households_in_units(self, unit_ids: list[str]) -> dict[str, Household]:
        """Every household that ever lived in `unit_ids`, by code: one query (the
        embedded server scans the whole collection for each `$in` on `_id`)."""
        query = {"periods.unit_id": {"$in": unit_ids}}
        return {d["_id"]: _household(d) for d in self.db.households.find(query)}

    def insert_imported_households(self, households: list[Household], import_id: str) -> set[str]:
        """Insert new households in one batch; return the codes that existed already
        (another import or a clerk registered them meanwhile)."""
        documents = [_household_document(h) | {"imported_by": import_id} for h in households]
        if not documents:
            return set()
        existed: set[str] = set()
        try:
            self.db.households.insert_many(documents, ordered=False)
        except BulkWriteError as failure:
            errors = failure.details["writeErrors"]
            if any(error["code"] != 11000 for error in errors):
                raise  # what was inserted is counted when the import is applied again
            existed = {documents[error["index"]]["_id"] for error in errors}
        added: counting.Changes = {}
        for document in documents:
            if document["_id"] not in existed:
                counting.add(added, counting.changes_of(document["periods"]))
        self._count(added)
        return existed

    def imported_any(self, import_id: str) -> bool:
        return self.db.households.find_one({"imported_by": import_id}, {"_id": 1}) is not None

    def count_imported(self, import_id: str) -> int:
        return self.db.households.count_documents({"imported_by": import_id})

    def households_with_phone(self, phone: str) -> list[Household]:
        return [_household(d) for d in self.db.households.find({"members.phone": phone})]

    def search_households(self, unit_ids: list[str], text: str, limit: int) -> list[Household]:
        """Households that ever lived in `unit_ids` whose code is `text`, a member of
        which has the phone number `text`, or whose names contain `text`. Separate
        queries, each of which the embedded server runs in SQL (together, in an $or,
        or beside a test of the periods, it tests every household in Python)."""
        try:
            wanted = normalize_phone(text)  # 10 digits: found only as a whole number
        except ValueError:
            wanted = name_key(text)
        query = {"search_text": {"$regex": re.escape(wanted)}}
        found = [self.db.households.find_one({"_id": text.strip().upper()}, {"periods": 1})]
        # A common name ("Nguyễn") matches a third of a ward: read only enough of
        # them to fill the page after the unit filter, not every match.
        found += self.db.households.find(query, {"periods": 1}).limit(limit * SEARCH_READ_FACTOR)
        units = set(unit_ids)
        codes = sorted({d["_id"] for d in found if d and counting.lived_in(d["periods"], units)})
        return [_household(d) for d in map(self._document, codes[:limit]) if d]

    def save_household(
        self, household: Household, entry: AuditEntry, event: Event | None = None
    ) -> None:
        """Create or update a household with its audit entry (and event), in one write."""
        fields = _household_document(household)
        del fields["_id"]
        items = [event_item(event)] if event else []
        before = self.db.households.find_one_and_update(
            {"_id": household.code},
            set_with_pending(fields, [*items, audit_item(entry)]),
            projection={"periods": 1},
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        self._count(counting.difference(before["periods"] if before else [], fields["periods"]))

    def save_electorate(self, electorate: Electorate) -> Electorate:
        """Keep a frozen electorate; the first one saved under a reference wins."""
        document = electorate.model_dump(mode="json", exclude={"reference"})
        try:
            self.db.electorates.insert_one({"_id": electorate.reference, **document})
        except DuplicateKeyError:
            earlier = self.get_electorate(electorate.reference)
            assert earlier is not None
            return earlier
        return electorate

    def get_electorate(self, reference: str) -> Electorate | None:
        document = self.db.electorates.find_one({"_id": reference})
        if document is None:
            return None
        document["reference"] = document.pop("_id")
        return Electorate.model_validate(document)

    def save_unit(self, unit: AdministrativeUnit) -> None:
        """Create or update a unit with a known id (registration is idempotent); what
        else its document carries (pending events, the succession that ended it) stays."""
        fields = _unit_document(unit)
        del fields["_id"]
        try:
            self.db.units.update_one({"_id": unit.id}, {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            raise Conflict(fields={"name": _("Đã có đơn vị cùng tên ở cấp này.")}) from None

    def add_unit(
        self, unit: AdministrativeUnit, event: Event, entry: AuditEntry
    ) -> AdministrativeUnit:
        """Store a new unit with its event and audit entry, in one write; a repeat of
        the same request (same id) returns the unit stored the first time."""
        document = with_pending(_unit_document(unit), [event_item(event), audit_item(entry)])
        try:
            self.db.units.insert_one(document)
        except DuplicateKeyError:
            earlier = self.get_unit(unit.id)
            if earlier is not None and earlier.parent_id == unit.parent_id:
                return earlier
            raise Conflict(
                fields={"name": _("Đã có đơn vị tên “{name}”.").format(name=unit.name)}
            ) from None
        return unit

    def end_unit(self, unit_id: str, on: date, succession_id: str) -> bool:
        """End a unit on `on` for a succession, unless another one ended it first;
        whether this succession is (now) the one that ended it."""
        self.db.units.update_one(
            {"_id": unit_id, "valid_to": None},
            {"$set": {"valid_to": on.isoformat(), "ended_by": succession_id}},
        )
        return self.db.units.find_one({"_id": unit_id, "ended_by": succession_id}) is not None

    def reopen_unit(self, unit_id: str, succession_id: str) -> None:
        """Undo end_unit (for an abandoned succession)."""
        self.db.units.update_one(
            {"_id": unit_id, "ended_by": succession_id},
            {"$set": {"valid_to": None}, "$unset": {"ended_by": ""}},
        )

    def insert_unit(self, unit: AdministrativeUnit) -> bool:
        """Store a successor unit; False if a current unit of its parent has its name."""
        try:
            self.db.units.insert_one(_unit_document(unit))
        except DuplicateKeyError:
            return self.db.units.find_one({"_id": unit.id}) is not None  # stored before
        return True

    def delete_unit(self, unit_id: str) -> None:
        """Remove a successor of an abandoned succession (no household ever lived there)."""
        self.db.units.delete_one({"_id": unit_id})

    def households_staying(self, unit_ids: list[str], on: date) -> list[Household]:
        """Households that lived, active, in one of `unit_ids` on or after `on`."""
        wanted, day = set(unit_ids), on.isoformat()
        found = self._candidates(unit_ids, on)
        return [_household(d) for d in found if counting.stays_after(d["periods"], wanted, day)]

    def residents(self, unit_ids: list[str], limit: int) -> list[Household]:
        """Households living, active, in one of `unit_ids` now (their open period)."""
        found = []
        for document in self._candidates(unit_ids, None):
            now = document["periods"][-1]
            if now["status"] == HouseholdStatus.ACTIVE.value and now["end"] == OPEN_END:
                found.append(_household(document))
                if len(found) == limit:
                    break
        return found

    def replace_periods(self, before: Household, after: Household) -> bool:
        """Store `after`'s periods if the household's history is still `before`'s
        length (no one changed it meanwhile); whether it was stored."""
        periods = _household_document(after)["periods"]
        earlier = self.db.households.find_one_and_update(
            {"_id": before.code, "periods": {"$size": len(before.periods)}},
            {"$set": {"periods": periods, **_placement(periods)}},
            projection={"periods": 1},
            return_document=ReturnDocument.BEFORE,
        )
        if earlier is None or earlier["periods"] == periods:
            return False
        self._count(counting.difference(earlier["periods"], periods))
        return True

    def carried_over(
        self, ended_ids: list[str], successor_ids: list[str], on: date
    ) -> dict[str, list[str]]:
        """Successor id → codes of the households that left an ended unit for it on `on`."""
        day, ended = on.isoformat(), set(ended_ids)
        carried: dict[str, list[str]] = {unit_id: [] for unit_id in successor_ids}
        # A household carried on `on` still lives in a successor, or moved on since.
        found = sorted(self._candidates(successor_ids, on, {"periods": 1}), key=lambda d: d["_id"])
        for document in found:
            periods = document["periods"]
            if not any(p["unit_id"] in ended and p["end"] == day for p in periods):
                continue
            for period in periods:
                if period["start"] == day and period["unit_id"] in carried:
                    carried[period["unit_id"]].append(document["_id"])
        return carried
