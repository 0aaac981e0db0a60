"""Who may do what, where; sign-in lock-out. Pure rules, no I/O.

Roles are granted on units: the system administrator on none, the commune
roles on a commune (xã, phường, đặc khu), a group head on a thôn or tổ dân phố.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from shared.contracts.directory import COMMUNE_LEVEL_KINDS, RESIDENTIAL_KINDS, AdministrativeUnit
from shared.contracts.staff import ROLE_NAMES_VI, Role, RoleGrant
from shared.errors import InvalidInput

SESSION_LIFETIME = timedelta(hours=8)  # one working day
MAX_FAILED_SIGN_INS = 5
LOCK_OUT = timedelta(minutes=15)

COMMUNE_ROLES = frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF, Role.INSPECTOR})
MANAGING_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN})  # grant and revoke roles
# Law 10/2022 Art 36-37 and Decree 59/2023 Art 12 (law brief §1.6): a member of the
# People's Inspection Board may not be a commune official, civil servant or
# non-professional worker at commune or thôn level, which a group head is.
INCOMPATIBLE_WITH_INSPECTOR = frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF, Role.GROUP_HEAD})


CommuneOf = Callable[[str], str | None]  # unit id → id of its commune
Permission = Callable[[Iterable[RoleGrant], str, CommuneOf], bool]  # may_edit, may_read...


def check_grant(grant: RoleGrant, unit: AdministrativeUnit | None) -> None:
    """A role sits on the kind of unit it is for."""
    if grant.role == Role.SYSTEM_ADMIN:
        if grant.unit_id is not None:
            raise InvalidInput(fields={"unit_id": "Quản trị hệ thống không gắn với đơn vị nào."})
        return
    wanted = RESIDENTIAL_KINDS if grant.role == Role.GROUP_HEAD else COMMUNE_LEVEL_KINDS
    if unit is None or unit.kind not in wanted:
        place = "thôn, tổ dân phố" if grant.role == Role.GROUP_HEAD else "xã, phường, đặc khu"
        raise InvalidInput(
            fields={"unit_id": (f"Vai trò {ROLE_NAMES_VI[grant.role]} phải gắn với một {place}.")}
        )


def _commune_of(grant: RoleGrant, commune_of: CommuneOf) -> str | None:
    return commune_of(grant.unit_id) if grant.unit_id else None


def check_inspector_independence(grants: Iterable[RoleGrant], commune_of: CommuneOf) -> None:
    """Refuse an inspector who also works for the commune or a thôn in it."""
    grants = list(grants)
    inspected = {_commune_of(g, commune_of) for g in grants if g.role == Role.INSPECTOR}
    for grant in grants:
        if (
            grant.role in INCOMPATIBLE_WITH_INSPECTOR
            and _commune_of(grant, commune_of) in inspected
        ):
            raise InvalidInput(
                fields={
                    "roles": (
                        "Thành viên Ban Thanh tra nhân dân không được đồng thời là "
                        f"{ROLE_NAMES_VI[grant.role]} trong cùng xã, phường "
                        "(Luật Thực hiện dân chủ ở cơ sở 2022, Điều 36-37; "
                        "Nghị định 59/2023, Điều 12)."
                    )
                }
            )


def _holds(
    grants: Iterable[RoleGrant], roles: frozenset[Role], commune_id: str, commune_of: CommuneOf
) -> bool:
    return any(
        g.role == Role.SYSTEM_ADMIN
        or (g.role in roles and _commune_of(g, commune_of) == commune_id)
        for g in grants
    )


def may_manage_staff(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    return _holds(grants, frozenset({Role.COMMUNE_ADMIN}), commune_id, commune_of)


def may_edit(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """Change the commune's units and households."""
    return _holds(
        grants, frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF}), commune_id, commune_of
    )


def may_read(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """See the commune's staff pages, including (for inspectors) its audit log."""
    return _holds(grants, frozenset(Role), commune_id, commune_of)


def may_read_commune(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """See all of the commune's households and imports: its own staff and inspectors."""
    return _holds(grants, COMMUNE_ROLES, commune_id, commune_of)


def readable_units(
    grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf
) -> frozenset[str] | None:
    """The thôn and tổ dân phố of `commune_id` whose households `grants` may see:
    None for all of them, else those a group head leads (a role covers its unit)."""
    grants = list(grants)
    if may_read_commune(grants, commune_id, commune_of):
        return None
    return frozenset(
        g.unit_id
        for g in grants
        if g.role == Role.GROUP_HEAD and _commune_of(g, commune_of) == commune_id
    )


def may_read_audit(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """The audit log is for administrators and the People's Inspection Board."""
    return _holds(grants, frozenset({Role.COMMUNE_ADMIN, Role.INSPECTOR}), commune_id, commune_of)


def roles_covering(grants: Iterable[RoleGrant], unit_id: str, commune_of: CommuneOf) -> list[Role]:
    """The roles that give their holder a say over `unit_id`: held on the unit
    itself, a commune role on its commune, or the system administrator's."""
    commune_id = commune_of(unit_id)
    return sorted(
        {
            g.role
            for g in grants
            if g.role == Role.SYSTEM_ADMIN
            or g.unit_id == unit_id
            or (g.role in COMMUNE_ROLES and g.unit_id is not None and g.unit_id == commune_id)
        }
    )


def after_failed_sign_in(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """The failure count, and until when the account is locked, after one more failure."""
    failures += 1
    if failures >= MAX_FAILED_SIGN_INS:
        return 0, now + LOCK_OUT
    return failures, None
