"""The notice board's pages (gateway/routes/board.py), with a fake notifications
service in the FakeRpc port that applies the real rules of board.py."""

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from gateway.templating import vn_date
from services.notifications import board
from shared.calendar import vietnam_day
from shared.contracts.disclosures import PostDisclosure
from shared.disclosure_periods import deadline
from shared.errors import NotFound, parse
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import sign_in

BOARD = "/communes/huong-an/cong-khai"
NEW = BOARD + "/moi"
TODAY = vietnam_day(datetime.now(UTC))


def disclosure(**fields) -> dict:
    """A disclosure as notifications answers it (JSON)."""
    return {
        "id": "d1",
        "commune_id": "huong-an",
        "category": 2,
        "title": "Dự toán ngân sách phường năm 2027",
        "summary": "Tổng thu 12,5 tỷ đồng.\nTổng chi 12,5 tỷ đồng.",
        "decision_ref": "Quyết định 12/QĐ-UBND",
        "decision_date": "2026-11-30",
        "posted_from": "2026-12-01",
        "posted_to": "2026-12-30",
        "forms": ["posting", "portal"],
        "loudspeaker_days": None,
        "late_reason": None,
        "permanent": False,
        "deadline": "2026-12-07",
        "late": False,
        "posted_by": "minh",
        "posted_at": "2026-12-01T02:00:00Z",
        **fields,
    }


def fake_post(payload: dict) -> dict:
    """What notifications does with a posting: the real rules, then the stored view."""
    command = parse(PostDisclosure, payload)
    return board.disclosure_from(command, datetime.now(UTC)).model_dump(mode="json")


@pytest.fixture
def notices(rpc: FakeRpc) -> FakeRpc:
    listed = [
        disclosure(id="d7", category=7, title="Danh sách hộ nghèo năm 2027"),
        disclosure(),
        disclosure(
            id="d13", category=13, title="Thủ tục chứng thực", posted_to=None, permanent=True
        ),
    ]
    rpc.answer("notifications", "list_disclosures", lambda query: {"disclosures": listed})
    rpc.answer(
        "notifications", "get_disclosure", lambda query: disclosure(id=query["disclosure_id"])
    )
    rpc.answer("notifications", "post_disclosure", fake_post)
    rpc.answer(
        "notifications",
        "quarterly_index",
        lambda query: {
            **query,
            "starts": "2026-10-01",
            "ends": "2026-12-31",
            "disclosures": [
                disclosure(),
                disclosure(
                    id="d13",
                    category=13,
                    posted_to=None,
                    permanent=True,
                    title="Thủ tục chứng thực",
                ),
            ],
        },
    )
    return rpc


@pytest.fixture
def staff(client, notices):
    sign_in(client)
    return client


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))


def filled(client, **fields) -> dict:
    """The new-disclosure form as its GET offers it, with `fields` typed in."""
    html = client.get(NEW).text
    values = {
        **hidden_fields(html),
        "category": "2",
        "title": "Dự toán ngân sách phường năm 2027",
        "summary": "Tổng thu 12,5 tỷ đồng.",
        "decision_ref": "Quyết định 12/QĐ-UBND",
        "decision_date": TODAY.isoformat(),
        "posted_from": TODAY.isoformat(),
        "posted_to": (TODAY + timedelta(days=29)).isoformat(),
        "forms": ["posting"],
    }
    return {**values, **fields}


def test_the_board_groups_what_is_posted_today_by_item_of_art_11_for_anyone(client, notices):
    response = client.get(BOARD)
    assert response.status_code == 200
    [(query,)] = notices.calls_to("notifications", "list_disclosures")
    assert query == {
        "commune_id": "huong-an",
        "on": TODAY.isoformat(),
        "which": "current",
        "category": None,
    }
    html = response.text
    assert html.index("Dự toán ngân sách") < html.index("Danh sách hộ nghèo")  # item 2, then 7
    assert html.index("Danh sách hộ nghèo") < html.index("Thủ tục chứng thực")  # then 13
    assert f'href="{BOARD}/d7"' in html and "Chính sách hỗ trợ, an sinh xã hội" in html
    assert "Niêm yết vĩnh viễn từ 01/12/2026" in html and "01/12/2026 – 30/12/2026" in html
    assert f'href="{BOARD}/luu-tru"' in html and f"{BOARD}/quy/{TODAY.year}-" in html
    assert f'href="{NEW}"' not in html  # offered to staff only


def test_the_board_filters_by_item_and_the_archive_asks_for_what_ended(client, notices):
    html = client.get(BOARD + "/luu-tru?muc=7").text
    [(query,)] = notices.calls_to("notifications", "list_disclosures")
    assert query["which"] == "archive" and query["category"] == 7
    assert '<option value="7" selected>' in html and "Lưu trữ công khai" in html
    client.get(BOARD + "?muc=99")  # not an item of Art 11: everything
    assert notices.calls_to("notifications", "list_disclosures")[-1][0]["category"] is None


def test_a_disclosure_shows_its_decision_dates_and_forms(client, notices):
    html = client.get(BOARD + "/d1").text
    [(query,)] = notices.calls_to("notifications", "get_disclosure")
    assert query == {"commune_id": "huong-an", "disclosure_id": "d1"}
    assert "Quyết định 12/QĐ-UBND ngày 30/11/2026" in html
    assert "01/12/2026 – 30/12/2026" in html and "Hạn công khai" in html and "07/12/2026" in html
    assert "Niêm yết tại trụ sở Ủy ban nhân dân xã" in html
    assert "Đăng tải trên cổng thông tin điện tử" in html


def test_a_permanent_or_late_disclosure_says_so(client, notices):
    notices.answer(
        "notifications",
        "get_disclosure",
        lambda query: disclosure(
            category=13,
            posted_to=None,
            permanent=True,
            late=True,
            late_reason="Chờ bản ký số.",
            forms=["posting", "portal", "loudspeaker"],
            loudspeaker_days=3,
        ),
    )
    html = client.get(BOARD + "/d1").text
    assert "Niêm yết vĩnh viễn" in html and "Công khai muộn" in html and "Chờ bản ký số." in html
    assert "Thông báo trên hệ thống truyền thanh (3 ngày)" in html


def test_an_unknown_disclosure_is_not_found(client, notices):
    def missing(query):
        raise NotFound("Không tìm thấy nội dung công khai này.")

    notices.answer("notifications", "get_disclosure", missing)
    response = client.get(BOARD + "/nope")
    assert response.status_code == 404 and "Không tìm thấy" in response.text


def test_the_form_is_for_staff_only(client, notices):
    response = client.get(NEW)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/sign-in?next={NEW}"


def test_the_form_offers_30_days_from_today_and_shows_the_deadline(staff):
    html = staff.get(NEW).text
    assert re.fullmatch(r"[0-9a-f]{32}", hidden_fields(html)["request_id"])
    assert f'name="decision_date" type="date" value="{TODAY.isoformat()}"' in html
    assert f'name="posted_from" type="date" value="{TODAY.isoformat()}"' in html
    ends = (TODAY + timedelta(days=29)).isoformat()
    assert f'name="posted_to" type="date" value="{ends}"' in html
    assert f"chậm nhất ngày <strong>{vn_date(deadline(TODAY))}</strong>" in html
    assert 'name="forms" value="posting" checked' in html
    assert '<input type="checkbox" checked disabled> Đăng tải trên cổng' in html
    assert 'name="late_reason"' not in html  # asked for only when late


def test_posting_sends_every_form_with_the_portal_and_opens_the_disclosure(staff, notices):
    response = staff.post(NEW, data=filled(staff, forms=["posting", "dialogue"]))
    assert response.status_code == 303
    [(sent,)] = notices.calls_to("notifications", "post_disclosure")
    assert sent["actor"] == "minh" and sent["commune_id"] == "huong-an"
    assert sent["forms"] == ["posting", "dialogue", "portal"]
    assert sent["category"] == 2 and sent["loudspeaker_days"] is None
    assert response.headers["location"] == f"{BOARD}/{sent['request_id']}"
    assert "Đã đăng công khai" in staff.get(f"{BOARD}/d1").text


def test_refusals_are_shown_in_vietnamese_beside_their_fields_keeping_the_input(staff, notices):
    response = staff.post(NEW, data=filled(staff, category="", title="", summary="Giữ lại tôi"))
    assert response.status_code == 422
    html = response.text
    assert notices.calls_to("notifications", "post_disclosure") == []
    assert 'id="category-error">Vui lòng chọn nội dung công khai (Điều 11).' in html
    assert 'id="title-error">Vui lòng điền mục này.' in html
    assert 'aria-invalid="true" aria-describedby="title-error"' in html
    assert ">Giữ lại tôi</textarea>" in html


def test_the_services_refusal_of_a_short_posting_is_shown_beside_the_end_date(staff, notices):
    short = (TODAY + timedelta(days=10)).isoformat()
    response = staff.post(NEW, data=filled(staff, posted_to=short, forms=["posting", "letters"]))
    assert response.status_code == 422
    assert 'id="posted_to-error">Niêm yết ít nhất 30 ngày liên tục' in response.text
    assert f'name="posted_to" type="date" value="{short}"' in response.text
    assert 'name="forms" value="letters" checked' in response.text


def test_a_late_posting_warns_and_asks_for_the_reason_without_losing_the_input(staff, notices):
    decided = TODAY - timedelta(days=30)
    data = filled(staff, decision_date=decided.isoformat(), title="Quyết toán ngân sách 2025")
    response = staff.post(NEW, data=data)
    assert response.status_code == 422
    html = response.text
    assert 'class="warn late" role="alert"' in html and "Quá hạn công khai" in html
    assert f"chậm nhất ngày {vn_date(deadline(decided))}" in html
    assert '<textarea id="late_reason" name="late_reason"' in html
    assert 'value="Quyết toán ngân sách 2025"' in html

    again = staff.post(NEW, data={**data, "late_reason": "Chờ Hội đồng nhân dân phê chuẩn."})
    assert again.status_code == 303
    sent = notices.calls_to("notifications", "post_disclosure")[-1][0]
    assert sent["late_reason"] == "Chờ Hội đồng nhân dân phê chuẩn."


def test_checking_the_deadline_shows_it_after_the_holidays_and_posts_nothing(staff, notices):
    data = filled(staff, decision_date="2026-04-28", posted_from="2026-05-08", action="check")
    html = staff.post(NEW, data=data).text
    assert "chậm nhất ngày <strong>07/05/2026</strong>" in html  # after 30/4 and 1/5
    assert "Quá hạn công khai" in html
    assert notices.calls_to("notifications", "post_disclosure") == []


@pytest.mark.parametrize("path", [BOARD, BOARD + "/d1", BOARD + "/quy/2026-4", NEW])
def test_the_pages_are_made_for_a_360_px_phone_without_javascript(staff, path):
    html = staff.get(path).text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html and 'style="' not in html
    # a table stacks its cells on a narrow screen (site.css: table.stack)
    assert all('class="results stack"' in t for t in re.findall(r"<table[^>]*>", html))
    for field_id in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html):
        assert f'<label for="{field_id}">' in html


def test_the_quarterly_index_lists_what_started_in_the_quarter(client, notices):
    html = client.get(BOARD + "/quy/2026-4").text
    [(query,)] = notices.calls_to("notifications", "quarterly_index")
    assert query == {"commune_id": "huong-an", "year": 2026, "quarter": 4}
    assert "Danh mục công khai quý 4/2026" in html and "01/10/2026" in html
    assert html.index("Dự toán ngân sách") < html.index("Thủ tục chứng thực")
    assert "01/12/2026 – vĩnh viễn" in html
    assert f'href="{BOARD}/quy/2026-3"' in html and f'href="{BOARD}/quy/2027-1"' in html
    assert f'href="{BOARD}/quy/2026-4.pdf"' in html


def test_a_fifth_quarter_or_a_year_out_of_range_is_not_found(client, notices):
    assert client.get(BOARD + "/quy/2026-5").status_code == 404
    assert client.get(BOARD + "/quy/1999-1").status_code == 404
    assert client.get(BOARD + "/quy/1999-1.pdf").status_code == 404
    assert notices.calls_to("notifications", "quarterly_index") == []


def test_the_quarterly_index_pdf_carries_the_vietnamese_text(client, notices, tmp_path):
    response = client.get(BOARD + "/quy/2026-4.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "danh-muc-cong-khai-2026-quy-4.pdf" in response.headers["content-disposition"]
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "DANH MỤC NỘI DUNG CÔNG KHAI QUÝ 4/2026" in text
    assert "PHƯỜNG HƯƠNG AN" in text
    assert "1. Dự toán ngân sách phường năm 2027" in text
    assert "Căn cứ: Quyết định 12/QĐ-UBND ngày 30/11/2026" in text
    assert "01/12/2026 – vĩnh viễn" in text


def test_the_commune_page_links_to_its_board(client, notices):
    assert f'href="{BOARD}"' in client.get("/communes/huong-an").text


def test_an_empty_board_says_so(client, notices):
    notices.answer("notifications", "list_disclosures", lambda query: {"disclosures": []})
    assert "Hiện chưa có nội dung nào được công khai." in client.get(BOARD).text


def test_staff_update_a_permanent_disclosure_from_its_page(staff, notices):
    permanent = disclosure(
        id="d13", category=13, title="Thủ tục chứng thực", posted_to=None, permanent=True
    )
    notices.answer("notifications", "get_disclosure", lambda query: permanent)
    page = staff.get(BOARD + "/d13").text
    assert f'href="{NEW}?thay=d13"' in page

    form = staff.get(NEW + "?thay=d13").text
    assert hidden_fields(form)["replaces"] == "d13"
    assert 'value="Thủ tục chứng thực"' in form
    staff.post(
        NEW, data={**filled(staff), **hidden_fields(form), "category": "13", "posted_to": ""}
    )
    [(sent,)] = notices.calls_to("notifications", "post_disclosure")
    assert sent["replaces"] == "d13" and sent["posted_to"] is None


def test_an_updated_disclosure_links_to_its_update_and_offers_no_second_one(staff, notices):
    replaced = disclosure(
        id="d13",
        category=13,
        posted_to="2026-11-30",
        permanent=True,
        replaced_by="d14",
        title="Thủ tục chứng thực",
    )
    notices.answer("notifications", "get_disclosure", lambda query: replaced)
    page = staff.get(BOARD + "/d13").text
    assert f'href="{BOARD}/d14"' in page and "thay=d13" not in page
    assert "đến khi được cập nhật" in page


def test_residents_are_not_offered_an_update(client, notices):
    permanent = disclosure(id="d13", category=13, posted_to=None, permanent=True)
    notices.answer("notifications", "get_disclosure", lambda query: permanent)
    assert "thay=d13" not in client.get(BOARD + "/d13").text
