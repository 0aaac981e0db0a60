"""The webhooks staff pages (gateway/routes/webhooks_staff.py) with a fake webhooks
service in the FakeRpc port: registering shows the secret once and is never cached,
the service's refusal is shown beside the field, the delivery log and its dead
letters with "send again", deleting and rotating; and the pages in English."""

import pytest

from shared.errors import Forbidden, InvalidInput
from tests.unit.gateway_support import csrf_of, sign_in

HOOK = {
    "id": "w1",
    "scope_id": "huong-an",
    "scope_kind": "commune",
    "url": "https://tinh.hue.gov.vn/su-kien",
    "event_types": ["vn.danban.poll.closed", "vn.danban.poll.opened"],
    "description": "Cổng dữ liệu tỉnh",
    "created_by": "lan",
    "created_at": "2026-12-05T02:00:00Z",
    "secret_set_at": "2026-12-05T02:00:00Z",
}
SECRET = "whsec_" + "k" * 43


def delivery(status: str, **extra) -> dict:
    return {
        "id": f"w1:{status}",
        "webhook_id": "w1",
        "url": HOOK["url"],
        "event_id": "e1",
        "event_type": "vn.danban.poll.closed",
        "subject": "p1",
        "status": status,
        "attempts": 10 if status == "dead" else 1,
        "created_at": "2026-12-05T02:00:00Z",
    } | extra


@pytest.fixture
def webhooks(rpc):
    sent: dict[str, list] = {}

    def keep(method, answer):
        def handler(payload):
            sent.setdefault(method, []).append(payload)
            return answer(payload) if callable(answer) else answer

        rpc.answer("webhooks", method, handler)

    keep("list_webhooks", {"scope_id": "huong-an", "webhooks": [HOOK]})
    keep("register_webhook", {"webhook": HOOK, "secret": SECRET})
    keep("rotate_secret", {"webhook": HOOK, "secret": SECRET})
    keep("delete_webhook", HOOK)
    keep("retry_delivery", delivery("waiting"))

    def log(query):
        if query["dead_only"]:
            dead = delivery("dead", last_status_code=500, last_error="HTTP 500")
            return {"scope_id": "huong-an", "deliveries": [dead]}
        sent_at = {"sent_at": "2026-12-05T02:01:00Z", "last_status_code": 204}
        return {"scope_id": "huong-an", "deliveries": [delivery("sent", **sent_at)]}

    keep("list_deliveries", log)
    return sent


PAGE = "/can-bo/xa/huong-an/webhooks"


def test_the_page_lists_the_communes_endpoints_with_the_events_they_receive(client, webhooks):
    sign_in(client, "lan")

    page = client.get(PAGE)

    assert page.status_code == 200
    assert "https://tinh.hue.gov.vn/su-kien" in page.text
    assert "Kết thúc cuộc lấy ý kiến, biểu quyết" in page.text
    assert webhooks["list_webhooks"] == [{"actor": "lan", "scope_id": "huong-an"}]


def test_registering_shows_the_secret_once_on_a_page_no_cache_keeps(client, webhooks):
    sign_in(client, "lan")
    token = csrf_of(client.get(PAGE).text)

    page = client.post(
        PAGE,
        data={"csrf_token": token, "url": "https://tinh.hue.gov.vn/su-kien",
              "event_types": ["vn.danban.poll.opened", "vn.danban.poll.closed"]},
    )  # fmt: skip

    assert page.status_code == 200
    assert SECRET in page.text
    assert page.headers["cache-control"] == "no-store"
    command = webhooks["register_webhook"][0]
    assert command["actor"] == "lan" and command["scope_id"] == "huong-an"
    assert command["event_types"] == ["vn.danban.poll.opened", "vn.danban.poll.closed"]


def test_a_refused_address_is_said_beside_the_field_and_what_was_typed_stays(client, webhooks, rpc):
    def refuse(payload):
        raise InvalidInput(fields={"url": "Địa chỉ nhận phải bắt đầu bằng https://."})

    rpc.answer("webhooks", "register_webhook", refuse)
    sign_in(client, "lan")
    token = csrf_of(client.get(PAGE).text)

    page = client.post(
        PAGE,
        data={
            "csrf_token": token,
            "url": "http://tinh.test/h",
            "event_types": ["vn.danban.poll.opened"],
        },
    )

    assert page.status_code == 422
    assert "phải bắt đầu bằng https://" in page.text
    assert 'value="http://tinh.test/h"' in page.text


def test_no_event_chosen_is_refused_before_asking_the_service(client, webhooks, rpc):
    sign_in(client, "lan")
    token = csrf_of(client.get(PAGE).text)

    page = client.post(PAGE, data={"csrf_token": token, "url": "https://tinh.test/h"})

    assert page.status_code == 422
    assert "ít nhất một loại sự kiện" in page.text
    assert "register_webhook" not in webhooks


def test_rotating_shows_the_new_secret_and_deleting_goes_back_to_the_list(client, webhooks):
    sign_in(client, "lan")
    token = csrf_of(client.get(PAGE).text)

    rotated = client.post(f"{PAGE}/w1/doi-khoa", data={"csrf_token": token})
    deleted = client.post(f"{PAGE}/w1/xoa", data={"csrf_token": token})

    assert SECRET in rotated.text and rotated.headers["cache-control"] == "no-store"
    assert deleted.status_code == 303 and deleted.headers["location"] == PAGE
    assert webhooks["delete_webhook"] == [{"actor": "lan", "webhook_id": "w1"}]


def test_the_delivery_log_shows_status_attempts_and_answer_and_retries_a_dead_letter(
    client, webhooks
):
    sign_in(client, "lan")

    page = client.get(f"{PAGE}/gui")
    retried = client.post(
        f"{PAGE}/gui", data={"csrf_token": csrf_of(page.text), "delivery_id": "w1:dead"}
    )

    assert "Gửi không được" in page.text and "HTTP 500" in page.text
    assert "số lần thử: 10" in page.text and "mã trả lời 204" in page.text
    assert retried.status_code == 303
    assert webhooks["retry_delivery"] == [{"actor": "lan", "delivery_id": "w1:dead"}]


def test_staff_the_service_refuses_see_the_refusal(client, webhooks, rpc):
    def forbid(query):
        raise Forbidden("Chỉ quản trị cấp xã (hoặc cấp tỉnh) được quản lý việc gửi sự kiện này.")

    rpc.answer("webhooks", "list_webhooks", forbid)
    sign_in(client, "minh")

    page = client.get(PAGE)

    assert page.status_code == 403


def test_the_pages_read_in_english(client, webhooks):
    sign_in(client, "lan")
    client.cookies.set("danban_lang", "en")

    listing = client.get(PAGE).text
    log = client.get(f"{PAGE}/gui").text

    assert "Register a receiving address" in listing and "A consultation or vote closed" in listing
    assert "Đăng ký địa chỉ nhận" not in listing and "Các sự kiện muốn nhận" not in listing
    assert "Undelivered" in log and "attempts: 10" in log and "Send again" in log
    assert "Nhật ký gửi sự kiện" not in log and "lần thử" not in log
