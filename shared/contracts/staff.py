"""Contracts of the directory service about staff: accounts, roles scoped to
units, sessions and the audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from shared.contracts.common import Contract, Text
from shared.i18n import N_

# Usernames are not case-sensitive: "Minh " signs in as "minh".
Username = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[a-z0-9._-]{3,32}$"),
]
Password = Annotated[str, StringConstraints(min_length=12, max_length=200)]
SessionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{40,64}$")]


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"  # runs the platform; no unit
    PROVINCE_ADMIN = "province_admin"  # a province's webhooks (its own and its communes')
    COMMUNE_ADMIN = "commune_admin"  # manages a commune: its units, households, staff
    COMMUNE_STAFF = "commune_staff"  # works on a commune's units and households
    GROUP_HEAD = "group_head"  # tổ trưởng / trưởng thôn of one residential unit
    INSPECTOR = "inspector"  # Ban Thanh tra nhân dân: reads all of its commune, audit log too


ROLE_NAMES_VI = {
    Role.SYSTEM_ADMIN: N_("quản trị hệ thống"),
    Role.PROVINCE_ADMIN: N_("quản trị cấp tỉnh"),
    Role.COMMUNE_ADMIN: N_("quản trị cấp xã"),
    Role.COMMUNE_STAFF: N_("cán bộ cấp xã"),
    Role.GROUP_HEAD: N_("tổ trưởng / trưởng thôn"),
    Role.INSPECTOR: N_("thành viên Ban Thanh tra nhân dân"),
}


class RoleGrant(Contract):
    role: Role
    unit_id: str | None = None  # None only for the system administrator


class StaffAccount(Contract):
    username: str
    full_name: str
    roles: list[RoleGrant]

    @property
    def is_system_admin(self) -> bool:
        return any(grant.role == Role.SYSTEM_ADMIN for grant in self.roles)

    # Pages use these to decide what to offer; the directory service decides what
    # is allowed (services/directory/access.py).

    def holds_in(self, commune_id: str, roles: frozenset[Role]) -> bool:
        """Holds one of `roles` on this commune, or is the system administrator."""
        return any(
            grant.role == Role.SYSTEM_ADMIN or (grant.role in roles and grant.unit_id == commune_id)
            for grant in self.roles
        )

    def works_in(self, commune_id: str) -> bool:
        """May change this commune's data (access.may_edit)."""
        return self.holds_in(commune_id, frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF}))

    def oversees(self, commune_id: str) -> bool:
        """May open the commune's staff list and audit log (access.may_read_audit)."""
        return self.holds_in(commune_id, frozenset({Role.COMMUNE_ADMIN, Role.INSPECTOR}))

    def manages_staff_of(self, commune_id: str) -> bool:
        """May add accounts and grant or revoke roles (access.may_manage_staff)."""
        return self.holds_in(commune_id, frozenset({Role.COMMUNE_ADMIN}))

    def administers_province(self, province_id: str | None) -> bool:
        """May manage the province's webhooks and its communes' (webhooks domain
        may_manage_webhooks): its province administrator or the system administrator."""
        return self.is_system_admin or any(
            province_id is not None
            and grant.role == Role.PROVINCE_ADMIN
            and grant.unit_id == province_id
            for grant in self.roles
        )


class CreateAccount(Contract):
    """`directory.create_account`, by `actor` (a username)."""

    actor: Text
    username: Username
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    password: Password
    roles: list[RoleGrant] = Field(min_length=1)


class ChangeRole(Contract):
    """`directory.grant_role` and `directory.revoke_role`, by `actor`."""

    actor: Text
    username: Username
    grant: RoleGrant


class ListAccounts(Contract):
    """`directory.list_accounts`: who holds a role in a commune or one of its units;
    for its administrators and People's Inspection Board."""

    actor: Text
    commune_id: Text


class AccountList(Contract):
    accounts: list[StaffAccount]


class RolesInUnit(Contract):
    """`directory.roles_in_unit`: which roles `username` holds over a unit (on the
    unit, on its commune, or as system administrator). For other services, e.g.
    to check that a group head enters the paper tally of their own group."""

    username: Username
    unit_id: Text


class UnitRoles(Contract):
    username: str
    unit_id: str
    roles: list[Role]


class SignIn(Contract):
    """`directory.sign_in`: a session for the right password, until `expires_at`."""

    username: Username
    password: Annotated[str, StringConstraints(max_length=200)]


class StaffSession(Contract):
    session_id: str
    account: StaffAccount
    expires_at: datetime


class SessionRef(Contract):
    """`directory.check_session` and `directory.sign_out`."""

    session_id: SessionId


class BootstrapAdmin(Contract):
    """`directory.bootstrap_admin`: create the first system administrator, once."""

    username: Username = "admin"
    password: Password


class AuditEntry(Contract):
    at: datetime
    actor: str
    action: str
    target: str
    commune_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ListAudit(Contract):
    """`directory.list_audit`: newest first, what `actor` may see."""

    actor: Text
    commune_id: Text
    limit: int = Field(default=50, ge=1, le=500)


class AuditLog(Contract):
    entries: list[AuditEntry]


class RoleHolders(Contract):
    """`directory.role_holders`: who holds `role` (any role, if None) in a commune or
    one of its units."""

    commune_id: Text
    role: Role | None = None


class Usernames(Contract):
    usernames: list[str]
