"""Staff accounts, sessions and the audit log in the directory's database.

staff_accounts: {_id: username, full_name, password_hash, roles: [{role, unit_id}],
                 failed_sign_ins, locked_until}
staff_sessions: {_id: session id, username, expires_at}: deleted once expired, by a TTL
                index (MongoDB's TTL monitor sweeps every minute; the embedded mongoeco
                server has no monitor and deletes them whenever the collection is read)
audit_log:      {at, actor, action, target, commune_id, before, after}: only ever inserted,
                by the outbox relay (shared/chassis.py) from the changed document
"""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import Store, audit_item, set_with_pending, utcnow, with_pending
from shared.contracts.staff import AuditEntry, Role, StaffAccount
from shared.errors import Conflict
from shared.i18n import _


def account_of(record: dict[str, Any]) -> StaffAccount:
    return StaffAccount(
        username=record["_id"], full_name=record["full_name"], roles=record["roles"]
    )


class StaffRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.staff_accounts.create_index([("roles.role", ASCENDING)])
        database.staff_sessions.create_index([("username", ASCENDING)])
        database.staff_sessions.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    def account_record(self, username: str) -> dict[str, Any] | None:
        return self.db.staff_accounts.find_one({"_id": username})

    def has_system_admin(self) -> bool:
        return self.db.staff_accounts.find_one({"roles.role": Role.SYSTEM_ADMIN.value}) is not None

    def add_account(self, account: StaffAccount, password_hash: str, entry: AuditEntry) -> None:
        document = {
            "_id": account.username,
            "full_name": account.full_name,
            "roles": [grant.model_dump(mode="json") for grant in account.roles],
            "password_hash": password_hash,
            "failed_sign_ins": 0,
            "locked_until": None,
        }

        try:
            self.db.staff_accounts.insert_one(with_pending(document, [audit_item(entry)]))
        except DuplicateKeyError:
            raise Conflict(fields={"username": _("Tên đăng nhập này đã có người dùng.")}) from None

    def set_roles(self, account: StaffAccount, entry: AuditEntry) -> None:
        roles = [grant.model_dump(mode="json") for grant in account.roles]
        self.db.staff_accounts.update_one(
            {"_id": account.username}, set_with_pending({"roles": roles}, [audit_item(entry)])
        )

    def accounts_in(self, unit_ids: list[str]) -> list[StaffAccount]:
        cursor = self.db.staff_accounts.find({"roles.unit_id": {"$in": unit_ids}}).sort("_id")
        return [account_of(record) for record in cursor]

    def set_sign_in_failures(
        self, username: str, failures: int, locked_until: datetime | None
    ) -> None:
        self.db.staff_accounts.update_one(
            {"_id": username},
            {"$set": {"failed_sign_ins": failures, "locked_until": locked_until}},
        )

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.db.staff_accounts.update_one(
            {"_id": username}, {"$set": {"password_hash": password_hash}}
        )

    def open_session(self, session_id: str, username: str, expires_at: datetime) -> None:
        self.db.staff_sessions.insert_one(
            {"_id": session_id, "username": username, "expires_at": expires_at}
        )

    def session_record(self, session_id: str) -> dict[str, Any] | None:
        # The TTL monitor may leave an expired session for up to a minute.
        return self.db.staff_sessions.find_one({"_id": session_id, "expires_at": {"$gt": utcnow()}})

    def close_session(self, session_id: str) -> None:
        self.db.staff_sessions.delete_one({"_id": session_id})
