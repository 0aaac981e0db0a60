"""The directory's documents in MongoDB.

units:      {_id, kind, name, name_key, parent_id, local_label, valid_from, valid_to}
households: {_id: household code, unit_id, address, representative_name}
Dates are stored as ISO strings ("2025-07-01"), which sort and compare as dates.
"""

from typing import Any

from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.directory.domain import name_key
from shared.chassis import Store
from shared.contracts.common import Event
from shared.contracts.directory import AdministrativeUnit, RegisterHousehold, UnitKind
from shared.errors import Conflict


def _unit_document(unit: AdministrativeUnit) -> dict[str, Any]:
    document = unit.model_dump(mode="json", exclude={"id"})
    return {"_id": unit.id, "name_key": name_key(unit.name), **document}


def _unit(document: dict[str, Any]) -> AdministrativeUnit:
    document = dict(document)
    document["id"] = document.pop("_id")
    document.pop("name_key", None)
    return AdministrativeUnit.model_validate(document)


class DirectoryStore(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        # No two units of one parent share a name (compared case- and space-insensitively).
        database.units.create_index(
            [("parent_id", ASCENDING), ("name_key", ASCENDING)], unique=True, name="unique_name"
        )
        database.households.create_index([("unit_id", ASCENDING)])

    def get_unit(self, unit_id: str) -> AdministrativeUnit | None:
        document = self.db.units.find_one({"_id": unit_id})
        return _unit(document) if document else None

    def children(self, parent_id: str) -> list[AdministrativeUnit]:
        return [_unit(d) for d in self.db.units.find({"parent_id": parent_id}).sort("name_key")]

    def units_of_kinds(self, kinds: set[UnitKind]) -> list[AdministrativeUnit]:
        query = {"kind": {"$in": [kind.value for kind in kinds]}}
        return [_unit(d) for d in self.db.units.find(query).sort("name_key")]

    def household_counts(self, unit_ids: list[str]) -> dict[str, int]:
        pipeline = [
            {"$match": {"unit_id": {"$in": unit_ids}}},
            {"$group": {"_id": "$unit_id", "count": {"$sum": 1}}},
        ]
        counts = {row["_id"]: row["count"] for row in self.db.households.aggregate(pipeline)}
        return {unit_id: counts.get(unit_id, 0) for unit_id in unit_ids}

    def save_unit(self, unit: AdministrativeUnit) -> None:
        """Create or replace a unit with a known id (registration is idempotent)."""
        try:
            self.db.units.replace_one({"_id": unit.id}, _unit_document(unit), upsert=True)
        except DuplicateKeyError:
            raise Conflict(fields={"name": "Đã có đơn vị cùng tên ở cấp này."}) from None

    def add_unit(self, unit: AdministrativeUnit, event: Event) -> AdministrativeUnit:
        """Store a new unit and the event announcing it, together; a repeat of the
        same request (same id) returns the unit stored the first time."""

        def insert(session: ClientSession) -> None:
            self.db.units.insert_one(_unit_document(unit), session=session)
            self.stage_event(event, session)

        try:
            self.in_transaction(insert)
        except DuplicateKeyError:
            earlier = self.get_unit(unit.id)
            if earlier is not None and earlier.parent_id == unit.parent_id:
                return earlier
            raise Conflict(fields={"name": f"Đã có đơn vị tên “{unit.name}”."}) from None
        return unit

    def save_household(self, household: RegisterHousehold) -> None:
        document = household.model_dump(mode="json", exclude={"code"})
        self.db.households.replace_one({"_id": household.code}, document, upsert=True)
