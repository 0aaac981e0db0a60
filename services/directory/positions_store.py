"""Who holds the positions to be trained, in the directory's database
(shared/contracts/positions.py).

holdings: {_id: holding id, commune_id, unit_id, position, person_id, person: {...},
           starts_on, ends_on: the day its holder left, null while held}
An entered holding's id is its form's request_id (a repeat finds it); a role's is
derived from the account, position, unit and first day (see role_holding_id), so
granting the same role twice opens one. person_id is kept at the top level, where
the embedded server reads an index. Dates are ISO strings, as in store.py.
An imported holding's id is derived from the commune, household, name, position and
unit (import_positions.import_holding_id): the same file again opens none twice.
"""

import hashlib
from contextlib import suppress
from datetime import date
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.directory.staff_store import account_of
from shared.calendar import vietnam_day
from shared.chassis import (
    Store,
    audit_item,
    set_with_pending,
    utcnow,
    with_pending,
    without_pending,
)
from shared.contracts.directory import COMMUNE_LEVEL_KINDS
from shared.contracts.positions import (
    POSITION_OF_ROLE,
    Holding,
    Person,
    Position,
    account_person,
)
from shared.contracts.staff import AuditEntry, StaffAccount

ROLE_POSITIONS = frozenset(POSITION_OF_ROLE.values())


def _document(holding: Holding) -> dict[str, Any]:
    fields = holding.model_dump(mode="json", exclude={"holding_id"})
    return {"_id": holding.holding_id, "person_id": holding.person.person_id, **fields}


def _holding(document: dict[str, Any]) -> Holding:
    document = without_pending(document)
    document["holding_id"] = document.pop("_id")
    document.pop("person_id", None)
    return Holding.model_validate(document)


def role_holding_id(username: str, position: Position, unit_id: str, starts_on: date) -> str:
    """The same grant on the same day gives the same id: a repeat opens nothing new.
    By position, not role: commune_admin and commune_staff are one commune official."""
    key = f"{username}\n{position.value}\n{unit_id}\n{starts_on.isoformat()}"
    return "role-" + hashlib.sha256(key.encode()).hexdigest()[:32]


class PositionRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.holdings.create_index([("commune_id", ASCENDING), ("position", ASCENDING)])
        database.holdings.create_index([("person_id", ASCENDING)])
        cls(database.client, database).open_missing_role_holdings()

    def open_missing_role_holdings(self) -> None:
        """Accounts whose roles hold no position yet (made before positions were
        recorded, or a crash between a role change and its holding) get them now,
        from today: at start, over the staff accounts (a commune's few hundred)."""
        today = vietnam_day(utcnow())
        roles = [role.value for role in POSITION_OF_ROLE]
        for record in self.db.staff_accounts.find({"roles.role": {"$in": roles}}):
            account = account_of(record)
            if not self.db.holdings.find_one({"person_id": account_person(account.username)}):
                self.follow_roles(account, today)

    def follow_roles(self, account: StaffAccount, today: date) -> None:
        """Make the account's open role holdings match its roles: open what a role
        now gives, close what no role gives any more (today is the day they left).
        Safe to repeat, so a role change sent again repairs one that failed halfway."""
        person_id = account_person(account.username)
        wanted = {
            (POSITION_OF_ROLE[grant.role], grant.unit_id)
            for grant in account.roles
            if grant.role in POSITION_OF_ROLE and grant.unit_id
        }
        held = [
            h
            for h in self.holdings_of(person_id)
            if h.position in ROLE_POSITIONS and h.ends_on is None
        ]
        for holding in held:
            if (holding.position, holding.unit_id) not in wanted:
                self.close_role_holding(holding.holding_id, today)
        person = Person(person_id=person_id, full_name=account.full_name, username=account.username)
        for position, unit_id in wanted - {(h.position, h.unit_id) for h in held}:
            unit = self.db.units.find_one({"_id": unit_id}, {"kind": 1, "parent_id": 1})
            if unit is None:
                continue  # check_grant refused a grant on a unit that does not exist
            commune_id = unit_id if unit["kind"] in COMMUNE_LEVEL_KINDS else unit["parent_id"]
            holding = Holding(
                holding_id=role_holding_id(account.username, position, unit_id, today),
                commune_id=commune_id,
                unit_id=unit_id,
                position=position,
                person=person,
                starts_on=today,
            )
            self.open_role_holding(holding)

    def get_holding(self, holding_id: str) -> Holding | None:
        document = self.db.holdings.find_one({"_id": holding_id})
        return _holding(document) if document else None

    def add_holding(self, holding: Holding, entry: AuditEntry) -> Holding:
        """Store an entered holding with its audit entry, in one write; the same
        request again (same id) gets the holding stored the first time."""
        try:
            self.db.holdings.insert_one(with_pending(_document(holding), [audit_item(entry)]))
        except DuplicateKeyError:
            earlier = self.get_holding(holding.holding_id)
            assert earlier is not None
            return earlier
        return holding

    def end_holding(self, holding_id: str, ends_on: date, entry: AuditEntry) -> None:
        self.db.holdings.update_one(
            {"_id": holding_id},
            set_with_pending({"ends_on": ends_on.isoformat()}, [audit_item(entry)]),
        )

    def holdings_in(self, commune_id: str, positions: list[str]) -> list[Holding]:
        query: dict[str, Any] = {"commune_id": commune_id}
        if positions:
            query["position"] = {"$in": positions}
        return [_holding(d) for d in self.db.holdings.find(query)]

    def holdings_of(self, person_id: str) -> list[Holding]:
        cursor = self.db.holdings.find({"person_id": person_id}).sort("starts_on", ASCENDING)
        return [_holding(d) for d in cursor]

    def known_person(self, commune_id: str, person_id: str) -> Person | None:
        """The person as last entered in the commune, if they hold or held a position there."""
        cursor = self.db.holdings.find({"person_id": person_id}).sort("starts_on", DESCENDING)
        for document in cursor:
            if document["commune_id"] == commune_id:
                return _holding(document).person
        return None

    def update_person(self, person_id: str, fields: dict[str, Any]) -> None:
        """New contact details reach every holding of the person (one person, one phone)."""
        if fields:
            changes = {f"person.{name}": value for name, value in fields.items()}
            self.db.holdings.update_many({"person_id": person_id}, {"$set": changes})

    def open_role_holding(self, holding: Holding) -> None:
        """Open (or reopen, if the role was revoked and granted again the same day) a
        holding that follows a staff role; a repeat changes nothing."""
        fields = _document(holding)
        for name in ("_id", "ends_on"):
            del fields[name]
        with suppress(DuplicateKeyError):  # two grants at once: the other inserted it
            self.db.holdings.update_one(
                {"_id": holding.holding_id},
                {"$set": {"ends_on": None}, "$setOnInsert": fields},
                upsert=True,
            )

    def close_role_holding(self, holding_id: str, ends_on: date) -> None:
        self.db.holdings.update_one(
            {"_id": holding_id, "ends_on": None}, {"$set": {"ends_on": ends_on.isoformat()}}
        )

    def open_imported_holdings(self, holdings: list[Holding]) -> int:
        """Insert the holdings a household list names, in one batch; those stored
        already (same id: the same file applied again) are left as they are. How
        many were new."""
        if not holdings:
            return 0
        try:
            self.db.holdings.insert_many([_document(h) for h in holdings], ordered=False)
        except BulkWriteError as failure:
            errors = failure.details["writeErrors"]
            if any(error["code"] != 11000 for error in errors):
                raise
            return len(holdings) - len(errors)
        return len(holdings)
