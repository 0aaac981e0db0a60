"""Inbox and message pages (gateway/routes/inbox.py, messages.py) with a fake
notifications service in the FakeRpc port."""

import re

import pytest

from shared.contracts.notifications import Preferences
from shared.errors import InvalidInput, NotFound, parse
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

ITEM = {
    "id": "4df14aa7-307d-5fff-ab42-fc362363a1eb",
    "title": "Họp tổ dân phố <tối thứ Bảy>",
    "body": "Họp lúc 19 giờ tại nhà văn hóa.\nMời đại diện mỗi hộ.",
    "link": None,
    "official": True,
    "created_at": "2026-12-01T02:00:00Z",
    "read_at": None,
}


@pytest.fixture
def notifications(rpc: FakeRpc) -> dict:
    """A fake inbox for household HA7K2M and official minh; records what was saved."""
    state = {"read": set(), "saved": None, "sent": None}

    def known(owner: dict) -> None:
        if owner.get("household") not in (None, "HA7K2M"):
            raise NotFound(f"Không tìm thấy hộ có mã {owner['household']}. Vui lòng kiểm tra lại.")

    def open_inbox(query: dict) -> dict:
        known(query["owner"])
        items = [
            {**ITEM, "read_at": "2026-12-01T03:00:00Z" if ITEM["id"] in state["read"] else None}
        ]
        return {
            "owner": query["owner"],
            "unread": sum(not i["read_at"] for i in items),
            "items": items,
        }

    def read_item(query: dict) -> dict:
        if query["item_id"] != ITEM["id"]:
            raise NotFound("Không tìm thấy tin này trong hộp thư.")
        state["read"].add(ITEM["id"])
        return {**ITEM, "read_at": "2026-12-01T03:00:00Z"}

    def save_preferences(payload: dict) -> dict:
        state["saved"] = parse(Preferences, payload)
        return payload

    def send_message(payload: dict) -> dict:
        state["sent"] = payload
        if payload["audience"].get("household") == "HZZZZ9":
            return {"message_id": "m9", "inboxes": 0, "deliveries": 0, "unknown_recipients": 1}
        return {"message_id": "m2", "inboxes": 2, "deliveries": 1, "unknown_recipients": 0}

    rpc.answer("notifications", "open_inbox", open_inbox)
    rpc.answer("notifications", "read_item", read_item)
    rpc.answer("notifications", "mark_all_read", lambda q: state["read"].add(ITEM["id"]) or {})
    rpc.answer(
        "notifications",
        "get_preferences",
        lambda owner: {"preferences": {"owner": owner}, "available": ["email", "sms"]},
    )
    rpc.answer("notifications", "save_preferences", save_preferences)
    rpc.answer("notifications", "send_message", send_message)
    rpc.answer("notifications", "list_messages", lambda q: {"messages": []})
    return state


WRITE = "/communes/huong-an/thong-bao/moi"


def write(client, **fields):
    """Send the new-message form as offered, with `fields` typed in."""
    form = client.get(WRITE).text
    data = {"csrf_token": csrf_of(form), "request_id": "req-abcdefgh", "title": "Tin", **fields}
    return client.post(WRITE, data={"body": "Nội dung", **data})


def enter(client, code: str):
    token = csrf_of(client.get("/hop-thu").text)
    return client.post("/hop-thu", data={"code": code, "csrf_token": token})


def test_a_household_opens_its_inbox_with_its_code_which_stays_out_of_the_url(
    client, notifications
):
    assert 'name="code"' in client.get("/hop-thu").text
    response = enter(client, " ha7k2m ")
    assert response.status_code == 303 and response.headers["location"] == "/hop-thu"

    page = client.get("/hop-thu").text
    assert "Hộp thư của hộ HA7K2M" in page and "<strong>1</strong> tin chưa đọc" in page
    assert "Họp tổ dân phố &lt;tối thứ Bảy&gt;" in page  # escaped
    links = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert "/hop-thu/tin/4df14aa7-307d-5fff-ab42-fc362363a1eb" in links
    assert not [link for link in links if "HA7K2M" in link.upper()]


def test_a_wrong_or_unknown_code_is_refused_in_vietnamese_keeping_what_was_typed(
    client, notifications
):
    malformed = enter(client, "12")
    assert malformed.status_code == 422 and "Mã hộ chưa đúng" in malformed.text
    assert 'value="12"' in malformed.text
    unknown = enter(client, "HZZZZ9")
    assert unknown.status_code == 404 and "Không tìm thấy hộ có mã HZZZZ9" in unknown.text


def test_opening_a_message_marks_it_read(client, notifications):
    enter(client, "HA7K2M")
    page = client.get("/hop-thu/tin/4df14aa7-307d-5fff-ab42-fc362363a1eb").text
    assert "Mời đại diện mỗi hộ." in page and "Thông báo chính thức" in page
    assert "Không có tin chưa đọc" in client.get("/hop-thu").text


def test_a_typed_code_is_checked_with_a_key_of_the_sender_and_a_page_load_without(
    client, notifications, rpc
):
    enter(client, "HA7K2M")
    client.get("/hop-thu")
    typed, loaded = rpc.calls_to("notifications", "open_inbox")
    assert len(typed[0]["client_key"]) == 32 and "testclient" not in typed[0]["client_key"]
    assert loaded[0]["client_key"] is None


def test_leaving_forgets_the_code(client, notifications):
    enter(client, "HA7K2M")
    token = csrf_of(client.get("/hop-thu").text)
    client.post("/hop-thu/thoat", data={"csrf_token": token})
    assert 'name="code"' in client.get("/hop-thu").text


def test_preferences_need_an_address_for_each_channel_chosen(client, notifications):
    enter(client, "HA7K2M")
    token = csrf_of(client.get("/hop-thu/cai-dat").text)
    refused = client.post(
        "/hop-thu/cai-dat",
        data={"csrf_token": token, "channels": ["sms"], "phone": "", "language": "vi"},
    )
    assert refused.status_code == 422 and "Mỗi cách nhận đã chọn cần có địa chỉ" in refused.text
    bad_phone = client.post(
        "/hop-thu/cai-dat",
        data={"csrf_token": token, "channels": ["sms"], "phone": "12345", "language": "vi"},
    )
    assert "Số điện thoại chưa đúng" in bad_phone.text and 'value="12345"' in bad_phone.text
    assert notifications["saved"] is None

    saved = client.post(
        "/hop-thu/cai-dat",
        data={"csrf_token": token, "channels": ["sms"], "phone": "0912 345 678", "language": "en"},
    )
    assert saved.status_code == 303
    assert notifications["saved"].phone == "0912345678" and notifications["saved"].language == "en"


def test_only_the_channels_the_commune_can_send_by_are_offered(client, notifications):
    enter(client, "HA7K2M")
    page = client.get("/hop-thu/cai-dat").text
    assert 'value="email"' in page and 'value="sms"' in page
    assert 'value="zalo"' not in page and 'name="zalo_user_id"' not in page


def test_the_staff_inbox_needs_signing_in(client, notifications):
    assert client.get("/can-bo/hop-thu").headers["location"].startswith("/staff/sign-in")
    sign_in(client)
    assert "Hộp thư" in client.get("/can-bo/hop-thu").text
    [(query,)] = client.app.state.rpc.calls_to("notifications", "open_inbox")
    assert query["owner"] == {"household": None, "username": "minh"}


def test_staff_send_to_a_group_and_get_a_receipt(client, notifications):
    sign_in(client)
    form = client.get("/communes/huong-an/thong-bao/moi").text
    assert "Tổ dân phố 2 (1207 hộ)" in form
    response = client.post(
        "/communes/huong-an/thong-bao/moi",
        data={
            "csrf_token": csrf_of(form),
            "request_id": "req-abcdefgh",
            "kind": "unit",
            "unit_id": "tổ-dân-phố-2",
            "household": "ignored",
            "title": "Lịch tiêm phòng",
            "body": "Sáng Chủ nhật tại trạm y tế.",
        },
    )
    assert response.status_code == 303
    assert notifications["sent"]["audience"] == {
        "kind": "unit",
        "username": None,
        "household": None,
        "unit_id": "tổ-dân-phố-2",
        "role": None,
        "poll_id": None,
        "course_id": None,
        "session_id": None,
        "phone": None,
        "email": None,
    }
    assert "Đã gửi vào 2 hộp thư" in client.get("/communes/huong-an/thong-bao").text


def test_a_message_without_a_title_or_a_valid_household_code_is_not_sent(client, notifications):
    sign_in(client)
    response = write(client, kind="household", household="xx", title="", body="Nội dung")
    assert response.status_code == 422
    assert "Mã hộ chưa đúng" in response.text and "Vui lòng điền mục này." in response.text
    assert ">Nội dung</textarea>" in response.text
    assert notifications["sent"] is None


def test_an_unknown_household_is_said_in_the_receipt(client, notifications):
    sign_in(client)
    write(client, kind="household", household="HZZZZ9", title="Tin", body="Nội dung")
    assert "1 người nhận không tìm thấy" in client.get("/communes/huong-an/thong-bao").text


def test_refusals_from_the_service_reach_the_form(client, notifications, rpc):
    def refuse(payload):
        raise InvalidInput(fields={"title": "Quá dài: tối đa 150 ký tự."})

    rpc.answer("notifications", "send_message", refuse)
    sign_in(client)
    response = write(client, kind="unit", unit_id="huong-an", title="Tin", body="Nội dung")
    assert response.status_code == 422 and "Quá dài: tối đa 150 ký tự." in response.text
