"""A commune's API tokens: the rules (services/directory/api_tokens.py) and the
staff page where its administrator issues and revokes them (gateway/routes/
api_tokens.py), with a fake directory in the FakeRpc port."""

import hashlib
from datetime import UTC, datetime

import pytest

from services.directory import api_tokens
from shared.contracts.api import ApiScope, ApiToken
from shared.errors import Forbidden, NotSignedIn
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

PAGE = "/can-bo/xa/huong-an/api"
ISSUED = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def token(scope: ApiScope = ApiScope.READ, **changes) -> ApiToken:
    fields = {
        "id": "a" * 32,
        "commune_id": "huong-an",
        "name": "Cổng dữ liệu tỉnh",
        "scope": scope,
        "issued_by": "lan",
        "issued_at": ISSUED,
    }
    return ApiToken(**(fields | changes))


# --- the rules ------------------------------------------------------------------------


def test_a_secret_is_256_random_bits_kept_as_its_sha256():
    secret = api_tokens.new_secret()
    assert secret.startswith("danban_") and len(secret) == len("danban_") + 43
    assert secret != api_tokens.new_secret()
    assert api_tokens.secret_hash(secret) == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize(
    ("stored", "scope", "commune_id", "manages", "refused"),
    [
        (token(), ApiScope.READ, "huong-an", True, None),
        (token(), ApiScope.READ, None, True, None),
        (token(ApiScope.WRITE), ApiScope.WRITE, "huong-an", True, None),
        (token(ApiScope.WRITE), ApiScope.READ, "huong-an", True, None),  # write reads too
        (None, ApiScope.READ, "huong-an", True, NotSignedIn),
        (token(revoked_at=ISSUED, revoked_by="lan"), ApiScope.READ, None, True, NotSignedIn),
        (token(), ApiScope.READ, "huong-an", False, NotSignedIn),  # its issuer left
        (token(), ApiScope.READ, "kim-long", True, Forbidden),
        (token(), ApiScope.WRITE, "huong-an", True, Forbidden),
    ],
)
def test_a_token_works_for_its_commune_and_scope_until_revoked(
    stored, scope, commune_id, manages, refused
):
    found = api_tokens.refusal(stored, scope, commune_id, manages)
    assert type(found) is refused if refused else found is None


# --- the staff page ---------------------------------------------------------------------


@pytest.fixture
def directory(rpc: FakeRpc) -> dict:
    """The directory's token entrypoints: only `lan`, the ward's admin, may use them."""
    state: dict = {"tokens": {}, "sent": []}

    def admin_only(command: dict) -> None:
        state["sent"].append(command)
        if command["actor"] != "lan":
            raise Forbidden(
                "Chỉ quản trị cấp xã cấp và thu hồi được mã truy cập API của xã, phường."
            )

    def issue(command: dict) -> dict:
        admin_only(command)
        issued = token(
            ApiScope(command["scope"]), id=f"{len(state['tokens']):032x}", name=command["name"]
        )
        state["tokens"][issued.id] = issued
        return {"token": issued.model_dump(mode="json"), "secret": "danban_the-secret"}

    def revoke(command: dict) -> dict:
        admin_only(command)
        revoked = state["tokens"][command["token_id"]].model_copy(
            update={"revoked_by": "lan", "revoked_at": ISSUED}
        )
        state["tokens"][revoked.id] = revoked
        return revoked.model_dump(mode="json")

    def listed(query: dict) -> dict:
        admin_only(query)
        return {"tokens": [t.model_dump(mode="json") for t in state["tokens"].values()]}

    rpc.answer("directory", "issue_api_token", issue)
    rpc.answer("directory", "revoke_api_token", revoke)
    rpc.answer("directory", "list_api_tokens", listed)
    return state


def test_the_admin_issues_a_token_whose_secret_is_shown_once(client, directory):
    sign_in(client, "lan")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Chưa cấp mã nào." in page.text
    issued = client.post(
        PAGE, data={"csrf_token": csrf_of(page.text), "name": "Cổng dữ liệu tỉnh", "scope": "write"}
    )
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    assert "danban_the-secret" in issued.text
    assert "chỉ hiện một lần" in issued.text
    assert directory["sent"][-2] == {
        "actor": "lan",
        "commune_id": "huong-an",
        "name": "Cổng dữ liệu tỉnh",
        "scope": "write",
    }
    again = client.get(PAGE)
    assert "danban_the-secret" not in again.text
    assert "Cổng dữ liệu tỉnh" in again.text and "Đọc và ghi" in again.text


def test_a_token_without_a_name_is_refused_beside_the_field(client, directory):
    sign_in(client, "lan")
    page = client.get(PAGE)
    refused = client.post(
        PAGE, data={"csrf_token": csrf_of(page.text), "name": " ", "scope": "read"}
    )
    assert refused.status_code == 422
    assert 'id="token-name-error"' in refused.text
    assert not directory["tokens"]


def test_the_admin_revokes_a_token_and_is_told(client, directory):
    sign_in(client, "lan")
    page = client.get(PAGE)
    client.post(PAGE, data={"csrf_token": csrf_of(page.text), "name": "Cổng", "scope": "read"})
    (token_id,) = directory["tokens"]
    revoked = client.post(f"{PAGE}/{token_id}/thu-hoi", data={"csrf_token": csrf_of(page.text)})
    assert revoked.status_code == 303
    after = client.get(PAGE).text
    assert "Đã thu hồi mã truy cập API" in after
    assert "Đã thu hồi bởi lan" in after


def test_staff_who_are_not_the_communes_admin_are_refused(client, directory):
    sign_in(client, "minh")
    assert client.get(PAGE).status_code == 403


def test_visitors_are_sent_to_sign_in(client, directory):
    assert client.get(PAGE).status_code == 303


def test_a_revoke_without_the_forms_token_is_refused(client, directory):
    sign_in(client, "lan")
    assert client.post(f"{PAGE}/{'0' * 32}/thu-hoi", data={}).status_code == 403


def test_the_page_speaks_english_when_asked(client, directory):
    sign_in(client, "lan")
    client.cookies.set("danban_lang", "en")
    page = client.get(PAGE)
    issued = client.post(
        PAGE, data={"csrf_token": csrf_of(page.text), "name": "Provincial portal", "scope": "read"}
    )
    assert "Issue a new token" in issued.text
    assert "it is shown only once" in issued.text
    assert "Read only" in issued.text
    for vietnamese in ("Cấp mã mới", "Chỉ đọc", "Thu hồi"):
        assert vietnamese not in issued.text


def test_the_commune_page_links_the_tokens_for_its_administrator_only(client, directory):
    sign_in(client, "minh")
    assert PAGE not in client.get("/communes/huong-an").text
    sign_in(client, "lan")
    assert f'href="{PAGE}"' in client.get("/communes/huong-an").text
