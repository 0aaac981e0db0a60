"""Renames, merges and splits of residential units in the directory's database.

unit_successions: {_id: succession id, kind, commune_id, on, from_unit_ids, to_unit_ids,
                   decision, actor, ended: [units], created: [units], successors: [units],
                   assignment: {household code: successor id}, state, claimed_until,
                   reason (why it was abandoned), recorded_at}
state: "applying" → "done" (its event and audit entry then wait in its outbox) or
"abandoned" (a name or unit was taken meanwhile, and what was done was undone).
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.directory.succession import Plan
from shared.chassis import Store, audit_item, event_item, set_with_pending, utcnow
from shared.contracts.common import Event
from shared.contracts.directory import AdministrativeUnit, UnitSuccession
from shared.contracts.staff import AuditEntry

APPLYING, DONE, ABANDONED = "applying", "done", "abandoned"
# Left alone this long by the relay timer while the request that began it carries it
# out; after that the request is taken to have died and the timer finishes its work.
CLAIM = timedelta(seconds=60)
UNIT_LISTS = ("ended", "created", "successors")


def _units(documents: list[dict[str, Any]]) -> list[AdministrativeUnit]:
    return [AdministrativeUnit.model_validate(d) for d in documents]


def _plan(document: dict[str, Any]) -> Plan:
    fields = UnitSuccession.model_fields
    return Plan(
        succession=UnitSuccession.model_validate(
            {k: v for k, v in document.items() if k in fields} | {"id": document["_id"]}
        ),
        assignment=document["assignment"],
        **{name: _units(document[name]) for name in UNIT_LISTS},
    )


class SuccessionRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.unit_successions.create_index([("commune_id", ASCENDING), ("on", ASCENDING)])
        database.unit_successions.create_index([("state", ASCENDING)])

    def begin_succession(self, plan: Plan) -> tuple[Plan, str]:
        """Record a checked plan before any of it is carried out; the same request
        again (same id) gets the plan recorded the first time, and its state."""
        document = {
            **plan.succession.model_dump(mode="json", exclude={"id"}),
            "_id": plan.succession.id,
            **{
                name: [u.model_dump(mode="json") for u in getattr(plan, name)]
                for name in UNIT_LISTS
            },
            "assignment": plan.assignment,
            "state": APPLYING,
            "claimed_until": utcnow() + CLAIM,
            "recorded_at": utcnow(),
        }
        try:
            self.db.unit_successions.insert_one(document)
        except DuplicateKeyError:
            earlier = self.succession_record(plan.succession.id)
            assert earlier is not None
            return earlier
        return plan, APPLYING

    def succession_record(self, succession_id: str) -> tuple[Plan, str] | None:
        document = self.db.unit_successions.find_one({"_id": succession_id})
        return (_plan(document), document["state"]) if document else None

    def abandon_reason(self, succession_id: str) -> str:
        document = self.db.unit_successions.find_one({"_id": succession_id}, {"reason": 1})
        return (document or {}).get("reason", "")

    def finish_succession(self, succession_id: str, event: Event, entry: AuditEntry) -> None:
        """Mark a carried-out change done, with its event and audit entry in its
        outbox, in one write; a second finisher finds it done and adds nothing."""
        self.db.unit_successions.update_one(
            {"_id": succession_id, "state": APPLYING},
            set_with_pending({"state": DONE}, [event_item(event), audit_item(entry)]),
        )

    def abandon_succession(self, succession_id: str, reason: str) -> None:
        self.db.unit_successions.update_one(
            {"_id": succession_id, "state": APPLYING},
            {"$set": {"state": ABANDONED, "reason": reason}},
        )

    def claim_interrupted_successions(self) -> Iterator[Plan]:
        """Changes whose request died midway, each claimed for CLAIM at a time."""
        while True:
            now = utcnow()
            document = self.db.unit_successions.find_one_and_update(
                {"state": APPLYING, "claimed_until": {"$lte": now}},
                {"$set": {"claimed_until": now + CLAIM}},
                return_document=ReturnDocument.AFTER,
            )
            if document is None:
                return
            yield _plan(document)

    def successions_in(self, commune_id: str) -> list[UnitSuccession]:
        """The changes carried out in a commune, oldest first."""
        cursor = self.db.unit_successions.find({"commune_id": commune_id, "state": DONE})
        return [_plan(d).succession for d in cursor.sort("on", ASCENDING)]
