"""A commune's API tokens in the directory's database (services/directory/api_tokens.py).

api_tokens: {_id: token id, hash: SHA-256 of the secret (the secret itself is never
             stored), commune_id, name, scope, issued_by, issued_at, revoked_by,
             revoked_at}
Issuing, revoking and each write made with a token carry their audit entry in the
token's own document write, relayed to `audit_log` (the chassis's outbox). Mixed into
DirectoryStore, whose relay covers `api_tokens` as its other collections.
"""

from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database

from shared.chassis import Store, audit_item, set_with_pending, with_pending, without_pending
from shared.contracts.api import ApiToken
from shared.contracts.staff import AuditEntry


def _token(document: dict[str, Any]) -> ApiToken:
    document = without_pending(document)
    document["id"] = document.pop("_id")
    document.pop("hash", None)
    return ApiToken.model_validate(document)


class ApiTokenRecords(Store):
    OUTBOX_COLLECTIONS = ("api_tokens",)

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.api_tokens.create_index([("hash", ASCENDING)], unique=True)
        database.api_tokens.create_index([("commune_id", ASCENDING)])

    def add_token(self, token: ApiToken, secret_hash: str, entry: AuditEntry) -> None:
        fields = token.model_dump(exclude={"id"}) | {"scope": token.scope.value}
        document = {"_id": token.id, "hash": secret_hash, **fields}
        self.db.api_tokens.insert_one(with_pending(document, [audit_item(entry)]))

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        document = self.db.api_tokens.find_one({"hash": secret_hash})
        return _token(document) if document else None

    def token(self, token_id: str) -> ApiToken | None:
        document = self.db.api_tokens.find_one({"_id": token_id})
        return _token(document) if document else None

    def tokens_of_commune(self, commune_id: str) -> list[ApiToken]:
        documents = self.db.api_tokens.find({"commune_id": commune_id})
        return sorted((_token(d) for d in documents), key=lambda t: t.issued_at, reverse=True)

    def revoke_token(self, revoked: ApiToken, entry: AuditEntry) -> ApiToken | None:
        """Revoke a token not revoked yet; None if it was (by someone else meanwhile)."""
        fields = {"revoked_by": revoked.revoked_by, "revoked_at": revoked.revoked_at}
        document = self.db.api_tokens.find_one_and_update(
            {"_id": revoked.id, "revoked_at": None},
            set_with_pending(fields, [audit_item(entry)]),
            return_document=ReturnDocument.AFTER,
        )
        return _token(document) if document else None

    def note_token_write(self, token_id: str, entry: AuditEntry) -> None:
        self.db.api_tokens.update_one({"_id": token_id}, set_with_pending({}, [audit_item(entry)]))
