"""The notifications service's documents in MongoDB.

staff_notices: {_id: id of the event that caused it, commune_id, title, body, created_at}
"""

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.notifications.board_store import BoardRecords
from services.notifications.messaging_store import MessagingRecords
from shared.chassis import Store
from shared.contracts.notifications import StaffNotice


def _notice(document: dict[str, Any]) -> StaffNotice:
    document = dict(document)
    document["id"] = document.pop("_id")
    return StaffNotice.model_validate(document)


class NotificationsStore(MessagingRecords, BoardRecords, Store):
    # documents whose write carries an event or an audit entry (shared/chassis.py)
    OUTBOX_COLLECTIONS = ("disclosures", "messages", "deliveries")

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.staff_notices.create_index([("commune_id", ASCENDING), ("created_at", DESCENDING)])

    def add_notice(self, notice: StaffNotice) -> bool:
        """Store a notice once; False if it was already there (a redelivered event)."""
        document = notice.model_dump(exclude={"id"})
        try:
            self.db.staff_notices.insert_one({"_id": notice.id, **document})
        except DuplicateKeyError:
            return False
        return True

    def latest_notices(self, commune_id: str, limit: int) -> list[StaffNotice]:
        cursor = (
            self.db.staff_notices.find({"commune_id": commune_id})
            .sort("created_at", DESCENDING)
            .limit(limit)
        )
        return [_notice(document) for document in cursor]
