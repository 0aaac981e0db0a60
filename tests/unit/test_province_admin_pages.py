"""The province administrator on the gateway's pages: the system administrator grants
and revokes the role on the commune's province from the staff page (a commune's
administrator is not offered it), a refusal is said beside the province chosen, and
a province administrator is offered the webhooks of the province's communes and of
the province itself; in Vietnamese and in English."""

import pytest

from shared.errors import InvalidInput
from tests.unit.gateway_support import ACCOUNTS, csrf_of, sign_in

STAFF_PAGE = "/communes/huong-an/staff"
PROVINCE_ADMIN = {"role": "province_admin", "unit_id": "hue"}


def account(username: str, *roles: tuple[str, str | None]) -> dict:
    grants = [{"role": role, "unit_id": unit_id} for role, unit_id in roles]
    return {"username": username, "full_name": username.title(), "roles": grants}


@pytest.fixture
def accounts(monkeypatch):
    """A system administrator, Huế's province administrator and Đà Nẵng's."""
    for name, grant in {
        "admin": ("system_admin", None),
        "tinh": ("province_admin", "hue"),
        "da-nang": ("province_admin", "da-nang"),
    }.items():
        monkeypatch.setitem(ACCOUNTS, name, account(name, grant))
    return ACCOUNTS


@pytest.fixture
def sent(rpc, accounts):
    """The staff page lists Minh and Huế's province administrator; role changes sent
    to the directory are recorded."""
    listed = [ACCOUNTS["minh"], ACCOUNTS["tinh"]]
    rpc.answer("directory", "list_accounts", lambda q: {"accounts": listed})
    changes: list[tuple[str, dict]] = []
    for method in ("grant_role", "revoke_role", "create_account"):
        rpc.answer("directory", method, lambda c, m=method: changes.append((m, c)) or c)
    return changes


def test_the_system_administrator_is_offered_the_role_on_the_communes_province(client, sent):
    sign_in(client, "admin")
    page = client.get(STAFF_PAGE).text

    assert page.count('name="role" value="province_admin"') == 3  # both forms, Tỉnh's revoke
    assert "Quản trị cấp tỉnh" in page
    assert page.count('<option value="hue" selected>Thành phố Huế</option>') == 2
    assert "chỉ với quản trị cấp tỉnh" in page
    # Huế's province administrator is listed with the province, and may be revoked
    assert "Quản trị cấp tỉnh: Thành phố Huế" in page
    assert '<input type="hidden" name="province_id" value="hue">' in page

    token = csrf_of(page)
    grant = {"csrf_token": token, "username": "minh", "role": "province_admin",
             "unit_id": "", "province_id": "hue"}  # fmt: skip
    response = client.post(f"{STAFF_PAGE}/grant", data=grant)
    assert response.status_code == 303
    assert "Đã cấp vai trò quản trị cấp tỉnh cho minh." in client.get(STAFF_PAGE).text
    revoke = {"csrf_token": token, "username": "tinh", "role": "province_admin",
              "province_id": "hue"}  # fmt: skip
    assert client.post(f"{STAFF_PAGE}/revoke", data=revoke).status_code == 303
    new = {"csrf_token": token, "full_name": "Trần Tỉnh", "username": "tran",
           "password": "mật-khẩu-ban-đầu-dài", "role": "province_admin", "unit_id": "tổ-dân-phố-1",
           "province_id": "hue"}  # fmt: skip
    assert client.post(STAFF_PAGE, data=new).status_code == 303

    assert sent[0] == (
        "grant_role",
        {"actor": "admin", "username": "minh", "grant": PROVINCE_ADMIN},
    )
    assert sent[1] == (
        "revoke_role",
        {"actor": "admin", "username": "tinh", "grant": PROVINCE_ADMIN},
    )
    assert sent[2][0] == "create_account" and sent[2][1]["roles"] == [PROVINCE_ADMIN]


def test_a_commune_administrator_is_not_offered_the_role_nor_its_revocation(client, sent):
    sign_in(client, "lan")
    page = client.get(STAFF_PAGE).text

    assert 'value="province_admin"' not in page
    assert 'name="province_id"' not in page
    assert "Quản trị cấp tỉnh: Thành phố Huế" in page  # who oversees the commune's webhooks
    assert page.count("Thu hồi vai trò<span") == 1  # Minh's role only


def test_a_refused_province_is_said_beside_the_province_chosen(client, sent, rpc):
    wrong = "Quản trị cấp tỉnh phải gắn với một tỉnh, thành phố."

    def refuse(command: dict) -> None:
        raise InvalidInput(fields={"unit_id": wrong})

    rpc.answer("directory", "grant_role", refuse)
    sign_in(client, "admin")
    token = csrf_of(client.get(STAFF_PAGE).text)
    grant = {"csrf_token": token, "username": "minh", "role": "province_admin",
             "unit_id": "", "province_id": ""}  # fmt: skip

    response = client.post(f"{STAFF_PAGE}/grant", data=grant)

    assert response.status_code == 422
    assert f'<p class="error" id="grant_role-province_id-error">{wrong}</p>' in response.text
    assert 'href="#grant_role-province_id"' in response.text
    assert "grant_role-unit_id-error" not in response.text


@pytest.mark.parametrize(
    "username, offered",
    [("tinh", True), ("da-nang", False), ("admin", True), ("lan", True), ("minh", False)],
)
def test_the_commune_page_offers_its_webhooks_to_its_provinces_administrator(
    client, accounts, username, offered
):
    sign_in(client, username)
    page = client.get("/communes/huong-an").text
    assert ("/can-bo/xa/huong-an/webhooks" in page) is offered
    if username == "tinh":  # and nothing else of the commune's staff pages
        for other in ("/communes/huong-an/staff", "/communes/huong-an/audit",
                      "/can-bo/xa/huong-an/ky-luat\"", "/can-bo/xa/huong-an/api"):  # fmt: skip
            assert other not in page


@pytest.mark.parametrize("username, offered", [("tinh", True), ("lan", False)])
def test_the_communes_webhooks_page_links_to_the_provinces_for_its_administrator(
    client, rpc, accounts, username, offered
):
    rpc.answer("webhooks", "list_webhooks", lambda q: {"scope_id": q["scope_id"], "webhooks": []})
    sign_in(client, username)
    page = client.get("/can-bo/xa/huong-an/webhooks").text
    assert ('href="/can-bo/tinh/hue/webhooks"' in page) is offered


def test_the_staff_page_in_english_names_the_province_administrator(client, sent):
    sign_in(client, "admin")
    client.cookies.set("danban_lang", "en")
    page = client.get(STAFF_PAGE).text

    assert "Province administrator" in page
    assert "Province or city" in page and "only for a province administrator" in page
    assert "Province administrator: Thành phố Huế" in page  # a place's name is kept
    for vietnamese in ("Quản trị cấp tỉnh", "Tỉnh, thành phố", "chỉ với quản trị cấp tỉnh"):
        assert vietnamese not in page
