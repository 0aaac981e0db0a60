"""The staff pages for polls, with a fake surveys service in the FakeRpc port."""

import base64
import re

import pytest

from shared.errors import InvalidInput
from tests.samples import AGREE_QUESTION, SAMPLE_UNIT, sample_poll
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import sign_in

# The smallest PNG: a 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
UNIT = SAMPLE_UNIT


@pytest.fixture
def surveys(rpc: FakeRpc) -> FakeRpc:
    """A surveys service with one open decision of the whole ward."""
    rpc.answer("surveys", "get_poll", lambda ref: sample_poll(id=ref["poll_id"]))
    rpc.answer(
        "surveys", "create_poll", lambda command: sample_poll(id="p9", title=command["title"])
    )
    return rpc


@pytest.fixture
def staff(client, surveys):
    sign_in(client)
    return client


def refuse(rpc: FakeRpc, method: str, fields: dict[str, str]) -> None:
    def refused(payload: dict) -> None:
        raise InvalidInput(fields=fields)

    rpc.answer("surveys", method, refused)


def form_page(client, path: str) -> tuple[str, dict]:
    """The page, and the hidden fields its first form sends."""
    html = client.get(path).text
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return html, hidden


NEW = "/communes/huong-an/polls/new"
CONSULTATION = {
    "unit_id": "huong-an",
    "title": "Dự thảo quy hoạch công viên",
    "description": "Xin ý kiến về vị trí công viên.",
    "channels": ["online", "paper"],
    "public_results": "yes",
    "opens_at": "2026-03-01T07:00",
    "closes_at": "2026-03-25T17:00",
    "questions.0.type": "single",
    "questions.0.text": "Chọn vị trí",
    "questions.0.options": "bo-song: Bờ sông\nGần chợ",
    "questions.1.type": "text",
    "questions.1.text": "Ý kiến khác",
    "questions.1.options": "",
}


def post_new(client, kind: str = "consultation", **fields):
    _, hidden = form_page(client, f"{NEW}?kind={kind}")
    return client.post(NEW, data={**hidden, "question_count": "2", **CONSULTATION, **fields})


@pytest.mark.parametrize(
    "path",
    [
        "/communes/huong-an/polls",
        NEW,
        "/polls/p1",
        f"/polls/p1/cards/{UNIT}.pdf",
        f"/polls/p1/units/{UNIT}/paper",
        f"/polls/p1/units/{UNIT}/meeting",
        "/polls/p1/explanations",
        "/polls/p1/finalise",
    ],
)
def test_poll_pages_send_visitors_to_sign_in(client, surveys, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in?next=")
    assert surveys.calls_to("surveys", "get_poll") == []


def test_the_list_groups_a_communes_polls_by_status_with_scheduled_ones(staff, surveys):
    surveys.answer(
        "surveys",
        "list_polls",
        lambda query: {
            "polls": [
                sample_poll(id="a", title="Đang mở A", status="open"),
                sample_poll(id="b", title="Sắp mở B", status="scheduled", kind="consultation"),
                sample_poll(id="c", title="Hoàn tất C", status="finalised", kind="satisfaction"),
            ]
        },
    )
    html = staff.get("/communes/huong-an/polls").text
    [(query,)] = surveys.calls_to("surveys", "list_polls")
    assert query == {"commune_id": "huong-an", "include_scheduled": True}
    headings = re.findall(r"<h2>([^<]+)<", html)
    assert [heading.strip() for heading in headings] == ["Đang mở", "Chưa mở", "Đã hoàn tất"]
    assert html.index("Đang mở A") < html.index("Sắp mở B") < html.index("Hoàn tất C")
    assert 'href="/polls/b"' in html and "Lấy ý kiến" in html and "Khảo sát mức độ hài lòng" in html
    assert 'href="/communes/huong-an/polls/new"' in html and "Tạo mới" in html


def test_creating_a_consultation_sends_aware_datetimes_questions_and_the_request_id(staff, surveys):
    response = post_new(staff)
    assert response.status_code == 303
    assert response.headers["location"] == "/polls/p9"
    [(sent,)] = surveys.calls_to("surveys", "create_poll")
    assert re.fullmatch(r"[0-9a-f]{32}", sent["request_id"])
    assert sent["kind"] == "consultation" and sent["actor"] == "minh"
    assert sent["opens_at"] == "2026-03-01T07:00:00+07:00"  # Vietnam's time, aware
    assert sent["closes_at"] == "2026-03-25T17:00:00+07:00"
    assert sent["channels"] == ["online", "paper"] and sent["public_results"] is True
    assert [(q["id"], q["type"], q["text"]) for q in sent["questions"]] == [
        ("q1", "single", "Chọn vị trí"),
        ("q2", "text", "Ý kiến khác"),
    ]
    assert sent["questions"][0]["options"] == [
        {"id": "bo-song", "label": "Bờ sông"},
        {"id": "opt2", "label": "Gần chợ"},
    ]
    assert sent["questions"][1]["options"] == []
    assert sent["matter"] is None and sent["deciding_options"] == []
    assert "Đã tạo “Dự thảo quy hoạch công viên”" in staff.get("/polls/p9").text


def test_sending_the_create_form_twice_sends_the_same_request_id(staff, surveys):
    _, hidden = form_page(staff, NEW)
    data = {**hidden, "question_count": "2", **CONSULTATION}
    staff.post(NEW, data=data)
    staff.post(NEW, data=data)
    first, second = surveys.calls_to("surveys", "create_poll")
    assert first[0]["request_id"] == second[0]["request_id"] == hidden["request_id"]


def test_a_decision_form_offers_the_six_matters_and_agree_as_the_deciding_option(staff):
    html = staff.get(f"{NEW}?kind=decision").text
    assert html.count('<option value="infrastructure"') == 1
    assert len(re.findall(r'<select id="matter".*?</select>', html, re.S)[0].split("<option")) == 8
    assert "dong-y: Đồng ý\nkhong-dong-y: Không đồng ý" in html
    assert 'name="deciding_options" value="dong-y"' in html
    assert 'name="secret"' in html and 'name="meeting_fell_short"' in html
    assert 'value="add_question"' not in html  # a decision has one question


def test_creating_a_decision_sends_its_matter_notice_and_deciding_option(staff, surveys):
    _, hidden = form_page(staff, f"{NEW}?kind=decision")
    fields = {
        **hidden,
        "title": "Bê tông hóa kiệt 12",
        "unit_id": UNIT,
        "matter": "infrastructure",
        "noticed_on": "2026-02-26",
        "online_opt_in": "",
        "secret": "yes",
        "channels": ["paper", "meeting"],
        "opens_at": "2026-03-01T07:00",
        "closes_at": "2026-03-08T17:00",
        "questions.0.type": "single",
        "questions.0.text": "Đồng ý không?",
        "questions.0.options": "dong-y: Đồng ý\nkhong-dong-y: Không đồng ý",
        "deciding_options": "dong-y",
    }
    assert staff.post(NEW, data=fields).status_code == 303
    [(sent,)] = surveys.calls_to("surveys", "create_poll")
    assert (sent["kind"], sent["unit_id"], sent["matter"]) == ("decision", UNIT, "infrastructure")
    assert (sent["noticed_on"], sent["online_opt_in"], sent["secret"]) == ("2026-02-26", None, True)
    assert sent["deciding_options"] == ["dong-y"]
    assert [option["id"] for option in sent["questions"][0]["options"]] == [
        "dong-y",
        "khong-dong-y",
    ]


def test_a_refusal_is_shown_beside_its_field_keeping_every_value(staff, surveys):
    message = "Lấy ý kiến phải kéo dài ít nhất 20 ngày kể từ khi công bố."
    refuse(surveys, "create_poll", {"closes_at": message})
    response = post_new(staff, closes_at="2026-03-05T17:00")
    assert response.status_code == 422
    html = response.text
    assert f'<p class="error" id="closes_at-error">{message}</p>' in html
    assert 'id="closes_at" name="closes_at" type="datetime-local" value="2026-03-05T17:00"' in html
    assert 'aria-describedby="closes_at-error"' in html
    assert 'value="Dự thảo quy hoạch công viên"' in html
    assert "Xin ý kiến về vị trí công viên." in html
    assert "bo-song: Bờ sông\nGần chợ</textarea>" in html
    assert 'value="Ý kiến khác"' in html
    assert re.search(r'name="channels" value="paper" checked', html)
    assert not re.search(r'name="channels" value="meeting" checked', html)


def test_a_missing_date_and_question_text_are_refused_in_the_gateway(staff, surveys):
    response = post_new(staff, opens_at="", **{"questions.0.text": ""})
    assert response.status_code == 422
    assert 'id="opens_at-error">Vui lòng nhập ngày và giờ' in response.text
    assert 'id="questions-0-error">Vui lòng điền mục này.' in response.text
    assert surveys.calls_to("surveys", "create_poll") == []


def test_adding_a_question_shows_the_form_again_with_one_more_fieldset(staff, surveys):
    response = post_new(staff, action="add_question")
    assert response.status_code == 200
    html = response.text
    assert "Câu hỏi 3" in html and 'name="questions.2.text"' in html
    assert 'name="question_count" value="3"' in html
    assert 'value="Chọn vị trí"' in html and 'value="Ý kiến khác"' in html
    assert surveys.calls_to("surveys", "create_poll") == []


@pytest.mark.parametrize(
    ("status", "offered", "not_offered"),
    [
        ("scheduled", ["In phiếu (PDF)", "Cấp lại phiếu"], ["Nhập phiếu giấy", "/finalise"]),
        ("open", ["In phiếu (PDF)", "Nhập phiếu giấy", "Nhập kết quả họp"], ["/finalise"]),
        ("closed", ["/finalise", "/results"], ["In phiếu (PDF)", "Nhập phiếu giấy"]),
        ("finalised", ["/summary", "/results"], ["/finalise", "In phiếu (PDF)"]),
    ],
)
def test_the_poll_page_offers_what_its_status_allows(staff, surveys, status, offered, not_offered):
    surveys.answer("surveys", "get_poll", lambda ref: sample_poll(status=status))
    html = staff.get("/polls/p1").text
    assert "Biểu quyết" in html and "Chủ trương và mức đóng góp" in html
    assert "Phiếu giấy của hộ gia đình; Họp cộng đồng dân cư" in html
    for text in offered:
        assert text in html
    for text in not_offered:
        assert text not in html


def test_the_poll_page_shows_the_electorate_per_unit(staff, surveys):
    html = staff.get("/polls/p1").text
    assert "1241 hộ" in html and 'Tổ dân phố 2</strong> <span class="muted">· 1207 hộ' in html
    assert f'href="/polls/p1/units/{UNIT}/paper"' in html
    assert f'href="/polls/p1/cards/{UNIT}.pdf"' in html


def test_a_closed_consultation_links_to_its_explanations(staff, surveys):
    surveys.answer(
        "surveys",
        "get_poll",
        lambda ref: sample_poll(
            kind="consultation", matter=None, status="closed", channels=["online"]
        ),
    )
    html = staff.get("/polls/p1").text
    assert 'href="/polls/p1/explanations"' in html
    assert "Nhập kết quả họp" not in html


def card_sheet(command: dict) -> dict:
    code = command["household_code"] or "HA7K2M"
    card = {"poll_id": "p1", "household_code": code, "unit_id": UNIT, "version": 1}
    return {
        "poll": sample_poll(),
        "unit_name": "Tổ dân phố 1",
        "cards": [{**card, "card_code": "X4"}],
    }


def test_the_cards_pdf_issues_the_units_cards_and_returns_a_pdf(staff, surveys):
    surveys.answer("surveys", "issue_cards", card_sheet)
    response = staff.get(f"/polls/p1/cards/{UNIT}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "filename=" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    [(sent,)] = surveys.calls_to("surveys", "issue_cards")
    assert sent == {"actor": "minh", "poll_id": "p1", "unit_id": UNIT, "household_code": None}


def test_reissuing_a_card_returns_the_one_card_pdf(staff, surveys):
    surveys.answer("surveys", "issue_cards", card_sheet)
    _, hidden = form_page(staff, "/polls/p1")
    response = staff.post(
        f"/polls/p1/cards/{UNIT}/reissue",
        data={"csrf_token": hidden["csrf_token"], "household_code": "HB3C4D"},
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "HB3C4D" in response.headers["content-disposition"]
    [(sent,)] = surveys.calls_to("surveys", "issue_cards")
    assert sent["household_code"] == "HB3C4D"


def test_reissuing_without_the_csrf_token_is_refused(staff, surveys):
    response = staff.post(f"/polls/p1/cards/{UNIT}/reissue", data={"household_code": "HB3C4D"})
    assert response.status_code == 403
    assert surveys.calls_to("surveys", "issue_cards") == []


def test_reissuing_a_card_refused_by_the_service_shows_why_on_the_poll_page(staff, surveys):
    refuse(surveys, "issue_cards", {"household_code": "Hộ này không thuộc Tổ dân phố 1."})
    html, hidden = form_page(staff, "/polls/p1")
    response = staff.post(
        f"/polls/p1/cards/{UNIT}/reissue",
        data={"csrf_token": hidden["csrf_token"], "household_code": " hb3c4d "},
    )
    assert response.status_code == 422
    assert "Hộ này không thuộc Tổ dân phố 1." in response.text
    [(sent,)] = surveys.calls_to("surveys", "issue_cards")
    assert sent["household_code"] == "HB3C4D" and sent["unit_id"] == UNIT


def test_a_unit_outside_the_polls_scope_is_not_found(staff):
    assert staff.get("/polls/p1/units/elsewhere/paper").status_code == 404


PAPER = f"/polls/p1/units/{UNIT}/paper"


def test_paper_returns_show_the_codes_recorded_and_each_refused_with_its_reason(staff, surveys):
    surveys.answer(
        "surveys",
        "record_paper_returns",
        lambda command: {
            "recorded": ["HA7K2M"],
            "refused": {"HB3C4D": "Hộ đã biểu quyết trực tuyến."},
        },
    )
    _, hidden = form_page(staff, PAPER)
    response = staff.post(
        PAPER,
        data={
            "csrf_token": hidden["csrf_token"],
            "part": "returns",
            "household_codes": "ha7k2m, HB3C4D\nHA7K2M",
        },
    )
    assert response.status_code == 200
    [(sent,)] = surveys.calls_to("surveys", "record_paper_returns")
    assert sent == {
        "actor": "minh",
        "poll_id": "p1",
        "unit_id": UNIT,
        "household_codes": ["HA7K2M", "HB3C4D"],
    }
    assert "Đã ghi nhận 1 hộ." in response.text
    assert "<strong>HB3C4D</strong>: Hộ đã biểu quyết trực tuyến." in response.text


def test_a_mistyped_household_code_is_refused_before_anything_is_sent(staff, surveys):
    _, hidden = form_page(staff, PAPER)
    response = staff.post(
        PAPER,
        data={
            "csrf_token": hidden["csrf_token"],
            "part": "returns",
            "household_codes": "HA7K2M H0",
        },
    )
    assert response.status_code == 422
    assert 'id="returns-household_codes-error"' in response.text and "H0." in response.text
    assert "HA7K2M H0</textarea>" in response.text
    assert surveys.calls_to("surveys", "record_paper_returns") == []


def tally(client, photo: tuple[str, bytes, str], **fields):
    _, hidden = form_page(client, PAPER)
    data = {
        "csrf_token": hidden["csrf_token"],
        "part": "tally",
        "minutes_number": "01/BB-KP",
        "counted_at": "2026-03-08T18:30",
        "returned": "30",
        "valid": "29",
        "invalid": "1",
        "counts.q1.dong-y": "25",
        "counts.q1.khong": "",
        **fields,
    }
    return client.post(PAPER, data=data, files={"photo": photo})


def test_the_count_minutes_are_sent_with_the_photo_as_base64(staff, surveys):
    surveys.answer("surveys", "record_paper_tally", lambda command: {})
    response = tally(staff, ("bien-ban.png", PNG, "image/png"))
    assert response.status_code == 303 and response.headers["location"] == "/polls/p1"
    [(sent,)] = surveys.calls_to("surveys", "record_paper_tally")
    assert sent["photo"] == {
        "content_type": "image/png",
        "data_base64": base64.b64encode(PNG).decode(),
    }
    assert sent["counted_at"] == "2026-03-08T18:30:00+07:00"
    assert (sent["returned"], sent["valid"], sent["invalid"]) == (30, 29, 1)
    assert sent["counts"] == {"q1": {"dong-y": 25, "khong": 0}}
    assert "Đã lưu biên bản kiểm phiếu số 01/BB-KP của Tổ dân phố 1." in staff.get("/polls/p1").text


def test_a_photo_that_is_not_an_image_is_refused_in_the_gateway(staff, surveys):
    response = tally(staff, ("bien-ban.png", b"%PDF-1.4 not an image", "image/png"))
    assert response.status_code == 422
    assert "Ảnh biên bản phải là tệp JPEG hoặc PNG." in response.text
    assert 'name="minutes_number" value="01/BB-KP"' in response.text
    assert surveys.calls_to("surveys", "record_paper_tally") == []


def test_the_services_refusal_of_the_minutes_is_shown_beside_the_numbers(staff, surveys):
    message = "Số phiếu thu về phải bằng số phiếu hợp lệ cộng không hợp lệ."
    refuse(surveys, "record_paper_tally", {"returned": message})
    response = tally(staff, ("bien-ban.png", PNG, "image/png"), returned="31")
    assert response.status_code == 422
    assert f'id="returned-error">{message}' in response.text
    assert 'id="returned" name="returned" type="number"' in response.text
    assert 'value="31"' in response.text


MEETING = f"/polls/p1/units/{UNIT}/meeting"


@pytest.mark.parametrize(("reached", "says"), [(True, "đủ điều kiện"), (False, "chưa đủ")])
def test_a_meeting_entry_tells_whether_the_quorum_was_reached(staff, surveys, reached, says):
    surveys.answer(
        "surveys",
        "record_meeting",
        lambda command: {
            "unit_id": UNIT,
            "held_at": command["held_at"],
            "present": len(command["present_codes"]),
            "counts": command["counts"],
            "quorum_reached": reached,
            "recorded_by": "minh",
        },
    )
    _, hidden = form_page(staff, MEETING)
    response = staff.post(
        MEETING,
        data={
            "csrf_token": hidden["csrf_token"],
            "held_at": "2026-03-05T19:00",
            "present_codes": "HA7K2M HB3C4D",
            "counts.q1.dong-y": "2",
            "counts.q1.khong": "0",
        },
    )
    assert response.status_code == 200
    [(sent,)] = surveys.calls_to("surveys", "record_meeting")
    assert sent["held_at"] == "2026-03-05T19:00:00+07:00"
    assert sent["present_codes"] == ["HA7K2M", "HB3C4D"]
    assert sent["counts"] == {"q1": {"dong-y": 2, "khong": 0}}
    assert "2/34 hộ có mặt" in response.text
    assert f"Cuộc họp {says}" in response.text and "Nghị định 61/2023, Điều 10" in response.text


def closed_consultation(rpc: FakeRpc) -> None:
    rpc.answer(
        "surveys",
        "get_poll",
        lambda ref: sample_poll(
            kind="consultation",
            matter=None,
            status="closed",
            channels=["online"],
            questions=[{**AGREE_QUESTION, "type": "text", "options": [], "text": "Góp ý"}],
        ),
    )


def test_the_explanations_table_grows_by_a_row_and_is_saved_whole(staff, surveys):
    closed_consultation(surveys)
    surveys.answer("surveys", "record_explanations", lambda command: None)
    _, hidden = form_page(staff, "/polls/p1/explanations")
    row = {
        "groups.0.question_id": "q1",
        "groups.0.summary": "Nên làm thêm đèn đường",
        "groups.0.count": "12",
        "groups.0.acceptance": "accepted",
        "groups.0.explanation": "Đưa vào kế hoạch năm 2026.",
    }
    page = staff.post("/polls/p1/explanations", data={**hidden, **row, "action": "add_row"})
    assert page.status_code == 200 and 'name="groups.1.summary"' in page.text
    assert "Nên làm thêm đèn đường" in page.text
    response = staff.post(
        "/polls/p1/explanations", data={**hidden, **row, "row_count": "2"}
    )  # the second row left blank
    assert response.status_code == 303
    [(sent,)] = surveys.calls_to("surveys", "record_explanations")
    assert sent["groups"] == [
        {
            "question_id": "q1",
            "summary": "Nên làm thêm đèn đường",
            "count": 12,
            "acceptance": "accepted",
            "explanation": "Đưa vào kế hoạch năm 2026.",
        }
    ]


def test_an_explanation_row_without_its_acceptance_is_marked(staff, surveys):
    closed_consultation(surveys)
    _, hidden = form_page(staff, "/polls/p1/explanations")
    response = staff.post(
        "/polls/p1/explanations",
        data={**hidden, "groups.0.summary": "Ý kiến", "groups.0.count": "3"},
    )
    assert response.status_code == 422
    assert 'id="groups-0-acceptance-error"' in response.text
    assert surveys.calls_to("surveys", "record_explanations") == []


def test_finalising_a_consultation_without_explanations_shows_why_and_where(staff, surveys):
    closed_consultation(surveys)
    message = "Vui lòng lập bảng tiếp thu, giải trình trước khi ký xác nhận (Điều 28)."
    refuse(surveys, "finalise_poll", {"explanations": message})
    _, hidden = form_page(staff, "/polls/p1/finalise")
    response = staff.post("/polls/p1/finalise", data=hidden)
    assert response.status_code == 422
    assert message in response.text
    assert 'href="/polls/p1/explanations"' in response.text
    [(sent,)] = surveys.calls_to("surveys", "finalise_poll")
    assert sent["poll_id"] == "p1" and sent["household_representatives"] == []


def test_finalising_a_decision_sends_the_names_and_goes_to_the_summary(staff, surveys):
    surveys.answer("surveys", "get_poll", lambda ref: sample_poll(status="closed"))
    surveys.answer("surveys", "finalise_poll", lambda command: {})
    _, hidden = form_page(staff, "/polls/p1/finalise")
    names = {
        "head_name": "Nguyễn Văn An",
        "front_head_name": "Trần Thị Bình",
        "rep_1": "Lê Văn Cường",
        "rep_2": "Phạm Thị Dung",
        "decision_text": "Đồng ý bê tông hóa kiệt 12, mỗi hộ góp 500.000 đồng.",
    }
    response = staff.post("/polls/p1/finalise", data={**hidden, **names})
    assert response.status_code == 303 and response.headers["location"] == "/polls/p1/summary"
    [(sent,)] = surveys.calls_to("surveys", "finalise_poll")
    assert sent["household_representatives"] == ["Lê Văn Cường", "Phạm Thị Dung"]
    assert (sent["head_name"], sent["front_head_name"]) == ("Nguyễn Văn An", "Trần Thị Bình")


def test_a_refused_representative_is_shown_on_its_box(staff, surveys):
    surveys.answer("surveys", "get_poll", lambda ref: sample_poll(status="closed"))
    refuse(surveys, "finalise_poll", {"household_representatives.1": "Vui lòng điền mục này."})
    _, hidden = form_page(staff, "/polls/p1/finalise")
    response = staff.post("/polls/p1/finalise", data={**hidden, "rep_1": "Lê Văn Cường"})
    assert response.status_code == 422
    assert 'id="rep_2-error">Vui lòng điền mục này.' in response.text
    assert 'value="Lê Văn Cường"' in response.text
