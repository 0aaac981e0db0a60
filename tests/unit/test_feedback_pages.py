"""The feedback pages (gateway/routes/feedback.py, feedback_staff.py,
feedback_settings.py) with a fake feedback service in the FakeRpc port
(tests/unit/feedback_support.py)."""

import base64
import re
from urllib.parse import urlencode

import pytest

from gateway import feedback_forms
from gateway.wrong_codes import WrongCodes
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.unit.fake_rpc import FakeRpc
from tests.unit.feedback_support import (
    CASE_ID,
    CODE,
    PNG,
    UNIT,
    answered_case,
    fake_feedback,
    staff_case,
)
from tests.unit.gateway_support import csrf_of, sign_in

NEW = "/communes/huong-an/feedback/new"
CASE = f"/feedback/{CODE}"
STAFF_CASE = f"/staff/feedback/{CASE_ID}"


@pytest.fixture
def feedback(rpc: FakeRpc) -> dict:
    return fake_feedback(rpc)


def request_id_of(html: str) -> str:
    return re.search(r'name="request_id" value="([0-9a-f]{32})"', html).group(1)


def filing(client, files=None, **fields):
    """The filing form as offered, with `fields` typed in."""
    data = {
        "request_id": request_id_of(client.get(NEW).text),
        "category": "lighting",
        "title": "Đèn đường kiệt 12 không sáng",
        "text": "Đèn đường trước nhà số 15 kiệt 12 không sáng từ tuần trước.",
        **fields,
    }
    return client.post(NEW, data=data, files=files)


# --- filing ---------------------------------------------------------------------


def test_the_filing_form_offers_active_categories_units_and_a_fresh_request_id(client, feedback):
    first, second = client.get(NEW).text, client.get(NEW).text
    assert request_id_of(first) != request_id_of(second)
    assert "Chiếu sáng công cộng" in first and "Lĩnh vực cũ" not in first
    assert f'<option value="{UNIT}">Tổ dân phố 1</option>' in first
    assert 'accept="image/jpeg,image/png,image/webp"' in first
    assert 'enctype="multipart/form-data"' in first and 'name="anonymous"' in first
    assert "csrf_token" not in first  # residents have no session
    assert "set-cookie" not in client.get(NEW).headers


def test_a_filing_is_sent_with_its_photos_and_place_and_goes_to_the_receipt(client, feedback, rpc):
    response = filing(
        client,
        files=[("photos", ("den.png", PNG, "image/png"))],
        **{
            "place.unit_id": UNIT,
            "place.latitude": "16,4637",
            "place.longitude": "107.5909",
            "contact.phone": "0912 345 678",
            "wants_type": "feedback",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/feedback/{CODE}?filed=1"
    sent = feedback["sent"]["file_case"]
    assert sent.commune_id == "huong-an" and sent.actor is None
    assert [base64.b64decode(photo.data_base64) for photo in sent.photos] == [PNG]
    assert sent.place.latitude == 16.4637 and sent.place.unit_id == UNIT
    assert sent.contact.phone == "0912345678"
    assert len(sent.source) == 32 and "testclient" not in sent.source  # a hash, not the address


def test_a_filing_sent_twice_carries_the_same_request_id(client, feedback, rpc):
    data = {
        "request_id": request_id_of(client.get(NEW).text),
        "category": "lighting",
        "title": "Ổ gà trên đường",
        "text": "Ổ gà lớn trước chợ, xe máy dễ ngã.",
    }
    client.post(NEW, data=data)
    client.post(NEW, data=data)
    first, second = rpc.calls_to("feedback", "file_case")
    assert first[0]["request_id"] == second[0]["request_id"] == data["request_id"]


def test_a_refused_filing_keeps_what_was_typed_with_errors_beside_fields_and_on_top(
    client, feedback, rpc
):
    response = filing(
        client, title="Đè", **{"contact.email": "hoa@", "place.latitude": "16,46", "category": ""}
    )
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page and 'href="#contact-email"' in page
    assert "Vui lòng chọn lĩnh vực." in page
    assert "Địa chỉ thư điện tử chưa đúng" in page and 'value="hoa@"' in page
    assert "Cần cả vĩ độ và kinh độ." in page  # the contract's own words
    assert 'value="Đè"' in page and 'aria-invalid="true" aria-describedby="title-error"' in page
    assert "không sáng từ tuần trước.</textarea>" in page
    assert not rpc.calls_to("feedback", "file_case")


def test_an_anonymous_filing_with_a_name_is_refused_in_the_contracts_words(client, feedback, rpc):
    response = filing(client, anonymous="yes", **{"contact.name": "Lê Thị Hoa"})
    assert response.status_code == 422
    assert "Đơn ẩn danh không ghi mã hộ hay thông tin liên hệ." in response.text
    assert not rpc.calls_to("feedback", "file_case")


def test_a_photo_too_big_is_refused_before_anything_is_sent(client, feedback, rpc, monkeypatch):
    monkeypatch.setattr(feedback_forms, "PHOTO_MAX_BYTES", len(PNG) - 1)
    response = filing(client, files=[("photos", ("to.png", PNG, "image/png"))])
    assert response.status_code == 422
    assert "Tệp “to.png” quá lớn" in response.text
    assert "Đèn đường kiệt 12 không sáng" in response.text
    assert not rpc.calls_to("feedback", "file_case")


def test_more_than_three_photos_are_refused_before_anything_is_sent(client, feedback, rpc):
    photos = [("photos", (f"{n}.png", PNG, "image/png")) for n in range(4)]
    response = filing(client, files=photos)
    assert response.status_code == 422 and "Chọn tối đa 3 tệp." in response.text
    assert not rpc.calls_to("feedback", "file_case")


def test_the_services_refusal_of_a_photo_is_shown_on_the_photo_input(client, feedback, rpc):
    def refuse(payload: dict) -> None:
        raise InvalidInput(fields={"photos.0": "Ảnh không đọc được: JPEG, PNG hoặc WebP."})

    rpc.answer("feedback", "file_case", refuse)
    response = filing(client, files=[("photos", ("x.png", b"not an image", "image/png"))])
    assert response.status_code == 422
    assert 'id="photos-error">Ảnh không đọc được' in response.text
    assert 'value="Đèn đường kiệt 12 không sáng"' in response.text


def test_filings_from_one_address_are_limited_with_a_vietnamese_429(client, feedback, rpc):
    client.app.state.filings = WrongCodes(limit=1, window=3600.0)
    assert filing(client).status_code == 303
    refused = filing(client)
    assert refused.status_code == 429
    assert "nhiều phản ánh được gửi từ mạng của bạn" in refused.text
    assert 'value="Đèn đường kiệt 12 không sáng"' in refused.text
    assert len(rpc.calls_to("feedback", "file_case")) == 1


# --- the filer's case page ------------------------------------------------------


def test_the_receipt_shows_the_code_big_and_the_timeline(client, feedback):
    page = client.get(f"{CASE}?filed=1").text
    assert f'<p class="receipt-code">{CODE}</p>' in page
    assert "Hãy ghi lại mã này để theo dõi" in page
    assert "Đã tiếp nhận" in page and "01/12/2026 09:00 · Cán bộ tiếp công dân" in page
    assert "15/12/2026" in page  # the next deadline
    assert f'<img src="{CASE}/files/ph1"' in page
    assert "receipt-code" not in client.get(CASE).text  # only right after filing


def test_a_code_typed_in_lower_case_leads_to_its_page(client, feedback):
    typed = client.get("/feedback", params={"code": " pa-7k2m9qxb "})
    assert typed.status_code == 303 and typed.headers["location"] == CASE
    assert client.get("/feedback/pa-7k2m9qxb").headers["location"] == CASE


def test_an_unknown_or_malformed_code_is_a_vietnamese_404(client, feedback):
    for code in ("PA-22222222", "XYZ"):
        response = client.get(f"/feedback/{code}")
        assert response.status_code == 404
        assert "Không tìm thấy phản ánh có mã" in response.text
        assert 'name="code"' in response.text


def test_a_flood_of_wrong_codes_is_stopped_before_the_service(client, feedback, rpc):
    client.app.state.wrong_codes = WrongCodes(limit=2)
    client.get("/feedback/PA-22222222")
    client.get("/feedback/PA-33333333")
    before = len(rpc.calls_to("feedback", "track_case"))
    response = client.get(CASE)
    assert response.status_code == 429 and "nhiều mã theo dõi sai" in response.text
    assert len(rpc.calls_to("feedback", "track_case")) == before


def test_a_filer_rates_the_answer(client, rpc):
    state = fake_feedback(rpc, answered_case(may_rate=True))
    page = client.get(CASE).text
    assert "Đã thay bóng đèn ngày 05/12." in page and f'href="{CASE}/files/att1"' in page
    response = client.post(f"{CASE}/rate", data={"satisfied": "yes"})
    assert response.status_code == 303 and response.headers["location"] == f"{CASE}?done=rated"
    assert state["sent"]["rate_answer"].satisfied is True
    assert "Cảm ơn bạn đã đánh giá" in client.get(f"{CASE}?done=rated").text


def test_not_satisfied_needs_a_reason_shown_beside_it(client, rpc):
    fake_feedback(rpc, answered_case(may_rate=True))
    response = client.post(f"{CASE}/rate", data={"satisfied": "no", "reason": ""})
    assert response.status_code == 422
    assert 'id="rate-reason-error">Xin cho biết vì sao bạn chưa hài lòng.' in response.text
    assert not rpc.calls_to("feedback", "rate_answer")


def test_a_filer_not_satisfied_reopens_the_case(client, rpc):
    state = fake_feedback(rpc, answered_case(may_reopen=True))
    assert f'action="{CASE}/reopen"' in client.get(CASE).text
    response = client.post(f"{CASE}/reopen", data={"reason": "Đèn vẫn chưa sáng."})
    assert response.headers["location"] == f"{CASE}?done=reopened"
    assert state["sent"]["reopen_case"].reason == "Đèn vẫn chưa sáng."
    short = client.post(f"{CASE}/reopen", data={"reason": "x"})
    assert short.status_code == 422 and ">x</textarea>" in short.text
    assert 'id="reopen-reason-error"' in short.text


def test_files_are_served_with_their_type_and_cannot_run_in_the_page(client, feedback):
    photo = client.get(f"{CASE}/files/ph1")
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"
    assert photo.headers["content-disposition"] == "inline"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert photo.headers["content-security-policy"] == "default-src 'none'"
    assert photo.headers["cache-control"].startswith("private")
    pdf = client.get(f"{CASE}/files/att1")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith('attachment; filename="Tra loi.pdf"')
    assert client.get("/feedback/PA-22222222/files/ph1").status_code == 404


# --- public pages ---------------------------------------------------------------


def test_the_public_list_shows_answered_cases_whole_with_filters_and_pages(client, feedback, rpc):
    page = client.get(
        "/communes/huong-an/feedback", params={"category": "lighting", "unit_id": UNIT}
    ).text
    (query,) = rpc.calls_to("feedback", "list_public_cases")[-1]
    assert query == {
        "commune_id": "huong-an",
        "category": "lighting",
        "unit_id": UNIT,
        "page": 1,
    }
    assert "Đèn đường kiệt 12 không sáng" in page and "Đã thay bóng đèn ngày 05/12." in page
    assert "Tổ dân phố 1" in page and "Chiếu sáng công cộng" in page
    filters = urlencode({"category": "lighting", "unit_id": UNIT}).replace("&", "&amp;")
    assert f"?{filters}&amp;page=2" in page
    assert f'href="/feedback/cases/{CASE_ID}/files/att1"' in page
    assert CODE not in page  # the code is the filer's


def test_an_answers_attachment_on_the_public_list_is_asked_for_by_case_id(client, feedback):
    response = client.get(f"/feedback/cases/{CASE_ID}/files/att1")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    sent = feedback["sent"]["get_file"]
    assert (sent.case_id, sent.code, sent.actor) == (CASE_ID, None, None)


def test_the_figures_page_draws_the_chart_and_the_table_with_rates(client, feedback, rpc):
    page = client.get("/communes/huong-an/feedback/figures", params={"year": "2026"}).text
    assert rpc.calls_to("feedback", "figures")[-1][0] == {
        "commune_id": "huong-an",
        "year": 2026,
        "month": None,
    }
    assert '<svg class="chart"' in page and "Trả lời đúng hạn" in page
    assert "Chiếu sáng công cộng: tiếp nhận 4, trả lời đúng hạn 2" in page  # for screen readers
    assert "66,7%" in page and "4,5" in page and "Tổng cộng" in page
    assert "Chưa rõ thôn, tổ dân phố" in page
    assert 'href="/communes/huong-an/feedback/figures.csv?year=2026"' in page


def test_the_figures_csv_opens_in_excel_with_vietnamese_letters(client, feedback):
    response = client.get("/communes/huong-an/feedback/figures.csv", params={"year": "2026"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="phan-anh-huong-an-2026.csv"' in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith('\ufeff"Thôn, tổ dân phố",Lĩnh vực,Tiếp nhận')
    assert 'Tổ dân phố 1,Chiếu sáng công cộng,4,3,2,"66,7%","4,5",2,1,"50,0%",0' in text
    assert text.splitlines()[-1].startswith("Tổng cộng,,5,")


def test_the_reception_schedule_reads_in_vietnamese_weekdays_in_order(client, feedback):
    page = client.get("/communes/huong-an/reception").text
    assert page.index("Thứ Hai") < page.index("Thứ Năm")
    assert "Chủ tịch UBND phường tiếp" in page and "Cán bộ tư pháp" in page


def test_the_commune_page_links_the_feedback_pages(client, feedback):
    page = client.get("/communes/huong-an").text
    for link in ("/feedback/new", "/feedback", "/reception", "/feedback/figures"):
        assert f'href="/communes/huong-an{link}"' in page
    assert "/staff/communes/huong-an/feedback" not in page
    sign_in(client)
    assert 'href="/staff/communes/huong-an/feedback"' in client.get("/communes/huong-an").text


# --- staff ----------------------------------------------------------------------


def test_staff_pages_need_sign_in(client, feedback, rpc):
    for path in (
        "/staff/communes/huong-an/feedback",
        "/staff/communes/huong-an/feedback/cases",
        "/staff/communes/huong-an/feedback/new",
        "/staff/communes/huong-an/feedback/categories",
        "/staff/communes/huong-an/feedback/reception",
        STAFF_CASE,
        f"{STAFF_CASE}/files/ph1",
    ):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/staff/sign-in?next=")
    assert client.post(f"{STAFF_CASE}/identity").status_code == 303
    assert not rpc.calls_to("feedback", "view_identity")


def test_the_dashboard_puts_overdue_and_untriaged_cases_first(client, feedback, rpc):
    sign_in(client)
    page = client.get("/staff/communes/huong-an/feedback", params={"unit_id": UNIT}).text
    assert rpc.calls_to("feedback", "dashboard")[-1][0] == {
        "actor": "minh",
        "commune_id": "huong-an",
        "unit_id": UNIT,
    }
    assert page.index("Quá hạn") < page.index("Ổ gà") < page.index("Chưa phân loại")
    assert 'href="/staff/feedback/c9"' in page and "Chưa giao" in page


def test_the_case_list_sends_its_filters(client, feedback, rpc):
    sign_in(client)
    page = client.get(
        "/staff/communes/huong-an/feedback/cases",
        params={"status": "received", "type": "", "due": "overdue", "page": "2"},
    ).text
    assert rpc.calls_to("feedback", "list_cases")[-1][0] == {
        "actor": "minh",
        "commune_id": "huong-an",
        "unit_id": None,
        "status": "received",
        "type": None,
        "assignee": None,
        "due": "overdue",
        "page": 2,
    }
    assert f'href="{STAFF_CASE}"' in page and "status=received&amp;due=overdue&amp;page=1" in page


def test_the_staff_case_page_shows_deadlines_by_name_and_hides_who_filed_it(client, feedback):
    sign_in(client)
    page = client.get(STAFF_CASE).text
    assert "Thông báo cho người gửi: <strong>15/12/2026</strong> · hạn tiếp theo" in page
    assert "Số 15 kiệt 12" in page and f'src="{STAFF_CASE}/files/ph1"' in page
    assert f'action="{STAFF_CASE}/identity"' in page and "Xem thông tin người gửi" in page
    assert "0912345678" not in page and "Lê Thị Hoa" not in page
    for action in ("triage", "split", "transfer"):
        assert f'action="{STAFF_CASE}/{action}"' in page
    assert f'action="{STAFF_CASE}/close"' not in page  # not answered yet


def test_an_overdue_deadline_is_highlighted(client, feedback):
    feedback["staff_case"] = staff_case(overdue=True)
    sign_in(client)
    assert '<li class="overdue">Thông báo cho người gửi' in client.get(STAFF_CASE).text


def post_action(client, action: str, **data):
    token = csrf_of(client.get(STAFF_CASE).text)
    return client.post(f"{STAFF_CASE}/{action}", data={"csrf_token": token, **data})


def test_triage_sends_the_type_unit_assignee_and_acceptance(client, feedback):
    sign_in(client)
    response = post_action(
        client,
        "triage",
        type="complaint",
        complexity="complex",
        remote_area="yes",
        handling_unit_id=UNIT,
        assignee="Tuan",
        accept="yes",
        note="Giao tổ dân phố 1 xác minh.",
    )
    assert response.status_code == 303 and response.headers["location"] == STAFF_CASE
    sent = feedback["sent"]["triage_case"]
    assert (sent.actor, sent.case_id, sent.type, sent.complexity) == (
        "minh",
        CASE_ID,
        "complaint",
        "complex",
    )
    assert sent.remote_area and sent.accept and sent.assignee == "tuan"
    assert sent.handling_unit_id == UNIT
    assert "Đã phân loại vụ việc." in client.get(STAFF_CASE).text


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_sent(client, feedback, rpc):
    sign_in(client)
    response = client.post(f"{STAFF_CASE}/close", data={"note": "Xong"})
    assert response.status_code == 403
    assert not rpc.calls_to("feedback", "close_case")


def test_split_sends_the_filled_parts_only(client, feedback):
    sign_in(client)
    response = post_action(
        client,
        "split",
        **{
            "parts.0.type": "feedback",
            "parts.0.title": "Đèn đường",
            "parts.0.text": "Đèn đường kiệt 12 không sáng.",
            "parts.2.type": "denunciation",
            "parts.2.title": "Cán bộ thu tiền",
            "parts.2.text": "Cán bộ thu tiền sửa đèn của các hộ.",
        },
    )
    assert response.status_code == 303
    parts = feedback["sent"]["split_case"].parts
    assert [part.type for part in parts] == ["feedback", "denunciation"]


def test_split_with_one_part_is_refused_beside_the_form(client, feedback, rpc):
    sign_in(client)
    response = post_action(client, "split", **{"parts.1.type": "feedback", "parts.1.title": "Đèn"})
    assert response.status_code == 422
    assert "Tách thành ít nhất 2 phần" in response.text
    assert 'name="parts.0.title" value="Đèn"' in response.text  # moved up to the first row
    assert not rpc.calls_to("feedback", "split_case")


def test_transfer_needs_a_destination_in_the_contracts_words(client, feedback, rpc):
    sign_in(client)
    refused = post_action(client, "transfer", reason="Không thuộc thẩm quyền.")
    assert refused.status_code == 422
    assert "Cần ghi chuyển đến đơn vị, người xử lý hoặc cơ quan nào." in refused.text
    assert "Không thuộc thẩm quyền.</textarea>" in refused.text
    post_action(client, "transfer", to_body="Thanh tra thành phố", reason="Không thuộc thẩm quyền.")
    sent = feedback["sent"]["transfer_case"]
    assert sent.to_body == "Thanh tra thành phố" and sent.to_unit_id is None


def test_start_extend_and_close_send_the_case_and_the_actor(client, feedback):
    sign_in(client)
    post_action(client, "start")
    post_action(client, "extend", reason="Cần xác minh thêm tại chỗ.")
    post_action(client, "close", note="Đã xong.")
    assert feedback["sent"]["start_handling"].case_id == CASE_ID
    assert feedback["sent"]["extend_case"].reason == "Cần xác minh thêm tại chỗ."
    assert feedback["sent"]["close_case"].actor == "minh"


def test_an_answer_is_sent_with_its_attachments(client, feedback):
    sign_in(client)
    token = csrf_of(client.get(STAFF_CASE).text)
    response = client.post(
        f"{STAFF_CASE}/answer",
        data={"csrf_token": token, "text": "Đã thay bóng đèn ngày 05/12."},
        files=[("attachments", ("bien-ban.pdf", b"%PDF-1.4", "application/pdf"))],
    )
    assert response.status_code == 303
    sent = feedback["sent"]["answer_case"]
    assert sent.text == "Đã thay bóng đèn ngày 05/12."
    assert [(a.filename, base64.b64decode(a.data_base64)) for a in sent.attachments] == [
        ("bien-ban.pdf", b"%PDF-1.4")
    ]


def test_a_refused_action_shows_the_services_reason_with_its_form_open(client, feedback, rpc):
    def refuse(payload: dict) -> None:
        raise Conflict("Chỉ gia hạn giải quyết tố cáo (Luật Tố cáo 2018 Điều 30).")

    rpc.answer("feedback", "extend_case", refuse)
    feedback["staff_case"] = staff_case(type="denunciation", status="accepted")
    sign_in(client)
    response = post_action(client, "extend", reason="Cần xác minh thêm.")
    assert response.status_code == 409
    assert "Chỉ gia hạn giải quyết tố cáo" in response.text
    assert "<details open>\n  <summary>Gia hạn" in response.text


def test_who_filed_is_shown_only_after_the_button_and_never_cached(client, feedback, rpc):
    feedback["staff_case"] = staff_case(confidential=True, type="denunciation")
    sign_in(client)
    token = csrf_of(client.get(STAFF_CASE).text)
    assert not rpc.calls_to("feedback", "view_identity")
    response = client.post(f"{STAFF_CASE}/identity", data={"csrf_token": token})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "Lê Thị Hoa" in response.text and "0912345678" in response.text
    assert "Lần xem này đã được ghi vào nhật ký." in response.text
    assert feedback["sent"]["view_identity"].actor == "minh"


def test_a_staff_photo_is_asked_for_with_the_case_and_the_actor(client, feedback):
    sign_in(client)
    response = client.get(f"{STAFF_CASE}/files/ph1")
    assert response.content == PNG and response.headers["x-content-type-options"] == "nosniff"
    sent = feedback["sent"]["get_file"]
    assert (sent.case_id, sent.actor, sent.code) == (CASE_ID, "minh", None)


def test_staff_file_a_case_on_a_residents_behalf_at_a_reception(client, feedback):
    sign_in(client)
    form = client.get("/staff/communes/huong-an/feedback/new?reception_id=r1").text
    assert '<option value="r1" selected>03/12/2026 · Nguyễn Văn An</option>' in form
    response = client.post(
        "/staff/communes/huong-an/feedback/new",
        data={
            "csrf_token": csrf_of(form),
            "request_id": request_id_of(form),
            "reception_id": "r1",
            "category": "roads",
            "title": "Ổ gà trước chợ",
            "text": "Ổ gà lớn trước chợ, xe máy dễ ngã.",
            "household": "ha7k2m",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == STAFF_CASE
    sent = feedback["sent"]["file_case"]
    assert (sent.actor, sent.reception_id, sent.household) == ("minh", "r1", "HA7K2M")
    assert f"Mã theo dõi: {CODE}" in client.get(STAFF_CASE).text


def test_staff_save_the_categories_keys_made_from_new_names(client, feedback):
    sign_in(client)
    form = client.get("/staff/communes/huong-an/feedback/categories").text
    assert 'name="categories.0.key" value="lighting"' in form
    response = client.post(
        "/staff/communes/huong-an/feedback/categories",
        data={
            "csrf_token": csrf_of(form),
            "row_count": "4",
            "categories.0.key": "lighting",
            "categories.0.saved": "yes",
            "categories.0.name": "Chiếu sáng",
            "categories.0.active": "yes",
            "categories.1.key": "old",
            "categories.1.saved": "yes",
            "categories.1.name": "Lĩnh vực cũ",
            "categories.2.name": "Cây xanh, công viên",
            "categories.2.active": "yes",
        },
    )
    assert response.status_code == 303
    saved = feedback["sent"]["save_categories"].categories
    assert [(c.key, c.name, c.active) for c in saved] == [
        ("lighting", "Chiếu sáng", True),
        ("old", "Lĩnh vực cũ", False),
        ("cay-xanh-cong-vien", "Cây xanh, công viên", True),
    ]


def test_staff_save_the_reception_schedule_and_record_a_session(client, feedback):
    sign_in(client)
    form = client.get("/staff/communes/huong-an/feedback/reception").text
    assert "03/12/2026" in form and "Nguyễn Văn An" in form
    token = csrf_of(form)
    client.post(
        "/staff/communes/huong-an/feedback/reception",
        data={
            "csrf_token": token,
            "part": "schedule",
            "row_count": "3",
            "slots.0.weekday": "3",
            "slots.0.starts": "07:30",
            "slots.0.ends": "11:00",
            "slots.0.place": "Trụ sở UBND",
            "slots.0.by_chairman": "yes",
            "slots.1.weekday": "0",
        },
    )
    (slot,) = feedback["sent"]["save_reception_schedule"].slots
    assert (slot.weekday, slot.starts, slot.by_chairman) == (3, "07:30", True)
    response = client.post(
        "/staff/communes/huong-an/feedback/reception",
        data={
            "csrf_token": token,
            "part": "session",
            "request_id": request_id_of(form),
            "day": "2026-12-10",
            "received_by": "Nguyễn Văn An",
            "by_chairman": "yes",
            "citizens_seen": "3",
        },
    )
    assert response.status_code == 303
    held = feedback["sent"]["record_reception"]
    assert (str(held.day), held.citizens_seen, held.by_chairman) == ("2026-12-10", 3, True)
    refused = client.post(
        "/staff/communes/huong-an/feedback/reception",
        data={"csrf_token": token, "part": "session", "request_id": request_id_of(form)},
    )
    assert refused.status_code == 422 and 'id="session-received_by-error"' in refused.text


def test_the_services_refusal_of_the_unit_is_shown_beside_the_unit(client, feedback, rpc):
    def refuse(payload: dict) -> None:
        raise InvalidInput(fields={"unit_id": "Thôn, tổ dân phố này không thuộc xã."})

    rpc.answer("feedback", "file_case", refuse)
    response = filing(client, **{"place.unit_id": UNIT})
    assert response.status_code == 422
    assert 'id="place-unit_id-error">Thôn, tổ dân phố này không thuộc xã.' in response.text


def test_an_official_who_may_not_list_receptions_still_files_a_case(client, feedback, rpc):
    def refuse(query: dict) -> None:
        raise Forbidden("Chỉ cán bộ xã xem được các buổi tiếp công dân.")

    rpc.answer("feedback", "list_receptions", refuse)
    sign_in(client)
    form = client.get("/staff/communes/huong-an/feedback/new")
    assert form.status_code == 200 and 'name="reception_id"' in form.text
    assert "Kiến nghị của Ban Thanh tra nhân dân" in form.text  # an inspector files those


def test_a_moments_date_is_its_day_in_vietnam():
    from datetime import UTC, date, datetime

    from gateway.templating import vn_date

    assert vn_date(datetime(2026, 12, 5, 20, 41, tzinfo=UTC)) == "06/12/2026"  # 03:41 there
    assert vn_date(date(2026, 12, 5)) == "05/12/2026"
    assert vn_date(None) == ""
