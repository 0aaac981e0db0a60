"""Staff accounts in the directory service, on the real broker and wire server."""

import pytest

from services.directory.access import MAX_FAILED_SIGN_INS
from shared.errors import AccountLocked, Forbidden, InvalidInput, NotSignedIn
from tests.integration.services.conftest import ADMIN_PASSWORD as PASSWORD
from tests.integration.services.conftest import account
from tests.samples import OTHER_WARD


@pytest.fixture
def directory(directory):
    """The conftest's ward, a second ward, a group, and a bootstrapped admin."""
    directory.register_unit(OTHER_WARD)
    directory.register_unit(
        {
            "id": "tdp-1",
            "kind": "residential_group",
            "name": "Tổ dân phố 1",
            "parent_id": "huong-an",
            "valid_from": "2025-07-01",
        }
    )
    return directory


def sign_in(directory, username: str, password: str = PASSWORD) -> dict:
    return directory.sign_in({"username": username, "password": password})


def test_the_first_administrator_is_created_once(directory):
    assert directory.bootstrap_admin({"password": "another-long-password"}) == {"created": False}
    assert sign_in(directory, "admin")["account"]["roles"] == [
        {"role": "system_admin", "unit_id": None}
    ]


def test_passwords_are_stored_only_as_argon2id_hashes(directory, databases):
    record = databases["directory"].staff_accounts.find_one({"_id": "admin"})
    assert record["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in str(record)


def test_a_commune_admin_manages_staff_of_their_commune_only(directory):
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    directory.create_account(account("minh", ("commune_staff", "huong-an"), actor="lan"))
    with pytest.raises(Forbidden):
        directory.create_account(account("tuan", ("commune_staff", "kim-long"), actor="lan"))
    with pytest.raises(Forbidden):
        directory.create_account(account("hoa", ("group_head", "tdp-1"), actor="minh"))


def test_an_inspector_cannot_also_work_for_the_commune(directory, databases):
    with pytest.raises(InvalidInput) as refused:
        directory.create_account(
            account("binh", ("inspector", "huong-an"), ("group_head", "tdp-1"))
        )
    assert "Ban Thanh tra nhân dân" in refused.value.fields["roles"]
    assert databases["directory"].staff_accounts.find_one({"_id": "binh"}) is None

    directory.create_account(account("binh", ("inspector", "huong-an")))
    with pytest.raises(InvalidInput):
        directory.grant_role(
            {
                "actor": "admin",
                "username": "binh",
                "grant": {"role": "commune_staff", "unit_id": "huong-an"},
            }
        )


def test_a_session_carries_the_current_roles_until_sign_out(directory):
    directory.create_account(account("minh", ("commune_staff", "huong-an")))
    session = sign_in(directory, "MINH")  # usernames are not case-sensitive
    ref = {"session_id": session["session_id"]}
    directory.grant_role(
        {
            "actor": "admin",
            "username": "minh",
            "grant": {"role": "commune_staff", "unit_id": "kim-long"},
        }
    )

    assert len(directory.check_session(ref)["account"]["roles"]) == 2
    directory.sign_out(ref)
    with pytest.raises(NotSignedIn):
        directory.check_session(ref)


def test_repeated_wrong_passwords_lock_the_account(directory):
    directory.create_account(account("minh", ("commune_staff", "huong-an")))
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(NotSignedIn):
            sign_in(directory, "minh", "wrong-password")
    with pytest.raises(AccountLocked):
        sign_in(directory, "minh", "wrong-password")
    with pytest.raises(AccountLocked):
        sign_in(directory, "minh")  # even the right password, until the lock ends


def test_an_unknown_account_is_refused_like_a_wrong_password(directory):
    with pytest.raises(NotSignedIn):
        sign_in(directory, "nobody")


def test_admins_and_inspectors_read_the_audit_log_and_staff_do_not(directory):
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    directory.create_account(account("minh", ("commune_staff", "huong-an"), actor="lan"))
    directory.create_account(account("binh", ("inspector", "huong-an")))
    directory.revoke_role(
        {
            "actor": "lan",
            "username": "minh",
            "grant": {"role": "commune_staff", "unit_id": "huong-an"},
        }
    )

    for reader in ("lan", "binh", "admin"):
        log = directory.list_audit({"actor": reader, "commune_id": "huong-an"})["entries"]
        assert [(e["actor"], e["action"], e["target"]) for e in log] == [
            ("lan", "revoke_role", "minh"),
            ("admin", "create_account", "binh"),
            ("lan", "create_account", "minh"),
            ("admin", "create_account", "lan"),
        ]
    assert log[0]["before"]["roles"] and log[0]["after"]["roles"] == []
    with pytest.raises(Forbidden):
        directory.list_audit({"actor": "minh", "commune_id": "huong-an"})
    with pytest.raises(Forbidden):
        directory.list_audit({"actor": "lan", "commune_id": "kim-long"})


def test_the_staff_list_shows_who_holds_a_role_in_the_commune(directory):
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    directory.create_account(account("hoa", ("group_head", "tdp-1")))
    directory.create_account(account("binh", ("inspector", "huong-an")))
    directory.create_account(account("tuan", ("commune_staff", "kim-long")))
    directory.create_account(account("minh", ("commune_staff", "huong-an")))

    for reader in ("lan", "binh"):
        listed = directory.list_accounts({"actor": reader, "commune_id": "huong-an"})
        assert [a["username"] for a in listed["accounts"]] == ["binh", "hoa", "lan", "minh"]
    with pytest.raises(Forbidden):
        directory.list_accounts({"actor": "minh", "commune_id": "huong-an"})


def test_other_services_ask_which_roles_a_person_holds_over_a_unit(directory):
    directory.create_account(account("hoa", ("group_head", "tdp-1")))

    def roles(username: str, unit_id: str) -> list[str]:
        return directory.roles_in_unit({"username": username, "unit_id": unit_id})["roles"]

    assert roles("hoa", "tdp-1") == ["group_head"]
    assert roles("hoa", "huong-an") == []  # a group head does not cover the whole ward
    assert roles("admin", "tdp-1") == ["system_admin"]
    assert roles("nobody", "tdp-1") == []


def test_an_administrator_cannot_revoke_their_own_administration(directory):
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    own = {"role": "commune_admin", "unit_id": "huong-an"}
    with pytest.raises(InvalidInput) as refused:
        directory.revoke_role({"actor": "lan", "username": "lan", "grant": own})
    assert "tự thu hồi" in refused.value.fields["role"]
    directory.revoke_role({"actor": "admin", "username": "lan", "grant": own})  # another may


def test_the_system_administrator_alone_grants_a_province_administrator_on_a_province(
    directory,
):
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    directory.create_account(account("minh", ("commune_staff", "huong-an")))
    on_hue = {"role": "province_admin", "unit_id": "hue"}
    with pytest.raises(Forbidden):  # not a commune's administrator
        directory.create_account(account("tinh", ("province_admin", "hue"), actor="lan"))
    with pytest.raises(Forbidden):
        directory.grant_role({"actor": "lan", "username": "minh", "grant": on_hue})
    with pytest.raises(InvalidInput) as refused:  # on a commune
        directory.create_account(account("tinh", ("province_admin", "huong-an")))
    assert refused.value.fields["unit_id"] == "Quản trị cấp tỉnh phải gắn với một tỉnh, thành phố."
    with pytest.raises(InvalidInput):  # nor a commune role on the province
        directory.create_account(account("tinh", ("commune_admin", "hue")))

    directory.create_account(account("tinh", ("province_admin", "hue")))
    with pytest.raises(Forbidden):  # a province administrator grants nothing
        directory.grant_role({"actor": "tinh", "username": "minh", "grant": on_hue})
    with pytest.raises(Forbidden):
        directory.create_account(account("hoa", ("commune_staff", "kim-long"), actor="tinh"))

    def roles(username: str, unit_id: str) -> list[str]:
        return directory.roles_in_unit({"username": username, "unit_id": unit_id})["roles"]

    assert roles("tinh", "hue") == ["province_admin"]
    assert roles("tinh", "huong-an") == ["province_admin"]
    assert roles("tinh", "tdp-1") == ["province_admin"]
    assert roles("lan", "hue") == []  # a commune's administrator does not cover its province
    # listed among those who have a say over the ward; no staff page or audit log
    listed = directory.list_accounts({"actor": "lan", "commune_id": "huong-an"})
    assert [a["username"] for a in listed["accounts"]] == ["lan", "minh", "tinh"]
    with pytest.raises(Forbidden):
        directory.list_accounts({"actor": "tinh", "commune_id": "huong-an"})
    with pytest.raises(Forbidden):
        directory.list_audit({"actor": "tinh", "commune_id": "huong-an"})

    with pytest.raises(Forbidden):  # nor is it taken back by the commune's administrator
        directory.revoke_role({"actor": "lan", "username": "tinh", "grant": on_hue})
    directory.revoke_role({"actor": "admin", "username": "tinh", "grant": on_hue})
    assert roles("tinh", "huong-an") == []
