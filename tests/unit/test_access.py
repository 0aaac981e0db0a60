from datetime import UTC, date, datetime

import pytest

from services.directory import access
from shared.contracts.directory import AdministrativeUnit, UnitKind
from shared.contracts.staff import Role, RoleGrant
from shared.errors import InvalidInput

COMMUNE_OF = {
    "huong-an": "huong-an",
    "tdp-1": "huong-an",
    "kim-long": "kim-long",
    "tdp-9": "kim-long",
}.get
WARD = AdministrativeUnit(
    id="huong-an", kind=UnitKind.WARD, name="Phường Hương An", valid_from=date(2025, 7, 1)
)
GROUP = AdministrativeUnit(
    id="tdp-1",
    kind=UnitKind.RESIDENTIAL_GROUP,
    name="Tổ dân phố 1",
    parent_id="huong-an",
    valid_from=date(2025, 7, 1),
)


def grant(role: Role, unit_id: str | None) -> RoleGrant:
    return RoleGrant(role=role, unit_id=unit_id)


def test_roles_sit_on_the_right_kind_of_unit():
    access.check_grant(grant(Role.COMMUNE_STAFF, "huong-an"), WARD)
    access.check_grant(grant(Role.GROUP_HEAD, "tdp-1"), GROUP)
    access.check_grant(grant(Role.SYSTEM_ADMIN, None), None)
    with pytest.raises(InvalidInput):
        access.check_grant(grant(Role.GROUP_HEAD, "huong-an"), WARD)
    with pytest.raises(InvalidInput):
        access.check_grant(grant(Role.INSPECTOR, "tdp-1"), GROUP)
    with pytest.raises(InvalidInput):
        access.check_grant(grant(Role.SYSTEM_ADMIN, "huong-an"), WARD)


@pytest.mark.parametrize(
    "other",
    [
        grant(Role.COMMUNE_STAFF, "huong-an"),
        grant(Role.COMMUNE_ADMIN, "huong-an"),
        grant(Role.GROUP_HEAD, "tdp-1"),
    ],
)
def test_an_inspector_may_not_work_for_the_commune_they_inspect(other):
    # Law 10/2022 Art 36-37, Decree 59/2023 Art 12: Ban Thanh tra nhân dân members
    # are not commune officials or thôn-level workers.
    with pytest.raises(InvalidInput) as refused:
        access.check_inspector_independence([grant(Role.INSPECTOR, "huong-an"), other], COMMUNE_OF)
    assert "Ban Thanh tra nhân dân" in refused.value.fields["roles"]


def test_an_inspector_may_work_in_another_commune():
    access.check_inspector_independence(
        [grant(Role.INSPECTOR, "huong-an"), grant(Role.GROUP_HEAD, "tdp-9")], COMMUNE_OF
    )


def test_what_each_role_may_do_in_its_commune_and_nowhere_else():
    staff = [grant(Role.COMMUNE_STAFF, "huong-an")]
    inspector = [grant(Role.INSPECTOR, "huong-an")]
    head = [grant(Role.GROUP_HEAD, "tdp-1")]
    admin = [grant(Role.COMMUNE_ADMIN, "huong-an")]
    system = [grant(Role.SYSTEM_ADMIN, None)]
    table = {"staff": staff, "inspector": inspector, "head": head, "admin": admin, "system": system}
    rights = {
        name: (
            access.may_read(g, "huong-an", COMMUNE_OF),
            access.may_edit(g, "huong-an", COMMUNE_OF),
            access.may_manage_staff(g, "huong-an", COMMUNE_OF),
            access.may_read(g, "kim-long", COMMUNE_OF),
        )
        for name, g in table.items()
    }
    assert rights == {
        "staff": (True, True, False, False),
        "inspector": (True, False, False, False),
        "head": (True, False, False, False),
        "admin": (True, True, True, False),
        "system": (True, True, True, True),
    }


def test_the_fifth_wrong_password_locks_the_account_for_fifteen_minutes():
    now = datetime(2026, 1, 5, 8, tzinfo=UTC)
    failures, locked = 0, None
    for _ in range(4):
        failures, locked = access.after_failed_sign_in(failures, now)
        assert locked is None
    failures, locked = access.after_failed_sign_in(failures, now)
    assert (failures, locked) == (0, datetime(2026, 1, 5, 8, 15, tzinfo=UTC))


def test_the_roles_over_a_group_come_from_the_group_its_commune_or_the_system():
    grants = [
        grant(Role.GROUP_HEAD, "tdp-1"),
        grant(Role.INSPECTOR, "huong-an"),
        grant(Role.COMMUNE_STAFF, "kim-long"),
    ]
    assert access.roles_covering(grants, "tdp-1", COMMUNE_OF) == [Role.GROUP_HEAD, Role.INSPECTOR]
    assert access.roles_covering(grants, "tdp-9", COMMUNE_OF) == [Role.COMMUNE_STAFF]
    assert access.roles_covering([grant(Role.SYSTEM_ADMIN, None)], "tdp-9", COMMUNE_OF) == [
        Role.SYSTEM_ADMIN
    ]
    assert access.roles_covering([], "tdp-1", COMMUNE_OF) == []


@pytest.mark.parametrize(
    "grants, readable",
    [
        ([grant(Role.COMMUNE_STAFF, "huong-an")], None),
        ([grant(Role.INSPECTOR, "huong-an")], None),
        ([grant(Role.SYSTEM_ADMIN, None)], None),
        ([grant(Role.GROUP_HEAD, "tdp-1")], frozenset({"tdp-1"})),
        ([grant(Role.GROUP_HEAD, "tdp-9")], frozenset()),  # a head in another commune
        ([grant(Role.COMMUNE_STAFF, "kim-long")], frozenset()),
    ],
)
def test_a_group_head_sees_the_households_of_their_own_unit_only(grants, readable):
    assert access.readable_units(grants, "huong-an", COMMUNE_OF) == readable


PROVINCE = AdministrativeUnit(
    id="hue", kind=UnitKind.PROVINCE, name="Thành phố Huế", valid_from=date(2025, 7, 1)
)
PROVINCE_OF = {"huong-an": "hue", "kim-long": "hue", "hai-chau": "da-nang"}.get


def test_a_province_administrator_sits_on_a_province_and_nowhere_else():
    access.check_grant(grant(Role.PROVINCE_ADMIN, "hue"), PROVINCE)
    for unit in (WARD, GROUP, None):
        with pytest.raises(InvalidInput) as refused:
            access.check_grant(grant(Role.PROVINCE_ADMIN, unit.id if unit else None), unit)
        assert refused.value.fields["unit_id"] == (
            "Quản trị cấp tỉnh phải gắn với một tỉnh, thành phố."
        )
    for role in (Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF, Role.INSPECTOR, Role.GROUP_HEAD):
        with pytest.raises(InvalidInput):  # no commune role on a province
            access.check_grant(grant(role, "hue"), PROVINCE)


def test_only_the_system_administrator_grants_a_province_administrator():
    province_admin = grant(Role.PROVINCE_ADMIN, "hue")
    system = [grant(Role.SYSTEM_ADMIN, None)]
    assert access.may_grant(system, province_admin, None, COMMUNE_OF)
    for actor in (
        [grant(Role.COMMUNE_ADMIN, "huong-an")],
        [grant(Role.PROVINCE_ADMIN, "hue")],  # not even another of the province
        [grant(Role.INSPECTOR, "huong-an")],
    ):
        assert not access.may_grant(actor, province_admin, None, COMMUNE_OF)
        # whatever the unit is said to be in
        assert not access.may_grant(actor, province_admin, "huong-an", COMMUNE_OF)
    # nor does a province administrator grant any commune role
    staff = grant(Role.COMMUNE_STAFF, "huong-an")
    assert not access.may_grant([province_admin], staff, "huong-an", COMMUNE_OF)
    assert access.may_grant([grant(Role.COMMUNE_ADMIN, "huong-an")], staff, "huong-an", COMMUNE_OF)
    assert access.may_grant(system, staff, "huong-an", COMMUNE_OF)


def test_a_province_administrator_has_no_right_over_a_communes_data():
    province_admin = [grant(Role.PROVINCE_ADMIN, "hue")]
    # as the directory resolves it, a province is in no commune
    commune_of = {"hue": None, "huong-an": "huong-an", "tdp-1": "huong-an"}.get
    for may in (
        access.may_read,
        access.may_edit,
        access.may_manage_staff,
        access.may_read_commune,
        access.may_read_audit,
    ):
        assert not may(province_admin, "huong-an", commune_of)
    assert access.readable_units(province_admin, "huong-an", commune_of) == frozenset()


def test_a_province_administrator_covers_the_province_and_its_communes_only():
    commune_of = {**{k: COMMUNE_OF(k) for k in ("huong-an", "tdp-1", "kim-long")},
                  "hai-chau": "hai-chau", "hue": None, "da-nang": None}.get  # fmt: skip
    ours, other = [grant(Role.PROVINCE_ADMIN, "hue")], [grant(Role.PROVINCE_ADMIN, "da-nang")]

    def covering(grants, unit_id):
        return access.roles_covering(grants, unit_id, commune_of, PROVINCE_OF)

    for unit_id in ("hue", "huong-an", "kim-long", "tdp-1"):
        assert covering(ours, unit_id) == [Role.PROVINCE_ADMIN]
        assert covering(other, unit_id) == []  # another province's administrator
    assert covering(ours, "hai-chau") == [] and covering(other, "hai-chau") == [Role.PROVINCE_ADMIN]
    # a commune's administrator does not cover the province, nor the province's other communes
    commune_admin = [grant(Role.COMMUNE_ADMIN, "huong-an")]
    assert covering(commune_admin, "hue") == []
    assert covering(commune_admin, "kim-long") == []
    assert covering(commune_admin, "huong-an") == [Role.COMMUNE_ADMIN]
    # without a province lookup (as before), only a grant on the unit itself
    assert access.roles_covering(ours, "huong-an", commune_of) == []
    assert access.roles_covering(ours, "hue", commune_of) == [Role.PROVINCE_ADMIN]
