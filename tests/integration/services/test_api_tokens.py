"""A commune's API tokens in the directory service, on the real broker and wire
server: issued and revoked by the commune's administrator, kept only as a hash,
checked on every use, every step in the audit log."""

import hashlib

import pytest

from shared.errors import Forbidden, NotFound, NotSignedIn
from tests.integration.services.conftest import account
from tests.samples import OTHER_WARD
from tests.support import wait_until


@pytest.fixture
def directory(directory):
    """The ward's administrator `lan`, its clerk `minh`, and a second ward."""
    directory.register_unit(OTHER_WARD)
    directory.create_account(account("lan", ("commune_admin", "huong-an")))
    directory.create_account(account("minh", ("commune_staff", "huong-an")))
    return directory


def issue(directory, scope: str = "read", actor: str = "lan", commune_id: str = "huong-an"):
    return directory.issue_api_token(
        {"actor": actor, "commune_id": commune_id, "name": "Cổng dữ liệu tỉnh", "scope": scope}
    )


def check(directory, secret: str, scope: str = "read", commune_id: str | None = "huong-an"):
    return directory.check_api_token({"secret": secret, "scope": scope, "commune_id": commune_id})


def audit(directory) -> list[dict]:
    return directory.list_audit({"actor": "lan", "commune_id": "huong-an"})["entries"]


def test_a_token_is_shown_once_and_stored_only_as_its_hash(directory, databases):
    issued = issue(directory, "write")
    secret = issued["secret"]
    assert secret.startswith("danban_") and len(secret) > 40
    stored = databases["directory"].api_tokens.find_one({"_id": issued["token"]["id"]})
    assert stored["hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored)
    listed = directory.list_api_tokens({"actor": "lan", "commune_id": "huong-an"})["tokens"]
    assert [token["id"] for token in listed] == [issued["token"]["id"]]
    assert secret not in str(listed)
    assert check(directory, secret, "write") == {
        "token_id": issued["token"]["id"],
        "commune_id": "huong-an",
        "scope": "write",
        "acting_as": "lan",
    }


def test_only_the_communes_administrator_issues_lists_and_revokes(directory):
    with pytest.raises(Forbidden):
        issue(directory, actor="minh")
    with pytest.raises(Forbidden):
        issue(directory, commune_id="kim-long")
    with pytest.raises(Forbidden):
        directory.list_api_tokens({"actor": "minh", "commune_id": "huong-an"})
    token_id = issue(directory)["token"]["id"]
    with pytest.raises(Forbidden):
        directory.revoke_api_token(
            {"actor": "minh", "commune_id": "huong-an", "token_id": token_id}
        )
    with pytest.raises(NotFound):
        directory.revoke_api_token(
            {"actor": "admin", "commune_id": "kim-long", "token_id": token_id}
        )


def test_a_token_is_refused_for_another_commune_and_a_read_token_for_writes(directory):
    read = issue(directory, "read")["secret"]
    assert check(directory, read)["scope"] == "read"
    assert check(directory, read, commune_id=None)["commune_id"] == "huong-an"
    with pytest.raises(Forbidden):
        check(directory, read, "write")
    with pytest.raises(Forbidden):
        check(directory, read, commune_id="kim-long")
    with pytest.raises(NotSignedIn):
        check(directory, read + "x")


def test_a_revoked_token_stops_at_once_and_revoking_twice_is_harmless(directory):
    issued = issue(directory, "write")
    check(directory, issued["secret"], "write")
    ref = {"actor": "lan", "commune_id": "huong-an", "token_id": issued["token"]["id"]}
    revoked = directory.revoke_api_token(ref)
    assert revoked["revoked_by"] == "lan" and revoked["revoked_at"]
    with pytest.raises(NotSignedIn):
        check(directory, issued["secret"])
    assert directory.revoke_api_token(ref) == revoked


def test_a_token_stops_when_its_issuer_no_longer_administers_the_commune(directory):
    secret = issue(directory)["secret"]
    directory.revoke_role(
        {
            "actor": "admin",
            "username": "lan",
            "grant": {"role": "commune_admin", "unit_id": "huong-an"},
        }
    )
    with pytest.raises(NotSignedIn):
        check(directory, secret)


def test_issuing_revoking_and_each_write_are_in_the_audit_log(directory):
    issued = issue(directory, "write")
    token_id = issued["token"]["id"]
    directory.revoke_api_token({"actor": "lan", "commune_id": "huong-an", "token_id": token_id})
    directory.record_api_write(
        {
            "token_id": token_id,
            "operation": "POST /api/v1/communes/huong-an/households",
            "target": "HAAAA2",
        }
    )

    def logged() -> list[dict] | None:
        # all three: the fixture's accounts are in the same log, so a count would not do
        entries = audit(directory)
        done = {entry["action"] for entry in entries}
        return entries if {"issue_api_token", "revoke_api_token", "api_write"} <= done else None

    entries = wait_until(logged)
    actions = {entry["action"]: entry for entry in entries}
    assert actions["issue_api_token"]["target"] == token_id
    assert actions["issue_api_token"]["actor"] == "lan"
    assert actions["revoke_api_token"]["after"]["revoked_by"] == "lan"
    write = actions["api_write"]
    assert (write["target"], write["actor"], write["commune_id"]) == ("HAAAA2", "lan", "huong-an")
    assert write["after"]["token_name"] == "Cổng dữ liệu tỉnh"
    assert issued["secret"] not in str(entries)
