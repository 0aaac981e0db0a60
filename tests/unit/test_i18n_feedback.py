"""The feedback pages in English (issue #17, point 1): the resident's filing form,
case page, public list, reception schedule and satisfaction survey; the staff's
dashboard, case list, case page, settings and figures (chart and CSV); and what the
feedback service says or stores in Vietnamese, shown translated where it is read."""

import re
from datetime import UTC, date, datetime

import pytest

from services.feedback import domain
from services.feedback.cases import ROLE_SIGNATURE
from shared import i18n
from shared.contracts.feedback import CaseStatus, CaseType, Complexity, Deadline, TimelineStep
from shared.contracts.staff import Role
from shared.errors import Conflict, InvalidInput, from_wire
from tests.unit.english_support import assert_english, text_of
from tests.unit.feedback_support import CASE_ID, CODE, answered_case, fake_feedback, staff_case
from tests.unit.gateway_support import csrf_of, sign_in
from tests.unit.test_ballot_pages import surveys  # noqa: F401

ENGLISH = {"danban_lang": "en"}
CASE = f"/feedback/{CODE}"
STAFF_CASE = f"/staff/feedback/{CASE_ID}"
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def feedback(rpc) -> dict:
    return fake_feedback(rpc)


# --- the resident's pages ------------------------------------------------------


def test_the_filing_form_in_english(english, feedback):
    page = english.get("/communes/huong-an/feedback/new").text
    assert_english(
        page,
        ["Send feedback", "Category", "Choose a category", "Public lighting", "Title",
         "Place", "(optional)", "Use the phone's location", "Household code", "Send anonymously",
         "(optional; at most 3 JPEG, PNG or WebP photos, each at most 5 MB)", "Cancel"],
        ["Gửi phản ánh", "Lĩnh vực", "Chọn lĩnh vực", "Chiếu sáng công cộng", "Tiêu đề",
         "Địa điểm", "không bắt buộc", "Mã hộ", "Gửi ẩn danh", "Hủy"],
    )  # fmt: skip
    assert '"Getting the location\\u2026"' in page  # the script's words too
    assert 'placeholder="For example: Street light in lane 12 not working"' in page


def test_a_refused_filing_explains_in_english(english, feedback, rpc):
    form = english.get("/communes/huong-an/feedback/new").text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', form).group(1)
    data = {"request_id": request_id, "category": "", "title": "Đèn", "text": "ngắn",
            "place.latitude": "abc", "household": "??"}  # fmt: skip
    page = english.post("/communes/huong-an/feedback/new", data=data).text
    assert_english(
        page,
        ["Not sent yet. Please correct the following:", "Please choose a category.",
         "Please enter a number, for example 16.4637", "The household code is not right"],
        ["Chưa gửi được", "Vui lòng"],
    )  # fmt: skip


def test_the_lookup_and_an_unknown_code_in_english(english, feedback):
    assert_english(
        english.get("/feedback").text,
        ["Track your feedback", "Tracking code"],
        ["Theo dõi phản ánh", "Mã theo dõi"],
    )
    refused = english.get("/feedback/PA-22222222")
    assert refused.status_code == 404
    assert_english(refused.text, ["No feedback was found with the code PA-22222222"], [])


def test_the_receipt_and_timeline_in_english(english, feedback):
    page = english.get(f"{CASE}?filed=1").text
    assert_english(
        page,
        ["Your feedback has been sent.", "Your tracking code:", "Keep this code",
         "Category Public lighting", "Sent on 1 Dec 2026, 09:00", "Next deadline 15 Dec 2026",
         "Received 1 Dec 2026, 09:00"],
        ["Đã gửi phản ánh", "Hãy ghi lại", "Ngày gửi", "Quá trình xử lý", "01/12/2026"],
    )  # fmt: skip
    assert 'href="/feedback">feedback tracking page</a>' in page


def test_rating_and_reopening_in_english(english, rpc):
    state = fake_feedback(rpc, answered_case(may_rate=True))
    page = english.get(CASE).text
    assert_english(
        page,
        ["The People's Committee's answer", "Attachment 1", "Rate the answer",
         "Are you satisfied with the answer?", "Not satisfied", "Send rating"],
        ["Trả lời của UBND", "Tệp đính kèm", "Đánh giá câu trả lời", "Chưa hài lòng"],
    )  # fmt: skip
    refused = english.post(f"{CASE}/rate", data={"satisfied": "no", "reason": ""})
    assert "Please tell us why you are not satisfied." in refused.text
    english.post(f"{CASE}/rate", data={"satisfied": "yes"})
    assert "Thank you for rating the answer." in english.get(f"{CASE}?done=rated").text
    state["case"] = answered_case(may_reopen=True)
    assert_english(
        english.get(CASE).text,
        ["Ask for a review", "Why you ask for a review"],
        ["Đề nghị xem xét lại"],
    )


def test_the_service_notes_on_the_timeline_are_translated(english, rpc):
    steps = [
        TimelineStep(status=CaseStatus.RECEIVED, at=AT, by_role="Cổng tiếp nhận trực tuyến"),
        TimelineStep(
            status=CaseStatus.ACCEPTED,
            at=AT,
            by_role=ROLE_SIGNATURE[Role.COMMUNE_STAFF],
            note="Thụ lý: Phản ánh, kiến nghị",
        ),
        TimelineStep(
            status=CaseStatus.IN_PROGRESS,
            at=AT,
            by_role="Người gửi",
            note="Mở lại theo yêu cầu của người gửi: Đèn vẫn chưa sáng.",
        ),
        TimelineStep(
            status=CaseStatus.IN_PROGRESS,
            at=AT,
            by_role="Lãnh đạo Ủy ban nhân dân xã",
            note="Gia hạn giải quyết lần 1 đến ngày 15/01/2027",
        ),
    ]
    fake_feedback(rpc, answered_case(timeline=steps))
    assert_english(
        english.get(CASE).text,
        ["Online submission portal", "Commune People's Committee official",
         "Accepted as: Feedback and petitions",
         "Reopened at the sender's request: Đèn vẫn chưa sáng.",  # the filer's own words stay
         "Resolution extended (extension 1) until 15 Jan 2027"],
        ["Cổng tiếp nhận", "Thụ lý:", "Mở lại theo", "Gia hạn giải quyết"],
    )  # fmt: skip


def test_the_public_list_in_english(english, feedback):
    assert_english(
        english.get("/communes/huong-an/feedback").text,
        ["Answered feedback and recommendations", "All categories", "Public lighting",
         "Answer", "Attachment 1", "Next page", "Page 1", "Feedback figures",
         "Citizen reception schedule"],
        ["Phản ánh, kiến nghị đã trả lời", "Tất cả lĩnh vực", "Trang sau", "Lịch tiếp công dân"],
    )  # fmt: skip


def test_the_reception_schedule_in_english(english, feedback):
    page = english.get("/communes/huong-an/reception").text
    assert_english(
        page,
        ["Citizen reception schedule", "Monday", "Thursday",
         "Chairman of the ward People's Committee receives citizens",
         "Received by: Cán bộ tư pháp"],
        ["Thứ Hai", "Thứ Năm", "Chủ tịch UBND", "Người tiếp"],
    )  # fmt: skip
    assert text_of(page).index("Monday") < text_of(page).index("Thursday")


def test_the_satisfaction_survey_in_english(english, surveys):  # noqa: F811
    form = english.get("/s/p-desk").text
    assert_english(form, ["Anonymous: no sign-in"], ["Ẩn danh", "Gửi ý kiến"])
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', form).group(1)
    thanks = english.post("/s/p-desk", data={"submission_id": submission_id, "q-overall": "5"})
    assert_english(
        thanks.text,
        ["Thank you for your response", "has been recorded", "Receipt code", "Check a receipt"],
        ["Cảm ơn bạn", "Mã biên nhận"],
    )


# --- the staff's pages ---------------------------------------------------------


def test_the_dashboard_and_case_list_in_english(english, feedback):
    sign_in(english)
    assert_english(
        english.get("/staff/communes/huong-an/feedback").text,
        ["Handle feedback and petitions", "16 Dec 2026. Do these first", "Take a submission",
         "All cases",
         "Overdue", "Not classified", "Due soon", "No cases due soon.", "By handler",
         "Not assigned", "Due 15 Dec 2026", "(Inform the sender)", "Received 1 Dec 2026",
         "Feedback categories", "Figures"],
        ["Xử lý phản ánh", "Quá hạn", "Chưa phân loại", "Chưa giao", "Hạn 15/12/2026"],
    )  # fmt: skip
    assert_english(
        english.get("/staff/communes/huong-an/feedback/cases").text,
        ["All cases", "Status", "In progress", "Denunciation", "Overdue", "Due soon", "Filter"],
        ["Tất cả vụ việc", "Tình trạng", "Đang giải quyết", "Tố cáo", "Lọc"],
    )


def test_the_staff_case_page_in_english(english, feedback):
    feedback["staff_case"] = staff_case(
        type=CaseType.DENUNCIATION,
        status=CaseStatus.ACCEPTED,
        complexity=Complexity.COMPLEX,
        confidential=True,
        deadlines={Deadline.ACCEPT: "2026-12-15", Deadline.RESOLVE: "2027-02-15"},
        due_deadline=Deadline.ACCEPT,
    )
    sign_in(english)
    page = english.get(STAFF_CASE).text
    assert_english(
        page,
        ["Denunciation", "Sender confidential", "Complex", "Handling unit",
         "Accept / check: 15 Dec 2026 · next deadline", "Answer / resolve: 15 Feb 2027",
         "View sender details", "A denouncer's identity is kept confidential",
         "Classify, accept, assign", "Transfer", "Start handling",
         "Extend the resolution of a denunciation", "Answer the sender",
         "(at most 3 photo or PDF files, each at most 5 MB)"],
        ["Tố cáo", "Bảo mật người gửi", "Mức độ", "Thời hạn", "Xem thông tin người gửi",
         "Phân loại", "Chuyển đơn", "Gia hạn", "Trả lời người gửi", "Quá trình xử lý"],
    )  # fmt: skip
    token = csrf_of(page)
    identity = english.post(f"{STAFF_CASE}/identity", data={"csrf_token": token}).text
    assert_english(
        identity,
        ["Sender details", "This view has been recorded in the audit log", "Household code",
         "Email Not given", "Back to the case"],
        ["Thông tin người gửi", "Không ghi", "Quay lại vụ việc"],
    )  # fmt: skip


def test_a_staff_action_and_its_refusal_in_english(english, feedback, rpc):
    def refuse(payload: dict) -> None:  # as the RPC client rebuilds the service's refusal
        detail = "Chỉ gia hạn giải quyết tố cáo (Luật Tố cáo 2018 Điều 30)."
        raise from_wire({"exc_type": "Conflict", "exc_args": [detail, {}]})

    rpc.answer("feedback", "extend_case", refuse)
    feedback["staff_case"] = staff_case(type="denunciation", status="accepted")
    sign_in(english)
    token = csrf_of(english.get(STAFF_CASE).text)
    refused = english.post(
        f"{STAFF_CASE}/extend", data={"csrf_token": token, "reason": "Cần xác minh thêm."}
    )
    assert refused.status_code == 409
    assert "Only the resolution of a denunciation can be extended" in refused.text
    english.post(f"{STAFF_CASE}/start", data={"csrf_token": token})
    assert "The case is now in progress." in english.get(STAFF_CASE).text


def test_the_settings_pages_in_english(english, feedback):
    sign_in(english)
    assert_english(
        english.get("/staff/communes/huong-an/feedback/categories").text,
        ["Feedback categories", "New category", "Name", "Code:", "In use", "Save",
         "Public lighting"],
        ["Lĩnh vực mới", "Đang dùng", "Chiếu sáng công cộng"],
    )  # fmt: skip
    page = english.get("/staff/communes/huong-an/feedback/reception").text
    assert_english(
        page,
        ["Weekly citizen reception schedule", "Session 1", "Day of the week", "Monday",
         "Save schedule", "Record a citizen reception session", "Sessions held in 2026",
         "3 Dec 2026"],
        ["Lịch tiếp công dân hằng tuần", "Thứ Hai", "Lưu lịch", "Các buổi đã tiếp"],
    )  # fmt: skip
    token = csrf_of(page)
    data = {"csrf_token": token, "part": "session", "request_id": "a" * 32, "day": "2026-12-10",
            "received_by": "Nguyễn Văn An", "citizens_seen": "3", "notes": ""}  # fmt: skip
    english.post("/staff/communes/huong-an/feedback/reception", data=data)
    flash = english.get("/staff/communes/huong-an/feedback/reception").text
    assert "The citizen reception session of 10 Dec 2026 has been recorded." in flash


def test_the_figures_chart_table_and_csv_in_english(english, feedback):
    sign_in(english)
    page = english.get("/communes/huong-an/feedback/figures", params={"year": "2026"}).text
    assert_english(
        page,
        ["Feedback figures", "Whole year", "Received 5", "answered 3", "66.7%",
         "Feedback received and answered on time, by category",
         "Public lighting: 4 received, 2 answered on time", "Answered on time",
         "Village or residential group not known", "Total", "Days (median)", "Download CSV"],
        ["Số liệu", "Tiếp nhận", "Trả lời đúng hạn", "Chưa rõ thôn", "Tổng cộng", "66,7%"],
    )  # fmt: skip
    csv = english.get("/communes/huong-an/feedback/figures.csv", params={"year": "2026"}).text
    header = csv.splitlines()[0].lstrip("\ufeff")
    assert header.startswith("Village or residential group,Category,Received,Answered,")
    assert "Total" in csv and "Tổng cộng" not in csv and "4.5" in csv


def test_the_staff_filing_form_and_its_flash_in_english(english, feedback):
    sign_in(english)
    form = english.get("/staff/communes/huong-an/feedback/new").text
    assert_english(
        form,
        ["Take a citizen's submission", "Received at a citizen reception session", "Complaint",
         "Recommendation of the People's Inspection Board"],
        ["Tiếp nhận đơn của công dân", "Khiếu nại"],
    )  # fmt: skip
    data = {
        "csrf_token": csrf_of(form),
        "request_id": re.search(r'name="request_id" value="([0-9a-f]{32})"', form).group(1),
        "category": "lighting",
        "title": "Đèn đường kiệt 12 không sáng",
        "text": "Đèn đường trước nhà số 15 kiệt 12 không sáng từ tuần trước.",
    }
    english.post("/staff/communes/huong-an/feedback/new", data=data)
    assert f"Tracking code: {CODE}. Give this code to the sender" in english.get(STAFF_CASE).text


def test_open311_speaks_the_readers_language(client, feedback):
    english = {"Accept-Language": "en"}
    services = client.get(
        "/api/open311/v2/services.json", params={"jurisdiction_id": "huong-an"}, headers=english
    ).json()
    assert services[0]["service_name"] == "Public lighting"
    assert services[0]["group"] == "Feedback and petitions"
    missing = client.get("/api/open311/v2/services.json", headers=english)
    assert missing.status_code == 400
    assert missing.json() == [
        {"code": 400, "description": "jurisdiction_id: jurisdiction_id is needed: the code of "
         "the commune or ward."}
    ]  # fmt: skip
    vietnamese = client.get("/api/open311/v2/services.json", params={"jurisdiction_id": "huong-an"})
    assert vietnamese.json()[0]["service_name"] == "Chiếu sáng công cộng"


# --- what the service says and stores ------------------------------------------


def test_the_services_refusals_are_marked_and_read_in_english(in_english):
    with pytest.raises(Conflict) as refused:
        domain.check_extension(CaseType.DENUNCIATION, Complexity.NORMAL, 0)
    assert i18n.translate(refused.value.detail) == (
        "No further extension: a case that is not complex cannot be extended "
        "(Denunciation Law 2018, Art 30)."
    )
    i18n.use(i18n.VIETNAMESE)  # the service itself speaks Vietnamese
    with pytest.raises(Conflict) as shortened:
        domain.check_no_deadline_shortened(
            {Deadline.ACCEPT: date(2026, 12, 16)}, {Deadline.ACCEPT: date(2026, 12, 1)}
        )
    assert "16/12/2026 sẽ bị rút ngắn còn 01/12/2026" in shortened.value.detail
    i18n.use(i18n.ENGLISH)
    assert i18n.translate(shortened.value.detail) == (
        "This change is not possible: the deadline “Accept / check”, running until "
        "16 Dec 2026, would be shortened to 1 Dec 2026."
    )
    assert i18n.translate(domain.REFUSED_VI["reopen"]) == "Only an answered case can be reopened."
    assert [i18n.translate(c.name) for c in domain.DEFAULT_CATEGORIES][:2] == [
        "Roads and traffic",
        "Public lighting",
    ]


def test_a_contracts_own_reason_reaches_the_form_in_english(in_english):
    from shared.contracts.feedback import FileCase
    from shared.errors import parse

    with pytest.raises(InvalidInput) as refused:
        parse(
            FileCase,
            {"commune_id": "huong-an", "request_id": "a" * 32, "category": "lighting",
             "title": "Đèn đường", "text": "Đèn đường không sáng.", "anonymous": True,
             "household": "HA7K2M"},
        )  # fmt: skip
    assert "An anonymous submission gives no household code or contact details." in (
        refused.value.fields.values()
    )
