"""The directory service's entrypoints for staff: accounts, roles, sign-in and
sessions, the audit log. Mixed into DirectoryService (one service, one queue)."""

import secrets
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from eventlet import tpool

from services.directory import access
from services.directory.staff_store import account_of
from services.directory.store import DirectoryStore
from shared.chassis import audit_entry, utcnow
from shared.contracts.directory import COMMUNE_LEVEL_KINDS
from shared.contracts.staff import (
    AccountList,
    AuditEntry,
    AuditLog,
    BootstrapAdmin,
    ChangeRole,
    CreateAccount,
    ListAccounts,
    ListAudit,
    Role,
    RoleGrant,
    RoleHolders,
    RolesInUnit,
    SessionRef,
    SignIn,
    StaffAccount,
    StaffSession,
    UnitRoles,
    Usernames,
)
from shared.errors import (
    WIRE_ERRORS,
    AccountLocked,
    Forbidden,
    InvalidInput,
    NotFound,
    NotSignedIn,
    parse,
)
from shared.i18n import _
from shared.queues import rpc

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both cases take the same time.
DUMMY_HASH = HASHER.hash("no such account, but as slow to check")


class StaffEntrypoints:
    store: DirectoryStore
    dispatch: Any  # DirectoryService's EventDispatcher
    # PositionEntrypoints': a role that is a position opens or closes its holding.
    _follow_roles: Callable[[StaffAccount], None]

    def _relay(self, username: str) -> None:
        """Append the account change's audit entry to the log now."""
        self.store.relay_events(self.dispatch, only=("staff_accounts", username))

    # Argon2 is deliberately slow: run it off the eventlet hub so heartbeats keep
    # flowing (nameko-notes: CPU work goes to eventlet.tpool).
    @staticmethod
    def _hash(password: str) -> str:
        return tpool.execute(HASHER.hash, password)

    @staticmethod
    def _verify(password_hash: str, password: str) -> bool:
        try:
            return tpool.execute(HASHER.verify, password_hash, password)
        except VerificationError:
            return False

    @rpc(expected_exceptions=WIRE_ERRORS)
    def bootstrap_admin(self, payload: dict) -> dict:
        """Create the first system administrator; do nothing once one exists."""
        command = parse(BootstrapAdmin, payload)
        if self.store.has_system_admin():
            return {"created": False}
        account = StaffAccount(
            username=command.username,
            full_name="Quản trị hệ thống",  # i18n-exempt: a name, stored as typed
            roles=[RoleGrant(role=Role.SYSTEM_ADMIN)],
        )
        self.store.add_account(
            account,
            self._hash(command.password),
            self._entry(
                "system",
                "create_account",
                account.username,
                None,
                None,
                account.model_dump(mode="json"),
            ),
        )
        self._relay(account.username)
        return {"created": True}

    @rpc(expected_exceptions=WIRE_ERRORS)
    def create_account(self, payload: dict) -> dict:
        command = parse(CreateAccount, payload)
        self._check_grants(command.actor, command.roles)
        account = StaffAccount(
            username=command.username, full_name=command.full_name, roles=command.roles
        )
        self.store.add_account(
            account,
            self._hash(command.password),
            self._entry(
                command.actor,
                "create_account",
                account.username,
                self._commune_of_grants(command.roles),
                None,
                account.model_dump(mode="json"),
            ),
        )
        self._relay(account.username)
        self._follow_roles(account)
        return account.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def grant_role(self, payload: dict) -> dict:
        command = parse(ChangeRole, payload)
        before = self._account(command.username)
        if command.grant in before.roles:
            self._follow_roles(before)  # sent again: repairs a first try that failed after the role
            return before.model_dump(mode="json")
        roles = [*before.roles, command.grant]
        self._check_grants(command.actor, [command.grant], all_roles=roles)
        return self._save_roles(command, before, roles, "grant_role")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def revoke_role(self, payload: dict) -> dict:
        command = parse(ChangeRole, payload)
        before = self._account(command.username)
        if command.username == command.actor and command.grant.role in access.MANAGING_ROLES:
            # Nobody locks themselves out by mistake: another administrator does it.
            raise InvalidInput(
                fields={"role": _("Bạn không thể tự thu hồi quyền quản trị của mình.")}
            )
        self._check_grants(command.actor, [command.grant], all_roles=before.roles)
        roles = [grant for grant in before.roles if grant != command.grant]
        return self._save_roles(command, before, roles, "revoke_role")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def sign_in(self, payload: dict) -> dict:
        command = parse(SignIn, payload)
        record = self.store.account_record(command.username)
        now = utcnow()
        if record is None:
            self._verify(DUMMY_HASH, command.password)
            raise NotSignedIn()
        if record.get("locked_until") and record["locked_until"] > now:
            raise AccountLocked()
        if not self._verify(record["password_hash"], command.password):
            failures, locked_until = access.after_failed_sign_in(record["failed_sign_ins"], now)
            self.store.set_sign_in_failures(command.username, failures, locked_until)
            raise AccountLocked() if locked_until else NotSignedIn()
        self.store.set_sign_in_failures(command.username, 0, None)
        if HASHER.check_needs_rehash(record["password_hash"]):
            self.store.set_password_hash(command.username, self._hash(command.password))
        session = StaffSession(
            session_id=secrets.token_urlsafe(32),
            account=account_of(record),
            expires_at=now + access.SESSION_LIFETIME,
        )
        self.store.open_session(session.session_id, command.username, session.expires_at)
        return session.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def check_session(self, payload: dict) -> dict:
        """The session's account with its current roles, or NotSignedIn."""
        session_id = parse(SessionRef, payload).session_id
        session = self.store.session_record(session_id)
        record = self.store.account_record(session["username"]) if session else None
        if session is None or record is None:
            raise NotSignedIn()
        return StaffSession(
            session_id=session_id, account=account_of(record), expires_at=session["expires_at"]
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def sign_out(self, payload: dict) -> dict:
        self.store.close_session(parse(SessionRef, payload).session_id)
        return {"signed_out": True}

    @rpc(expected_exceptions=WIRE_ERRORS)
    def roles_in_unit(self, payload: dict) -> dict:
        query = parse(RolesInUnit, payload)
        record = self.store.account_record(query.username)
        grants = account_of(record).roles if record else []
        roles = access.roles_covering(grants, query.unit_id, self._commune_of, self._province_of)
        return UnitRoles(username=query.username, unit_id=query.unit_id, roles=roles).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def role_holders(self, payload: dict) -> dict:
        """For other services, e.g. to message every group head of a commune."""
        query = parse(RoleHolders, payload)
        unit_ids = [query.commune_id, *(u.id for u in self.store.children(query.commune_id))]
        holders = [
            account.username
            for account in self.store.accounts_in(unit_ids)
            if any(query.role in (g.role, None) and g.unit_id in unit_ids for g in account.roles)
        ]
        return Usernames(usernames=holders).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_accounts(self, payload: dict) -> dict:
        query = parse(ListAccounts, payload)
        self._require(
            query.actor,
            query.commune_id,
            access.may_read_audit,
            _("Chỉ quản trị và Ban Thanh tra nhân dân xem được danh sách cán bộ."),
        )
        unit_ids = [query.commune_id, *(u.id for u in self.store.children(query.commune_id))]
        province_id = self._province_of(query.commune_id)  # its province administrators
        unit_ids += [province_id] if province_id else []
        return AccountList(accounts=self.store.accounts_in(unit_ids)).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """Admins and People's Inspection Board members read a commune's audit log."""
        query = parse(ListAudit, payload)
        self._require(
            query.actor,
            query.commune_id,
            access.may_read_audit,
            _("Chỉ quản trị và Ban Thanh tra nhân dân xem được nhật ký thay đổi."),
        )
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    def _account(self, username: str) -> StaffAccount:
        record = self.store.account_record(username)
        if record is None:
            raise NotFound(_("Không tìm thấy tài khoản {username}.").format(username=username))
        return account_of(record)

    def _require(
        self,
        actor: str,
        unit_id: str,
        may: access.Permission,
        refusal: str = _("Bạn không có quyền với dữ liệu của xã, phường này."),
    ) -> str:
        """The commune of `unit_id`, if `actor` `may` act there; else Forbidden(refusal)."""
        commune_id = self._commune_of(unit_id)
        if commune_id is None or not may(self._account(actor).roles, commune_id, self._commune_of):
            raise Forbidden(refusal)
        return commune_id

    def _commune_of(self, unit_id: str) -> str | None:
        unit = self.store.get_unit(unit_id)
        if unit is None:
            return None
        return unit.id if unit.kind in COMMUNE_LEVEL_KINDS else unit.parent_id

    def _province_of(self, commune_id: str) -> str | None:
        commune = self.store.get_unit(commune_id)
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            return None
        return commune.parent_id

    def _commune_of_grants(self, grants: list[RoleGrant]) -> str | None:
        communes = {self._commune_of(g.unit_id) for g in grants if g.unit_id}
        return communes.pop() if len(communes) == 1 else None

    def _check_grants(
        self, actor: str, grants: list[RoleGrant], all_roles: list[RoleGrant] | None = None
    ) -> None:
        """The actor may hand out these roles, each fits its unit, and together the
        account's roles keep an inspector independent."""
        actor_roles = self._account(actor).roles
        for grant in grants:
            access.check_grant(grant, self.store.get_unit(grant.unit_id) if grant.unit_id else None)
            commune_id = self._commune_of(grant.unit_id) if grant.unit_id else None
            if not access.may_grant(actor_roles, grant, commune_id, self._commune_of):
                raise Forbidden(_("Bạn không có quyền phân vai trò này."))
        access.check_inspector_independence(all_roles or grants, self._commune_of)

    def _save_roles(
        self, command: ChangeRole, before: StaffAccount, roles: list[RoleGrant], action: str
    ) -> dict:
        after = before.model_copy(update={"roles": roles})
        self.store.set_roles(
            after,
            self._entry(
                command.actor,
                action,
                before.username,
                self._commune_of_grants([command.grant]),
                before.model_dump(mode="json"),
                after.model_dump(mode="json"),
            ),
        )
        self._relay(after.username)
        self._follow_roles(after)
        return after.model_dump(mode="json")

    @staticmethod
    def _entry(
        actor: str,
        action: str,
        target: str,
        commune_id: str | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> AuditEntry:
        return audit_entry(actor, action, target, commune_id, before=before, after=after)
