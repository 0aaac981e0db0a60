"""Gateway pages and forms, with a fake RPC port in place of the broker."""

import re

import pytest
from starlette.testclient import TestClient

from shared.errors import Forbidden, InvalidInput, NotFound, WireError
from tests.samples import sample_poll
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import ACCOUNTS, PASSWORD, csrf_of, group, sign_in


def form_page(client: TestClient) -> str:
    return client.get("/communes/huong-an/units/new").text


def submit_unit(client: TestClient, **fields: str):
    html = form_page(client)
    data = {
        "csrf_token": csrf_of(html),
        "kind": "residential_group",
        "name": "Tổ dân phố 7",
        "local_label": "",
        "valid_from": "2025-08-01",
        "request_id": re.search(r'name="request_id" value="([0-9a-f]{32})"', html).group(1),
    }
    return client.post("/communes/huong-an/units/new", data={**data, **fields})


def test_the_home_page_lists_communes_in_vietnamese_without_javascript(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert 'name="viewport"' in response.text
    assert "<script" not in response.text
    assert 'href="/communes/huong-an">Phường Hương An</a>' in response.text


def test_a_commune_page_shows_each_group_and_the_total_households(client):
    html = client.get("/communes/huong-an").text
    assert "Tổ dân phố 1" in html and "Tổ dân phố 2" in html
    assert "<strong>1.241</strong> hộ gia đình" in html  # Vietnamese thousands separator


def test_the_add_form_asks_visitors_to_sign_in_first(client):
    response = client.get("/communes/huong-an/units/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=/communes/huong-an/units/new"


def test_a_wrong_password_is_refused_with_a_message(client):
    token = csrf_of(client.get("/staff/sign-in").text)
    response = client.post(
        "/staff/sign-in", data={"username": "minh", "password": "đoán-bừa", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert client.get("/communes/huong-an/units/new").status_code == 303


def test_sign_in_returns_only_to_pages_of_this_site(client):
    token = csrf_of(client.get("/staff/sign-in").text)
    response = client.post(
        "/staff/sign-in",
        data={
            "username": "minh",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert response.headers["location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_sent(client, rpc):
    sign_in(client)
    response = client.post(
        "/communes/huong-an/units/new",
        data={"kind": "residential_group", "name": "Tổ dân phố 7", "valid_from": "2025-08-01"},
    )
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.text
    assert rpc.calls_to("directory", "add_residential_unit") == []


def test_missing_fields_are_shown_next_to_the_fields_and_nothing_is_sent(client, rpc):
    sign_in(client)
    response = submit_unit(client, name="  ", valid_from="")
    assert response.status_code == 422
    assert '<p class="error" id="name-error">Vui lòng điền mục này.</p>' in response.text
    assert 'id="valid_from-error"' in response.text
    assert 'aria-invalid="true" aria-describedby="name-error"' in response.text
    assert rpc.calls_to("directory", "add_residential_unit") == []


def test_a_refusal_from_the_service_is_shown_on_the_form_with_the_values_kept(client, rpc):
    def refuse(payload: dict) -> None:
        raise InvalidInput(fields={"name": "Đã có đơn vị tên “Tổ dân phố 7”."})

    rpc.answer("directory", "add_residential_unit", refuse)
    sign_in(client)
    response = submit_unit(client, local_label="khóm")
    assert response.status_code == 422
    assert "Đã có đơn vị tên “Tổ dân phố 7”." in response.text
    assert 'value="khóm"' in response.text


def test_an_accepted_unit_is_confirmed_on_the_commune_page(client, rpc):
    sign_in(client)
    response = submit_unit(client)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/communes/huong-an")
    [(payload,)] = rpc.calls_to("directory", "add_residential_unit")
    assert payload["name"] == "Tổ dân phố 7" and payload["local_label"] is None
    assert len(payload["request_id"]) == 32
    assert "Đã thêm “Tổ dân phố 7” vào Phường Hương An." in client.get("/communes/huong-an").text


def test_a_stopped_directory_gives_a_clear_503_page(client, rpc):
    del rpc.handlers[("directory", "get_commune_overview")]
    response = client.get("/communes/huong-an")
    assert response.status_code == 503
    assert "Dịch vụ tạm ngừng" in response.text
    assert "không bị mất" in response.text


def test_the_commune_page_still_works_when_notifications_are_down(client, rpc):
    del rpc.handlers[("notifications", "list_staff_notices")]
    sign_in(client)
    response = client.get("/communes/huong-an")
    assert response.status_code == 200
    assert "dịch vụ thông báo đang tạm ngừng" in response.text


def test_healthz_names_the_service_that_is_down(client, rpc):
    assert client.get("/healthz").json()["status"] == "ok"
    del rpc.handlers[("notifications", "health")]
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["services"]["notifications"] == {"status": "down", "database": "unknown"}
    assert response.json()["services"]["directory"]["status"] == "up"


def test_healthz_reports_a_database_a_service_cannot_reach(client, rpc):
    rpc.answer("directory", "health", lambda: {"service": "directory", "database_up": False})
    body = client.get("/healthz").json()
    assert (body["status"], body["database"]) == ("degraded", "down")


def test_the_gateways_own_probes_ask_nothing_of_the_services(client, rpc):
    rpc.handlers.clear()  # every service down: the gateway itself is still live and ready
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 503


def test_the_gateway_is_not_ready_without_its_broker(client, rpc):
    rpc.connected = False
    assert client.get("/readyz").status_code == 503
    assert client.get("/livez").status_code == 200


def test_api_errors_are_json_with_a_code_and_a_vietnamese_message(client, rpc):
    del rpc.handlers[("directory", "get_commune_overview")]
    response = client.get("/api/communes/huong-an")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ServiceUnavailable"
    assert response.json()["error"]["message"].startswith("Dịch vụ đang tạm ngừng")


def test_unknown_pages_are_a_vietnamese_404(client):
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text


def test_internal_errors_do_not_leak_their_details_to_the_api(client, rpc):
    def crash(query: dict) -> None:
        raise WireError("ServerSelectionTimeoutError: db1.internal:27017 refused")

    rpc.answer("directory", "get_commune_overview", crash)
    response = client.get("/api/communes/huong-an")
    assert response.status_code == 500
    assert "db1.internal" not in response.text
    assert "db1.internal" not in client.get("/communes/huong-an").text


def test_healthz_reports_the_broker_down(client, rpc):
    rpc.connected = False
    body = client.get("/healthz").json()
    assert (body["status"], body["broker"]) == ("degraded", "down")


def test_signing_out_ends_the_session_even_for_a_copied_cookie(client):
    sign_in(client)
    copied = dict(client.cookies)
    client.post("/staff/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    client.cookies.update(copied)
    assert client.get("/communes/huong-an/units/new").status_code == 303


def test_a_locked_account_is_told_so(client):
    token = csrf_of(client.get("/staff/sign-in").text)
    response = client.post(
        "/staff/sign-in", data={"username": "locked", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 423
    assert "tạm khóa" in response.text


def test_staff_of_another_commune_are_not_offered_its_forms(client):
    sign_in(client, "tuan")
    page = client.get("/communes/huong-an").text
    assert "Thêm thôn, tổ dân phố" not in page
    assert "Tuan" in page  # signed in all the same


HOUSEHOLD = {
    "code": "HA7K2M",
    "address": "Số 3, kiệt 5",
    "representative_name": "Lê Thị Hoa",
    "members": [{"name": "Lê Thị Hoa", "birth_year": 1968, "phone": "0912345678"}],
    "periods": [
        {"unit_id": "to-dan-pho-1", "status": "active", "start": "2025-07-01", "end": "2025-09-01"},
        {"unit_id": "to-dan-pho-2", "status": "active", "start": "2025-09-01", "end": None},
    ],
}


def test_staff_find_a_household_and_open_its_history(client, rpc):
    rpc.answer("directory", "search_households", lambda q: {"households": [HOUSEHOLD]})
    rpc.answer(
        "directory",
        "household_details",
        lambda q: {
            "household": HOUSEHOLD,
            "unit_names": {"to-dan-pho-1": "Tổ dân phố 1", "to-dan-pho-2": "Tổ dân phố 2"},
        },
    )
    sign_in(client)

    found = client.get("/communes/huong-an/households", params={"q": "0912 345 678"})
    assert found.status_code == 200
    assert '<a href="/households/HA7K2M">Lê Thị Hoa</a>' in found.text
    [(query,)] = rpc.calls_to("directory", "search_households")
    assert query == {"actor": "minh", "commune_id": "huong-an", "text": "0912 345 678", "limit": 50}

    page = client.get("/households/HA7K2M").text
    assert "Đang cư trú tại <strong>Tổ dân phố 2</strong> từ 01/09/2025." in page
    assert page.index("01/09/2025") < page.index("01/07/2025")  # newest first
    assert "0912345678" in page


def test_a_search_too_short_is_explained_and_not_sent(client, rpc):
    sign_in(client)
    page = client.get("/communes/huong-an/households", params={"q": "a"})
    assert "ít nhất 2 ký tự" in page.text
    assert rpc.calls_to("directory", "search_households") == []


def test_household_pages_are_for_signed_in_staff_only(client):
    assert client.get("/households/HA7K2M").status_code == 303
    assert client.get("/communes/huong-an/households?q=Hoa").status_code == 303


def test_a_household_of_another_commune_is_refused_with_403(client, rpc):
    def refuse(query: dict) -> None:
        raise Forbidden("Bạn không có quyền với dữ liệu của xã, phường này.")

    rpc.answer("directory", "household_details", refuse)
    sign_in(client, "tuan")
    response = client.get("/households/HA7K2M")
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.text


def test_the_audit_log_reads_in_vietnamese_and_vietnam_time(client, rpc):
    rpc.answer(
        "directory",
        "list_audit",
        lambda q: {
            "entries": [
                {
                    "at": "2026-01-05T08:04:00Z",
                    "actor": "minh",
                    "action": "register_household",
                    "target": "HA7K2M",
                    "commune_id": "huong-an",
                    "before": {"address": "Số 1"},
                    "after": {"address": "Số 9"},
                }
            ]
        },
    )
    sign_in(client)
    page = client.get("/communes/huong-an/audit").text
    assert "<strong>Ghi nhận hộ gia đình</strong>: HA7K2M" in page
    assert "05/01/2026 15:04 · minh" in page  # UTC+7
    assert "<li>địa chỉ: Số 1 → Số 9</li>" in page


def test_the_audit_log_names_the_communes_units_rather_than_their_ids(client, rpc):
    unit = group("Tổ dân phố 2", 0)["unit"]
    entry = {
        "at": "2026-01-05T08:04:00Z",
        "actor": "minh",
        "action": "add_residential_unit",
        "target": unit["id"],
        "commune_id": "huong-an",
        "before": None,
        "after": unit,
    }
    rpc.answer("directory", "list_audit", lambda q: {"entries": [entry]})
    sign_in(client)
    page = client.get("/communes/huong-an/audit").text
    assert "<strong>Thêm thôn, tổ dân phố</strong>: Tổ dân phố 2" in page
    assert "<li>loại: tổ dân phố</li>" in page
    assert "<li>thuộc: Phường Hương An</li>" in page
    assert "<li>hiệu lực từ: 01/07/2025</li>" in page


def audit_entry(at: str, action: str, target: str, after: dict) -> dict:
    return {
        "at": at,
        "actor": "minh",
        "action": action,
        "target": target,
        "commune_id": "huong-an",
        "before": None,
        "after": after,
    }


def test_the_audit_log_merges_the_services_entries_newest_first_naming_the_poll(client, rpc):
    directory_entry = audit_entry("2026-01-05T08:00:00Z", "register_household", "HA7K2M", {})
    counted = {"unit_id": "tdp-1", "recorded": ["HA7K2M"]}
    paper = audit_entry("2026-01-06T08:00:00Z", "record_paper_returns", "p1", counted)
    sent = audit_entry("2026-01-07T08:00:00Z", "send_message", "m1", {"title": "Họp tổ"})
    rpc.answer("directory", "list_audit", lambda q: {"entries": [directory_entry]})
    rpc.answer("surveys", "list_audit", lambda q: {"entries": [paper]})
    rpc.answer("notifications", "list_audit", lambda q: {"entries": [sent]})
    poll = {"id": "p1", "title": "Giờ thu gom rác"}
    rpc.answer("surveys", "list_polls", lambda q: {"polls": [sample_poll(**poll)]})
    sign_in(client)
    page = client.get("/communes/huong-an/audit").text
    newest = page.index("<strong>Gửi thông báo</strong>")
    paper_entry = page.index("<strong>Ghi nhận hộ nộp phiếu giấy</strong>: Giờ thu gom rác")
    assert newest < paper_entry < page.index("<strong>Ghi nhận hộ gia đình</strong>: HA7K2M")
    assert "Họp tổ" in page
    assert "dịch vụ đang tạm ngừng" not in page


def test_the_audit_log_shows_the_directorys_entries_when_surveys_is_down(client, rpc):
    entry = audit_entry("2026-01-05T08:00:00Z", "register_household", "HA7K2M", {})
    rpc.answer("directory", "list_audit", lambda q: {"entries": [entry]})
    sign_in(client)
    page = client.get("/communes/huong-an/audit").text
    assert "<strong>Ghi nhận hộ gia đình</strong>: HA7K2M" in page
    assert "dịch vụ đang tạm ngừng" in page


def test_staff_who_may_not_read_the_audit_log_get_403(client, rpc):
    def refuse(query: dict) -> None:
        raise Forbidden("Chỉ quản trị và Ban Thanh tra nhân dân xem được nhật ký thay đổi.")

    rpc.answer("directory", "list_audit", refuse)
    sign_in(client)
    response = client.get("/communes/huong-an/audit")
    assert response.status_code == 403
    assert "Ban Thanh tra nhân dân" in response.text


def test_an_administrator_adds_an_account_and_refusals_keep_the_password_secret(client, rpc):
    rpc.answer("directory", "list_accounts", lambda q: {"accounts": [ACCOUNTS["minh"]]})
    created = []
    rpc.answer("directory", "create_account", lambda c: created.append(c) or c)
    sign_in(client, "lan")
    page = client.get("/communes/huong-an/staff").text
    assert "Minh" in page and "Cán bộ cấp xã" in page

    form = {
        "csrf_token": csrf_of(page),
        "full_name": "Lê Văn Bình",
        "username": "binh",
        "password": "mật-khẩu-ban-đầu-dài",
        "role": "inspector",
        "unit_id": "",
    }
    response = client.post("/communes/huong-an/staff", data=form)
    assert response.status_code == 303
    assert created[0]["roles"] == [{"role": "inspector", "unit_id": "huong-an"}]
    assert "Đã tạo tài khoản binh." in client.get("/communes/huong-an/staff").text

    def refuse(command: dict) -> None:
        raise InvalidInput(fields={"roles": "Thành viên Ban Thanh tra nhân dân không được..."})

    rpc.answer("directory", "create_account", refuse)
    response = client.post("/communes/huong-an/staff", data=form)
    assert response.status_code == 422
    assert "Thành viên Ban Thanh tra nhân dân không được..." in response.text
    assert "mật-khẩu-ban-đầu-dài" not in response.text
    assert 'value="binh"' in response.text


STAFF_PAGE = "/communes/huong-an/staff"
HEAD_OF_GROUP_1 = {"role": "group_head", "unit_id": "tổ-dân-phố-1"}
COMMUNE_STAFF = {"role": "commune_staff", "unit_id": "huong-an"}


def staff_page_with_minh(rpc: FakeRpc) -> list[tuple[str, dict]]:
    """The staff page lists Minh; role changes sent to the directory are recorded."""
    rpc.answer("directory", "list_accounts", lambda q: {"accounts": [ACCOUNTS["minh"]]})
    sent: list[tuple[str, dict]] = []
    for method in ("grant_role", "revoke_role"):
        rpc.answer("directory", method, lambda c, m=method: sent.append((m, c)) or c)
    return sent


def test_an_administrator_grants_and_revokes_a_role_and_is_told_it_was_done(client, rpc):
    sent = staff_page_with_minh(rpc)
    sign_in(client, "lan")
    page = client.get(STAFF_PAGE).text
    assert page.count("Thu hồi vai trò<span") == 1  # Minh's one role
    assert f'action="{STAFF_PAGE}/grant"' in page
    token = csrf_of(page)

    grant = {"csrf_token": token, "username": "Minh", **HEAD_OF_GROUP_1}
    response = client.post(f"{STAFF_PAGE}/grant", data=grant)
    assert response.status_code == 303
    assert response.headers["location"].endswith(STAFF_PAGE)
    assert "Đã cấp vai trò tổ trưởng / trưởng thôn cho minh." in client.get(STAFF_PAGE).text

    revoke = {"csrf_token": token, "username": "minh", **COMMUNE_STAFF}
    assert client.post(f"{STAFF_PAGE}/revoke", data=revoke).status_code == 303
    assert "Đã thu hồi vai trò cán bộ cấp xã của minh." in client.get(STAFF_PAGE).text
    assert sent == [
        ("grant_role", {"actor": "lan", "username": "minh", "grant": HEAD_OF_GROUP_1}),
        ("revoke_role", {"actor": "lan", "username": "minh", "grant": COMMUNE_STAFF}),
    ]


def refuse(error: Exception):
    def handler(command: dict) -> None:
        raise error

    return handler


def test_a_refused_role_change_shows_the_services_reason_on_the_page(client, rpc):
    staff_page_with_minh(rpc)
    sign_in(client, "lan")
    token = csrf_of(client.get(STAFF_PAGE).text)

    independence = "Thành viên Ban Thanh tra nhân dân không được đồng thời là cán bộ cấp xã"
    rpc.answer("directory", "grant_role", refuse(InvalidInput(fields={"roles": independence})))
    grant = {"csrf_token": token, "username": "hoa", **COMMUNE_STAFF}
    response = client.post(f"{STAFF_PAGE}/grant", data=grant)
    assert response.status_code == 422
    assert "Chưa cấp được vai trò." in response.text and independence in response.text
    assert 'id="grant_role-username" name="username" value="hoa"' in response.text

    rpc.answer("directory", "grant_role", refuse(NotFound("Không tìm thấy tài khoản khongco.")))
    response = client.post(f"{STAFF_PAGE}/grant", data=grant | {"username": "khongco"})
    assert response.status_code == 404
    assert "Không tìm thấy tài khoản khongco." in response.text

    no_right = "Bạn không có quyền phân vai trò này."
    rpc.answer("directory", "revoke_role", refuse(Forbidden(no_right)))
    revoke = {"csrf_token": token, "username": "minh", **COMMUNE_STAFF}
    response = client.post(f"{STAFF_PAGE}/revoke", data=revoke)
    assert response.status_code == 403
    assert "Chưa thu hồi được vai trò." in response.text and no_right in response.text
    assert "Đã thu hồi" not in client.get(STAFF_PAGE).text


def test_a_role_change_without_its_csrf_token_is_refused_and_nothing_is_sent(client, rpc):
    sent = staff_page_with_minh(rpc)
    sign_in(client, "lan")
    revoke = {"username": "minh", **COMMUNE_STAFF}
    assert client.post(f"{STAFF_PAGE}/revoke", data=revoke).status_code == 403
    assert sent == []


def test_inspectors_read_the_staff_list_but_are_not_offered_the_forms(client, rpc):
    staff_page_with_minh(rpc)
    sign_in(client, "hoa")
    page = client.get(STAFF_PAGE).text
    assert "Minh" in page and "Cán bộ cấp xã" in page
    for form in (f"{STAFF_PAGE}/revoke", f"{STAFF_PAGE}/grant", f'action="{STAFF_PAGE}"'):
        assert form not in page
    assert "Chỉ quản trị cấp xã thêm được tài khoản" in page


@pytest.mark.parametrize("username, offered", [("minh", False), ("lan", True), ("hoa", True)])
def test_only_administrators_and_inspectors_are_offered_the_staff_list_and_audit_log(
    client, username, offered
):
    sign_in(client, username)
    page = client.get("/communes/huong-an").text
    assert ("/communes/huong-an/staff" in page) is offered
    assert ("/communes/huong-an/audit" in page) is offered
    assert "/communes/huong-an/households" in page


def test_the_commune_page_says_so_when_surveys_is_down_and_still_shows_units(client, rpc):
    del rpc.handlers[("surveys", "list_polls")]
    response = client.get("/communes/huong-an")
    assert response.status_code == 200
    assert "dịch vụ lấy ý kiến đang tạm ngừng" in response.text
    assert "Tổ dân phố 2" in response.text


def test_pages_and_the_stylesheet_are_compressed_for_slow_connections(client):
    for path in ("/communes/huong-an", "/static/site.css"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("next_page", "back_to"),
    [
        (None, "/"),
        ("/communes/huong-an?tab=1", "/communes/huong-an?tab=1"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
    ],
)
def test_the_language_link_keeps_the_choice_and_goes_back_only_to_this_site(
    client, next_page, back_to
):
    params = {"next": next_page} if next_page is not None else {}
    response = client.get("/ngon-ngu/en", params=params, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == back_to
    assert client.cookies.get("danban_lang") == "en"
    assert '<html lang="en">' in client.get("/").text


def test_an_unknown_language_is_kept_as_vietnamese(client):
    client.get("/ngon-ngu/xx", follow_redirects=False)
    assert client.cookies.get("danban_lang") == "vi"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="vi">' in page.text and page.headers["content-language"] == "vi"
