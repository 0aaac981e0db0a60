"""The notice board, the inboxes and the staff's message pages in English (issue #17,
point 1), and the notices the notifications service writes in Vietnamese, shown
translated where they are read."""

# i18n-exempt-file: test data, the Vietnamese the pages must show or must no longer show

import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from services.notifications import board, domain, messages
from shared import i18n
from shared.contracts.disclosures import Disclosure, DisclosurePosted, PostDisclosure
from shared.contracts.notifications import Language
from shared.contracts.surveys import PollDecided, PollKind
from shared.disclosure_periods import late_warning
from shared.errors import InvalidInput
from tests.unit.gateway_support import csrf_of, sign_in
from tests.unit.test_board_pages import BOARD, NEW, disclosure, filled, notices  # noqa: F401

ENGLISH = {"danban_lang": "en"}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def posted(**fields) -> DisclosurePosted:
    item = Disclosure.model_validate(disclosure(**fields))
    return DisclosurePosted(event_id="e1", occurred_at=NOW, disclosure=item)


def system_texts(event: DisclosurePosted) -> tuple[str, str]:
    """What the service stores for a household in Vietnamese."""
    draft = messages.drafts_for_disclosure(event, "https://d.example")[0]
    return draft.texts[Language.VI]


@pytest.fixture
def inbox(rpc):
    """A fake inbox of household HA7K2M holding a disclosure notice the service wrote
    in Vietnamese, and a message staff wrote."""
    title, body = system_texts(posted())
    items = [
        {
            "id": "m1",
            "title": title,
            "body": body,
            "link": "https://d.example/communes/huong-an/cong-khai/d1",
            "official": True,
            "created_at": "2026-12-01T02:00:00Z",
            "read_at": None,
        },
        {
            "id": "m2",
            "title": "Kết quả: họp tổ dân phố tối thứ Bảy",
            "body": "Trả lời: họp lúc 19 giờ tại nhà văn hóa.",
            "link": None,
            "official": False,
            "by_staff": True,
            "created_at": "2026-12-01T03:00:00Z",
            "read_at": "2026-12-01T04:00:00Z",
        },
    ]
    rpc.answer(
        "notifications",
        "open_inbox",
        lambda query: {"owner": query["owner"], "unread": 1, "items": items},
    )
    rpc.answer(
        "notifications",
        "read_item",
        lambda query: next(i for i in items if i["id"] == query["item_id"]),
    )
    rpc.answer(
        "notifications",
        "get_preferences",
        lambda owner: {"preferences": {"owner": owner}, "available": ["email", "sms"]},
    )
    rpc.answer("notifications", "mark_all_read", lambda query: {"marked": 1})
    return rpc


def open_inbox(client) -> None:
    """Type the household code in, as a resident does."""
    token = csrf_of(client.get("/hop-thu").text)
    response = client.post("/hop-thu", data={"csrf_token": token, "code": "HA7K2M"})
    assert response.status_code == 303


# --- what residents read ----------------------------------------------------------


def test_the_notice_board_is_in_english(english, notices):  # noqa: F811
    html = english.get(BOARD).text
    assert "<h1>Public notice board</h1>" in html
    assert "Budget estimates, implementation and final accounts" in html  # item 2 of Art 11
    assert "Quyết định 12/QĐ-UBND of 30 Nov 2026" in html  # typed in: kept as typed
    assert "Posted 1 Dec 2026 – 30 Dec 2026" in html
    assert "Posted permanently from 1 Dec 2026" in html
    assert "Disclosure index, quarter" in html and "Archive:" in html
    for vietnamese in ("Bảng công khai", "Niêm yết", "Tất cả nội dung", "Lưu trữ", "ngày"):
        assert vietnamese not in html
    assert "Dự toán ngân sách phường năm 2027" in html  # a title staff typed stays


def test_the_archive_and_an_empty_choice_are_in_english(english, notices):  # noqa: F811
    notices.answer("notifications", "list_disclosures", lambda query: {"disclosures": []})
    html = english.get(BOARD + "/luu-tru").text
    assert "<h1>Disclosure archive</h1>" in html
    assert "No posting period has ended yet." in html
    assert "Nothing is disclosed under this item." in english.get(BOARD + "?muc=3").text


def test_a_disclosure_is_in_english(english, notices):  # noqa: F811
    html = english.get(BOARD + "/d1").text
    assert "Item 2" in html and "Posting period" in html and "Disclosure deadline" in html
    assert "Posted at the commune People's Committee office" in html
    assert "5 working days from the day of issue, Art 13" in html
    assert "Back to the notice board" in html
    for vietnamese in ("Căn cứ", "Hình thức", "Hạn công khai", "Mục", "Về bảng"):
        assert vietnamese not in html


def test_the_quarterly_index_is_in_english(english, notices):  # noqa: F811
    html = english.get(BOARD + "/quy/2026-4").text
    assert "<h1>Disclosure index, quarter 4/2026</h1>" in html
    assert "Disclosures that started between 1 Oct 2026 and 31 Dec 2026" in html
    assert "‹ Quarter 3/2026" in html and "Quarter 1/2027 ›" in html
    assert "Download the printable version (PDF)" in html and "permanently" in html
    for vietnamese in ("Danh mục", "Quý", "Nội dung", "vĩnh viễn", "Tải bản in"):
        assert vietnamese not in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_quarterly_index_pdf_is_in_english(english, notices, tmp_path):  # noqa: F811
    response = english.get(BOARD + "/quy/2026-4.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "INDEX OF PUBLIC DISCLOSURES, QUARTER 4/2026" in text
    assert "Disclosures starting from 1 Oct 2026 to 31 Dec 2026" in text
    assert "Basis: Quyết định 12/QĐ-UBND of 30 Nov 2026" in text
    assert "Item 13: Administrative procedures" in text
    for vietnamese in ("DANH MỤC", "Căn cứ:", "Hình thức:", "vĩnh viễn"):
        assert vietnamese not in text


def test_the_household_inbox_is_in_english(english, inbox):
    assert "Household inbox" in english.get("/hop-thu").text
    open_inbox(english)
    html = english.get("/hop-thu").text
    assert "Inbox of household HA7K2M" in html
    assert "Public disclosure: Dự toán ngân sách phường năm 2027" in html  # the service's
    # what staff wrote stays as written, even where it reads like a service's notice
    assert "Kết quả: họp tổ dân phố tối thứ Bảy" in html and "Result:" not in html
    assert "Official notice" in html and "Mark all as read" in html
    for vietnamese in ("Hộp thư", "Chưa đọc", "Công khai:", "Thông báo chính thức"):
        assert vietnamese not in html


def test_a_notice_the_service_wrote_is_read_in_english(english, inbox):
    open_inbox(english)
    html = english.get("/hop-thu/tin/m1").text
    assert "Public disclosure: Dự toán ngân sách phường năm 2027" in html
    assert (
        "Budget estimates, implementation and final accounts; recommendations of the State "
        "Audit Office. By Quyết định 12/QĐ-UBND of 30 Nov 2026. Posted from 1 Dec 2026 to "
        "30 Dec 2026. Full text: https://d.example/communes/huong-an/cong-khai/d1"
    ) in html
    assert "See the details" in html
    for vietnamese in ("Niêm yết", "Xem toàn văn", "Theo ", "Xem chi tiết"):
        assert vietnamese not in html
    staff_wrote = english.get("/hop-thu/tin/m2").text
    assert "Trả lời: họp lúc 19 giờ tại nhà văn hóa." in staff_wrote
    assert "Kết quả: họp tổ dân phố tối thứ Bảy" in staff_wrote


def test_a_wrong_household_code_is_refused_in_english(english, inbox):
    token = csrf_of(english.get("/hop-thu").text)
    response = english.post("/hop-thu", data={"csrf_token": token, "code": "x"})
    assert response.status_code == 422
    assert "The household code is not right" in response.text


def test_the_preferences_are_in_english(english, inbox):
    open_inbox(english)
    html = english.get("/hop-thu/cai-dat").text
    assert "<h1>How to receive notices</h1>" in html
    assert "> Email</label>" in html and "> SMS</label>" in html
    assert "if receiving by SMS" in html and "Language of the notices" in html
    assert "Tiếng Việt" in html  # each language named in its own language
    for vietnamese in ("Cách nhận", "Số điện thoại", "thư điện tử", "Lưu<", "Hủy"):
        assert vietnamese not in html
    token = csrf_of(html)
    response = english.post(
        "/hop-thu/cai-dat", data={"csrf_token": token, "channels": "sms", "phone": "12"}
    )
    assert response.status_code == 422
    assert "The phone number is not right: 10 digits, starting with 0." in response.text


# --- what staff read ----------------------------------------------------------------


def test_the_new_disclosure_form_is_in_english(english, notices):  # noqa: F811
    sign_in(english)
    html = english.get(NEW).text
    assert "<h1>Post a disclosure</h1>" in html
    assert "What is disclosed (Art 11)" in html and "How it is disclosed (Art 12)" in html
    assert "Disclosure deadline: <strong>" in html and "Check the deadline" in html
    assert "At least 3 consecutive days; required for items 7 to 12" in html
    for vietnamese in ("Đăng công khai", "Tiêu đề", "Hạn công khai", "Ngày ban hành"):
        assert vietnamese not in html


def test_a_late_posting_is_explained_in_english(english, notices):  # noqa: F811
    sign_in(english)
    values = filled(english, decision_date="2026-01-05", posted_from="2026-01-05")
    html = english.post(NEW, data={**values, "action": "check"}).text
    assert "Disclosure overdue: the decision of 5 Jan 2026 had to be disclosed by" in html
    assert "Quá hạn" not in html


def test_the_message_pages_are_in_english(english, rpc):
    sent = [
        {
            "id": "m1",
            "title": "Công khai: Dự toán ngân sách phường năm 2027",
            "audience": None,
            "kind": "disclosure_posted",
            "created_at": "2026-12-01T02:00:00Z",
            "inboxes": 1200,
            "statuses": {"sent": 3, "given_up": 1},
        },
        {
            "id": "m2",
            "title": "Kết quả: họp tổ",  # staff wrote it: shown as written
            "audience": {"kind": "unit", "unit_id": "huong-an"},
            "kind": "staff",
            "created_at": "2026-12-01T03:00:00Z",
            "inboxes": 1,
            "statuses": {},
        },
    ]
    rpc.answer("notifications", "list_messages", lambda query: {"messages": sent})
    rpc.answer(
        "notifications",
        "send_message",
        lambda payload: {
            "message_id": "m3",
            "inboxes": 2,
            "deliveries": 1,
            "unknown_recipients": 1,
        },
    )
    sign_in(english)
    html = english.get("/communes/huong-an/thong-bao").text
    assert "<h1>Notices sent</h1>" in html
    assert "Public disclosure: Dự toán ngân sách phường năm 2027" in html
    assert "Kết quả: họp tổ" in html
    assert "automatic · " in html and "sent by staff · " in html
    assert "Sent: 3" in html and "Could not be delivered: 1" in html
    for vietnamese in ("Thông báo đã gửi", "tự động", "cán bộ gửi", "đã gửi"):
        assert vietnamese not in html

    form = english.get("/communes/huong-an/thong-bao/moi").text
    assert "<h1>Send a notice</h1>" in form and "Everyone holding a role" in form
    assert "Participants of a training course / session" in form
    for vietnamese in ("Gửi cho", "Mọi hộ", "Tiêu đề", "Nội dung"):
        assert vietnamese not in form
    response = english.post(
        "/communes/huong-an/thong-bao/moi",
        data={
            "csrf_token": csrf_of(form),
            "request_id": "req-abcdefgh",
            "kind": "household",
            "household": "HA7K2M",
            "title": "Tin",
            "body": "Nội dung",
        },
    )
    assert response.status_code == 303
    assert "Message ID: m3." in english.get("/communes/huong-an/thong-bao").text


def test_counts_are_english_plurals(english, inbox):
    open_inbox(english)
    html = english.get("/hop-thu").text
    assert "<strong>1</strong> unread message ·" in html and "2 latest messages" in html
    assert "tin chưa đọc" not in html and "tin gần nhất" not in html
    sent = {
        "id": "m1",
        "title": "Tin",
        "audience": None,
        "kind": "staff",
        "created_at": "2026-12-01T02:00:00Z",
        "statuses": {},
    }
    inbox.answer(
        "notifications",
        "list_messages",
        lambda query: {"messages": [{**sent, "inboxes": 1200}, {**sent, "inboxes": 1}]},
    )
    inbox.answer(
        "notifications",
        "send_message",
        lambda payload: {
            "message_id": "m3",
            "inboxes": 2,
            "deliveries": 1,
            "unknown_recipients": 1,
        },
    )
    sign_in(english)
    form = english.get("/communes/huong-an/thong-bao/moi").text
    assert "households)" in form and " hộ)" not in form
    english.post(
        "/communes/huong-an/thong-bao/moi",
        data={
            "csrf_token": csrf_of(form),
            "request_id": "req-abcdefgh",
            "kind": "household",
            "household": "HA7K2M",
            "title": "Tin",
            "body": "Nội dung",
        },
    )
    html = english.get("/communes/huong-an/thong-bao").text
    assert "1,200 inboxes" in html and "· 1 inbox" in html and "hộp thư" not in html
    assert (
        "Sent to 2 inboxes, 1 delivery by email, SMS or Zalo on its way; 1 recipient not "
        "found (see Undelivered). Message ID: m3."
    ) in html


# --- what the service writes, read in English -------------------------------------


def test_every_message_the_service_writes_is_in_the_catalog(in_english):
    for name, texts in messages.TEMPLATES.items():
        for message in texts[Language.VI]:
            assert i18n._(message) != message, (name, message)


def test_a_permanent_disclosure_notice_reads_in_english(in_english):
    title, body = system_texts(posted(category=13, posted_to=None, permanent=True))
    assert i18n.translate(title) == "Public disclosure: Dự toán ngân sách phường năm 2027"
    assert i18n.translate(body).startswith(
        "Administrative procedures. By Quyết định 12/QĐ-UBND of 30 Nov 2026. "
        "Posted permanently. Full text:"
    )


def test_the_vietnamese_notice_is_unchanged():
    title, body = system_texts(posted())
    assert title == "Công khai: Dự toán ngân sách phường năm 2027"
    assert body.startswith(
        "Dự toán, tình hình thực hiện, quyết toán ngân sách; kiến nghị của Kiểm toán nhà "
        "nước. Theo Quyết định 12/QĐ-UBND ngày 30/11/2026. Niêm yết từ 01/12/2026 đến "
        "30/12/2026. Xem toàn văn: https://d.example/"
    )
    permanent = system_texts(posted(category=13, posted_to=None, permanent=True))[1]
    assert "ngày 30/11/2026. Niêm yết vĩnh viễn. Xem toàn văn:" in permanent


def test_a_registration_for_someone_unnamed_says_you(in_english):
    text = "Buổi học của bạn bắt đầu lúc 08:00 ngày 10/12/2026 tại Nhà văn hóa tổ 2."
    assert i18n.translate(text) == (
        "The session for you starts at 08:00, 10 Dec 2026 at Nhà văn hóa tổ 2."
    )


def test_the_boards_refusals_read_in_english(in_english):
    i18n.use(i18n.VIETNAMESE)  # the service speaks Vietnamese
    command = PostDisclosure.model_validate(
        {
            "actor": "minh",
            "commune_id": "huong-an",
            "request_id": "a" * 32,
            "category": 8,
            "title": "Cứu trợ",
            "summary": "Gạo cứu trợ.",
            "decision_ref": "Quyết định 3/QĐ-UBND",
            "decision_date": "2026-12-01",
            "posted_from": "2026-12-01",
            "posted_to": "2026-12-10",
            "forms": ["posting"],
        }
    )
    with pytest.raises(InvalidInput) as refused:
        board.check_posting(command, date(2026, 12, 1))
    fields = refused.value.fields
    i18n.use(i18n.ENGLISH)  # the gateway reads it in English
    assert i18n.translate(fields["posted_to"]) == (
        "Post it for at least 30 consecutive days, that is until 30 Dec 2026 or later "
        "(Law on Grassroots Democracy, Art 12(3))."
    )
    assert i18n.translate(fields["forms"]).startswith("Item 8 must also be announced")
    assert i18n.translate(fields["loudspeaker_days"]).startswith(
        "Item 8 must be announced on the loudspeaker system for at least 3 consecutive days"
    )


def test_the_late_warning_is_vietnamese_in_the_service_and_english_for_the_reader():
    warning = late_warning(date(2026, 1, 5), date(2026, 1, 5), date(2026, 2, 2))
    assert warning.startswith("Quá hạn công khai: quyết định ngày 05/01/2026 phải được")
    i18n.use(i18n.ENGLISH)
    try:
        assert i18n.translate(warning).startswith(
            "Disclosure overdue: the decision of 5 Jan 2026 had to be disclosed by 12 Jan 2026"
        )
    finally:
        i18n.use(i18n.VIETNAMESE)


def test_staff_notices_read_in_english(in_english):
    i18n.use(i18n.VIETNAMESE)
    decided = PollDecided(
        event_id="e9",
        occurred_at=NOW,
        poll_id="p1",
        commune_id="huong-an",
        unit_id="huong-an",
        title="Làm đường bê tông",
        kind=PollKind.DECISION,
        opens_at=NOW,
        closes_at=NOW,
        passes=True,
    )
    notice = domain.notice_for_poll(decided)
    i18n.use(i18n.ENGLISH)
    assert i18n.translate(notice.title) == "Results confirmed: Làm đường bê tông"
    assert i18n.translate(messages.VERDICT_VI[True]) == "Passed."
