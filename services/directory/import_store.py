"""Household imports in the directory's database.

imports:        {_id: import id, commune_id, actor, filename, created_at, status, ...the
                 ImportSummary fields, chunk_count}
import_chunks:  {_id: "<import id>:<index>", import_id, data: bytes}: the uploaded file
import_checked: the same, the table as CSV once checked: applying reads and checks it
                again against the registry as it is then; both go once applied
Every step changes `status` only from the step before it, so a repeated request
or a redelivered event does a step at most once.
"""

from contextlib import suppress
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import Store, event_item, set_with_pending, utcnow, without_pending
from shared.contracts.common import Event
from shared.contracts.imports import ImportStatus, ImportSummary

EXTRA_FIELDS = ("chunk_count",)
CHECKED_KEPT = timedelta(days=7)


def _summary(document: dict[str, Any]) -> ImportSummary:
    document = without_pending(document)
    document["import_id"] = document.pop("_id")
    for name in EXTRA_FIELDS:
        document.pop(name, None)
    return ImportSummary.model_validate(document)


class ImportRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.imports.create_index([("commune_id", ASCENDING), ("created_at", DESCENDING)])
        database.import_chunks.create_index([("import_id", ASCENDING)])
        database.import_checked.create_index([("import_id", ASCENDING)])
        # A report nobody applied within CHECKED_KEPT is dropped; the file can be sent again.
        database.import_checked.create_index(
            [("checked_at", ASCENDING)], expireAfterSeconds=int(CHECKED_KEPT.total_seconds())
        )

    def create_import(self, summary: ImportSummary, chunk_count: int) -> ImportSummary:
        """Store a new import; the same id again gives back the one stored first."""
        document = summary.model_dump(mode="json", exclude={"import_id"})
        document["created_at"] = summary.created_at
        with suppress(DuplicateKeyError):  # the same form, submitted again
            self.db.imports.insert_one(
                {"_id": summary.import_id, **document, "chunk_count": chunk_count}
            )
        stored = self.get_import(summary.import_id)
        assert stored is not None
        return stored

    def get_import(self, import_id: str) -> ImportSummary | None:
        document = self.db.imports.find_one({"_id": import_id})
        return _summary(document) if document else None

    def import_field(self, import_id: str, name: str) -> Any:
        document = self.db.imports.find_one({"_id": import_id}, {name: 1})
        return document.get(name) if document else None

    def list_imports(self, commune_id: str, limit: int) -> list[ImportSummary]:
        cursor = self.db.imports.find({"commune_id": commune_id}, {"problems": 0})
        return [_summary(d) for d in cursor.sort("created_at", DESCENDING).limit(limit)]

    def save_chunk(self, import_id: str, index: int, data: bytes) -> None:
        self.db.import_chunks.replace_one(
            {"_id": f"{import_id}:{index:03d}"},
            {"import_id": import_id, "data": data},
            upsert=True,
        )

    def keep_checked_table(self, import_id: str, content: bytes) -> None:
        """The checked table as CSV, which the apply step reads again (documents of
        4 MB, well under MongoDB's 16 MB)."""
        step, now = 4 << 20, utcnow()
        for index, start in enumerate(range(0, len(content), step)):
            self.db.import_checked.replace_one(
                {"_id": f"{import_id}:{index:03d}"},
                {"import_id": import_id, "data": content[start : start + step], "checked_at": now},
                upsert=True,
            )

    def has_checked_table(self, import_id: str) -> bool:
        """Still kept: MongoDB's TTL monitor may delete a minute late."""
        fresh = {"import_id": import_id, "checked_at": {"$gt": utcnow() - CHECKED_KEPT}}
        return self.db.import_checked.find_one(fresh, {"_id": 1}) is not None

    def checked_table(self, import_id: str) -> bytes:
        chunks = self.db.import_checked.find({"import_id": import_id}).sort("_id")
        return b"".join(chunk["data"] for chunk in chunks)

    def uploaded_chunks(self, import_id: str) -> int:
        return self.db.import_chunks.count_documents({"import_id": import_id})

    def uploaded_file(self, import_id: str) -> bytes:
        chunks = self.db.import_chunks.find({"import_id": import_id}).sort("_id")
        return b"".join(chunk["data"] for chunk in chunks)

    def advance(
        self,
        import_id: str,
        from_status: ImportStatus,
        to_status: ImportStatus,
        fields: dict[str, Any] | None = None,
        event: Event | None = None,
        audit: dict[str, Any] | None = None,
    ) -> bool:
        """Move an import on from `from_status`, with its event or audit entry (an
        `audit_item`) in the same write; False if it was not in `from_status` (the
        step was done already)."""
        fields = {"status": to_status.value, **(fields or {})}
        items = ([event_item(event)] if event else []) + ([audit] if audit else [])
        update = set_with_pending(fields, items) if items else {"$set": fields}
        result = self.db.imports.update_one({"_id": import_id, "status": from_status}, update)
        return result.modified_count == 1

    def note_progress(self, import_id: str, fields: dict[str, Any]) -> None:
        self.db.imports.update_one(
            {"_id": import_id, "status": ImportStatus.APPLYING}, {"$set": fields}
        )

    def forget_upload(self, import_id: str) -> None:
        self.db.import_chunks.delete_many({"import_id": import_id})

    def forget_file(self, import_id: str) -> None:
        self.forget_upload(import_id)
        self.db.import_checked.delete_many({"import_id": import_id})
