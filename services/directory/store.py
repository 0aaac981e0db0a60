"""The directory's documents in MongoDB.

units:       {_id, kind, name, name_key, parent_id, local_label, valid_from, valid_to,
              ended_by: the succession that ended it, if one did}
households:  {_id: household code, address, representative_name, members: [...],
              periods: [{unit_id, status, start, end}],  (an open period ends OPEN_END)
              imported_by: the import that created it, if one did}
electorates: {_id: reference, unit_id, as_of, household_codes, created_at}
Dates are stored as ISO strings ("2025-07-01"), which sort and compare as dates.
"""

import re
from contextlib import suppress
from datetime import date
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.directory.domain import name_key
from services.directory.import_store import ImportRecords
from services.directory.staff_store import StaffRecords
from services.directory.succession_store import SuccessionRecords
from shared.chassis import audit_item, event_item, set_with_pending, with_pending, without_pending
from shared.contracts.common import Event
from shared.contracts.directory import AdministrativeUnit, UnitKind
from shared.contracts.households import Electorate, Household, HouseholdStatus, normalize_phone
from shared.contracts.staff import AuditEntry
from shared.errors import Conflict

OPEN_END = "9999-12-31"  # an open period's end, so "end > day" needs no null test


def _household_document(household: Household) -> dict[str, Any]:
    document = household.model_dump(mode="json", exclude={"code"})
    for period in document["periods"]:
        period["end"] = period["end"] or OPEN_END
    names = [household.representative_name, *(member.name for member in household.members)]
    # name_key: searching "nguyễn văn" finds "Nguyễn  Văn An", whatever its case or spacing
    return {"_id": household.code, **document, "name_keys": [name_key(n) for n in names]}


def _household(document: dict[str, Any]) -> Household:
    document = without_pending(document)
    document["code"] = document.pop("_id")
    document.pop("name_keys", None)
    document.pop("imported_by", None)
    document["periods"] = [
        {**period, "end": None if period["end"] == OPEN_END else period["end"]}
        for period in document["periods"]
    ]
    return Household.model_validate(document)


def _active_period(unit_ids: list[str], day: date) -> dict[str, Any]:
    """A period in which a household counted in one of `unit_ids` on `day`."""
    return {
        "unit_id": {"$in": unit_ids},
        "status": HouseholdStatus.ACTIVE.value,
        "start": {"$lte": day.isoformat()},
        "end": {"$gt": day.isoformat()},
    }


def _active_on(unit_ids: list[str], day: date) -> dict[str, Any]:
    return {"periods": {"$elemMatch": _active_period(unit_ids, day)}}


def _unit_document(unit: AdministrativeUnit) -> dict[str, Any]:
    document = unit.model_dump(mode="json", exclude={"id"})
    return {"_id": unit.id, "name_key": name_key(unit.name), **document}


def _unit(document: dict[str, Any]) -> AdministrativeUnit:
    document = without_pending(document)
    document["id"] = document.pop("_id")
    document.pop("name_key", None)
    document.pop("ended_by", None)
    return AdministrativeUnit.model_validate(document)


class DirectoryStore(SuccessionRecords, ImportRecords, StaffRecords):
    OUTBOX_COLLECTIONS = ("units", "households", "staff_accounts", "imports", "unit_successions")

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

    def get_unit(self, unit_id: str) -> AdministrativeUnit | None:
        document = self.db.units.find_one({"_id": unit_id})
        return _unit(document) if document else None

    def children(self, parent_id: str) -> list[AdministrativeUnit]:
        return [_unit(d) for d in self.db.units.find({"parent_id": parent_id}).sort("name_key")]

    def units_of_kinds(self, kinds: set[UnitKind]) -> list[AdministrativeUnit]:
        query = {"kind": {"$in": [kind.value for kind in kinds]}}
        return [_unit(d) for d in self.db.units.find(query).sort("name_key")]

    def household_counts(self, unit_ids: list[str], day: date) -> dict[str, int]:
        """Active households of each unit on `day`."""
        pipeline = [
            {"$match": _active_on(unit_ids, day)},
            {"$unwind": "$periods"},
            {"$match": {f"periods.{k}": v for k, v in _active_period(unit_ids, day).items()}},
            {"$group": {"_id": "$periods.unit_id", "count": {"$sum": 1}}},
        ]
        counts = {row["_id"]: row["count"] for row in self.db.households.aggregate(pipeline)}
        return {unit_id: counts.get(unit_id, 0) for unit_id in unit_ids}

    def count_households(self, unit_ids: list[str], day: date) -> int:
        return self.db.households.count_documents(_active_on(unit_ids, day))

    def list_households(
        self, unit_ids: list[str], day: date, skip: int = 0, limit: int = 0
    ) -> list[Household]:
        cursor = self.db.households.find(_active_on(unit_ids, day)).sort("_id").skip(skip)
        return [_household(d) for d in cursor.limit(limit)]

    def household_codes(self, unit_ids: list[str], day: date) -> list[str]:
        cursor = self.db.households.find(_active_on(unit_ids, day), {"_id": 1}).sort("_id")
        return [d["_id"] for d in cursor]

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
        try:
            self.db.households.insert_many(documents, ordered=False)
        except BulkWriteError as failure:
            errors = failure.details["writeErrors"]
            if any(error["code"] != 11000 for error in errors):
                raise
            return {documents[error["index"]]["_id"] for error in errors}
        return set()

    def count_imported(self, import_id: str) -> int:
        return self.db.households.count_documents({"imported_by": import_id})

    def households_with_phone(self, phone: str) -> list[Household]:
        return [_household(d) for d in self.db.households.find({"members.phone": phone})]

    def search_households(self, unit_ids: list[str], text: str, limit: int) -> list[Household]:
        """Households that ever lived in `unit_ids` whose code is `text`, a member of
        which has the phone number `text`, or whose names contain `text`."""
        wanted: list[dict[str, Any]] = [
            {"_id": text.strip().upper()},
            {"name_keys": {"$regex": re.escape(name_key(text))}},
        ]
        with suppress(ValueError):
            wanted.append({"members.phone": normalize_phone(text)})
        query = {"periods.unit_id": {"$in": unit_ids}, "$or": wanted}
        return [_household(d) for d in self.db.households.find(query).sort("_id").limit(limit)]

    def save_household(
        self, household: Household, entry: AuditEntry, event: Event | None = None
    ) -> None:
        """Create or update a household with its audit entry (and event), in one write."""
        fields = _household_document(household)
        del fields["_id"]
        items = [event_item(event)] if event else []
        self.db.households.update_one(
            {"_id": household.code},
            set_with_pending(fields, [*items, audit_item(entry)]),
            upsert=True,
        )

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
            raise Conflict(fields={"name": "Đã có đơn vị cùng tên ở cấp này."}) from None

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
            raise Conflict(fields={"name": f"Đã có đơn vị tên “{unit.name}”."}) from None
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
        period = {
            "unit_id": {"$in": unit_ids},
            "status": HouseholdStatus.ACTIVE.value,
            "end": {"$gt": on.isoformat()},
        }
        cursor = self.db.households.find({"periods": {"$elemMatch": period}})
        return [_household(d) for d in cursor]

    def residents(self, unit_ids: list[str], limit: int) -> list[Household]:
        """Households living, active, in one of `unit_ids` now (their open period)."""
        period = {
            "unit_id": {"$in": unit_ids},
            "status": HouseholdStatus.ACTIVE.value,
            "end": OPEN_END,
        }
        cursor = self.db.households.find({"periods": {"$elemMatch": period}}).limit(limit)
        return [_household(d) for d in cursor]

    def replace_periods(self, before: Household, after: Household) -> bool:
        """Store `after`'s periods if the household's history is still `before`'s
        length (no one changed it meanwhile); whether it was stored."""
        periods = _household_document(after)["periods"]
        done = self.db.households.update_one(
            {"_id": before.code, "periods": {"$size": len(before.periods)}},
            {"$set": {"periods": periods}},
        )
        return done.modified_count == 1

    def carried_over(
        self, ended_ids: list[str], successor_ids: list[str], on: date
    ) -> dict[str, list[str]]:
        """Successor id → codes of the households that left an ended unit for it on `on`."""
        day = on.isoformat()
        query = {
            "$and": [
                {"periods": {"$elemMatch": {"unit_id": {"$in": ended_ids}, "end": day}}},
                {"periods": {"$elemMatch": {"unit_id": {"$in": successor_ids}, "start": day}}},
            ]
        }
        carried: dict[str, list[str]] = {unit_id: [] for unit_id in successor_ids}
        for household in map(_household, self.db.households.find(query).sort("_id")):
            for period in household.periods:
                if period.start == on and period.unit_id in carried:
                    carried[period.unit_id].append(household.code)
        return carried
