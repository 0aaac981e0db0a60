"""Who may do what, where; sign-in lock-out. Pure rules, no I/O.

Roles are granted on units: the system administrator on none, a province
administrator on a province (tỉnh, thành phố), the commune roles on a commune
(xã, phường, đặc khu), a group head on a thôn or tổ dân phố.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    RESIDENTIAL_KINDS,
    AdministrativeUnit,
    UnitKind,
)
from shared.contracts.staff import ROLE_NAMES_VI, Role, RoleGrant
from shared.errors import InvalidInput
from shared.i18n import _

SESSION_LIFETIME = timedelta(hours=8)  # one working day
MAX_FAILED_SIGN_INS = 5
LOCK_OUT = timedelta(minutes=15)

COMMUNE_ROLES = frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF, Role.INSPECTOR})
MANAGING_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN})  # grant and revoke roles
# Roles above a commune: only the system administrator hands them out. A province
# administrator manages the webhooks of the province and of its communes (see
# services/webhooks/domain.py may_manage_webhooks) and nothing of any commune's data.
SYSTEM_GRANTED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.PROVINCE_ADMIN})
# Law 10/2022 Art 36-37 and Decree 59/2023 Art 12 (law brief §1.6): a member of the
# People's Inspection Board may not be a commune official, civil servant or
# non-professional worker at commune or thôn level, which a group head is.
INCOMPATIBLE_WITH_INSPECTOR = frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF, Role.GROUP_HEAD})


CommuneOf = Callable[[str], str | None]  # unit id → id of its commune
ProvinceOf = Callable[[str], str | None]  # commune id → id of its province
Permission = Callable[[Iterable[RoleGrant], str, CommuneOf], bool]  # may_edit, may_read...


def check_grant(grant: RoleGrant, unit: AdministrativeUnit | None) -> None:
    """A role sits on the kind of unit it is for."""
    if grant.role == Role.SYSTEM_ADMIN:
        if grant.unit_id is not None:
            raise InvalidInput(fields={"unit_id": _("Quản trị hệ thống không gắn với đơn vị nào.")})
        return
    if grant.role == Role.PROVINCE_ADMIN:
        if unit is None or unit.kind != UnitKind.PROVINCE:
            raise InvalidInput(
                fields={"unit_id": _("Quản trị cấp tỉnh phải gắn với một tỉnh, thành phố.")}
            )
        return
    wanted = RESIDENTIAL_KINDS if grant.role == Role.GROUP_HEAD else COMMUNE_LEVEL_KINDS
    if unit is None or unit.kind not in wanted:
        wrong = (
            _("Vai trò {role} phải gắn với một thôn, tổ dân phố.")
            if grant.role == Role.GROUP_HEAD
            else _("Vai trò {role} phải gắn với một xã, phường, đặc khu.")
        )
        raise InvalidInput(fields={"unit_id": wrong.format(role=ROLE_NAMES_VI[grant.role])})


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
                    "roles": _(
                        "Thành viên Ban Thanh tra nhân dân không được đồng thời là "
                        "{role} trong cùng xã, phường "
                        "(Luật Thực hiện dân chủ ở cơ sở 2022, Điều 36-37; "
                        "Nghị định 59/2023, Điều 12)."
                    ).format(role=ROLE_NAMES_VI[grant.role])
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


def may_grant(
    grants: Iterable[RoleGrant], grant: RoleGrant, commune_id: str | None, commune_of: CommuneOf
) -> bool:
    """Who hands out (or takes back) `grant`, whose unit is in `commune_id` (None: in
    no commune): the system administrator any role; a commune's administrator the
    commune roles and group heads of their commune; nobody else."""
    grants = list(grants)
    if grant.role in SYSTEM_GRANTED_ROLES or commune_id is None:
        return any(g.role == Role.SYSTEM_ADMIN for g in grants)
    return may_manage_staff(grants, commune_id, commune_of)


def may_edit(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """Change the commune's units and households."""
    return _holds(
        grants, frozenset({Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF}), commune_id, commune_of
    )


def may_read(grants: Iterable[RoleGrant], commune_id: str, commune_of: CommuneOf) -> bool:
    """See the commune's staff pages, including (for inspectors) its audit log."""
    return _holds(grants, frozenset(Role) - {Role.PROVINCE_ADMIN}, commune_id, commune_of)


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


def _no_province(commune_id: str) -> str | None:
    return None


def roles_covering(
    grants: Iterable[RoleGrant],
    unit_id: str,
    commune_of: CommuneOf,
    province_of: ProvinceOf = _no_province,
) -> list[Role]:
    """The roles that give their holder a say over `unit_id`: held on the unit
    itself, a commune role on its commune, a province administrator's on the
    province of its commune, or the system administrator's. (Each service decides
    what a role lets it do: only the webhooks service asks for a province
    administrator.)"""
    commune_id = commune_of(unit_id)
    province_id = province_of(commune_id) if commune_id else None
    return sorted(
        {
            g.role
            for g in grants
            if g.role == Role.SYSTEM_ADMIN
            or g.unit_id == unit_id
            or (g.role in COMMUNE_ROLES and g.unit_id is not None and g.unit_id == commune_id)
            or (
                g.role == Role.PROVINCE_ADMIN and g.unit_id is not None and g.unit_id == province_id
            )
        }
    )


def after_failed_sign_in(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """The failure count, and until when the account is locked, after one more failure."""
    failures += 1
    if failures >= MAX_FAILED_SIGN_INS:
        return 0, now + LOCK_OUT
    return failures, None
