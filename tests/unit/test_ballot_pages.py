"""The resident's ballot, receipt and satisfaction pages, with a fake surveys service
behind the FakeRpc port."""

import re

import pytest

from gateway.wrong_codes import WRONG_CODES_PER_MINUTE
from shared.errors import AlreadyVoted, InvalidInput, NotFound, PollNotOpen, ServiceUnavailable
from tests.unit.fake_rpc import FakeRpc

POLL = {
    "commune_id": "huong-an",
    "unit_id": "tdp-1",
    "unit_name": "Tổ dân phố 1",
    "description": "",
    "matter": None,
    "channels": ["online", "paper"],
    "secret": False,
    "public_results": True,
    "deciding_options": [],
    "noticed_on": None,
    "opens_at": "2026-12-01T01:00:00Z",
    "closes_at": "2026-12-20T08:00:00Z",  # 15:00 in Vietnam
    "online_opt_in": None,
    "meeting_fell_short": False,
    "status": "open",
    "created_by": "minh",
    "created_at": "2026-11-20T01:00:00Z",
}
DECISION = {
    **POLL,
    "id": "p-road",
    "kind": "decision",
    "title": "Bê tông hóa kiệt 12",
    "description": "Mỗi hộ góp 500.000 đồng, phường hỗ trợ phần còn lại.",
    "matter": "infrastructure",
    "secret": True,
    "deciding_options": ["agree"],
    "questions": [
        {
            "id": "choice",
            "type": "single",
            "text": "Hộ có đồng ý chủ trương này không?",
            "options": [
                {"id": "agree", "label": "Đồng ý"},
                {"id": "disagree", "label": "Không đồng ý"},
            ],
        }
    ],
}
CONSULTATION = {
    **POLL,
    "id": "p-plan",
    "kind": "consultation",
    "title": "Góp ý quy hoạch chợ",
    "questions": [
        {
            "id": "days",
            "type": "multiple",
            "text": "Chợ nên họp vào những ngày nào?",
            "options": [
                {"id": "mon", "label": "Thứ Hai"},
                {"id": "sat", "label": "Thứ Bảy"},
                {"id": "sun", "label": "Chủ nhật"},
            ],
        },
        {"id": "score", "type": "rating", "text": "Bạn đánh giá chợ hiện nay thế nào?"},
        {"id": "idea", "type": "text", "text": "Ý kiến khác", "required": False},
    ],
}
SURVEY = {
    **POLL,
    "id": "p-desk",
    "kind": "satisfaction",
    "title": "Bộ phận một cửa phường",
    "channels": ["online"],
    "questions": [{"id": "overall", "type": "rating", "text": "Bạn hài lòng đến mức nào?"}],
}
POLLS = {poll["id"]: poll for poll in (DECISION, CONSULTATION, SURVEY)}
READY = "HA7K2M-3F9Q2XK7"  # the decision
CONSULT = "HB7K2M-3F9Q2XK7"
LATER = "HC7K2M-3F9Q2XK7"
ENDED = "HD7K2M-3F9Q2XK7"
VOTED = "HE7K2M-3F9Q2XK7"
PAPER_ONLY = "HF7K2M-3F9Q2XK7"
FORGED = "HA7K2M-3F9Q2XK8"
STATES = {
    READY: (DECISION, "ready"),
    CONSULT: (CONSULTATION, "ready"),
    LATER: ({**CONSULTATION, "status": "scheduled"}, "not_yet_open"),
    ENDED: ({**DECISION, "status": "closed"}, "closed"),
    VOTED: (DECISION, "already_voted"),
}


def receipt_of(poll_id: str, code: str) -> dict:
    return {
        "poll_id": poll_id,
        "receipt_code": code,
        "cast_at": "2026-12-05T03:00:00Z",
        "channel": "online",
    }


class FakeSurveys:
    """Answers as the surveys service would: one ballot per card, receipts to check."""

    def __init__(self) -> None:
        self.receipts: dict[str, dict] = {}
        self.sent_today = 0

    def open_ballot(self, query: dict) -> dict:
        if query["card_code"] == PAPER_ONLY:
            raise PollNotOpen("Cuộc biểu quyết này chỉ nhận phiếu giấy.")
        if query["card_code"] not in STATES:
            raise NotFound()
        poll, state = STATES[query["card_code"]]
        view = {"poll": poll, "household_code": query["card_code"][:6], "state": state}
        if state == "already_voted":
            view.update(voted_by="paper", voted_at="2026-12-18T02:30:00Z")
        return {**view, "unit_name": poll["unit_name"]}

    def cast_ballot(self, command: dict) -> dict:
        poll, _ = STATES[command["card_code"]]
        code = f"RC{len(self.receipts):02}-ABCD-EFGH"
        self.receipts[code] = {
            "counted": True,
            "poll_id": poll["id"],
            "poll_title": poll["title"],
            "poll_kind": poll["kind"],
            "poll_status": "open",
            "secret": poll["secret"],
            "public_results": poll["public_results"],
            "cast_on": "2026-12-05",
        }
        return receipt_of(poll["id"], code)

    def check_receipt(self, query: dict) -> dict:
        if query["receipt_code"] not in self.receipts:
            raise NotFound()
        return self.receipts[query["receipt_code"]]

    def get_poll(self, query: dict) -> dict:
        if query["poll_id"] not in POLLS:
            raise NotFound()
        return POLLS[query["poll_id"]]

    def answer_satisfaction(self, command: dict) -> dict:
        self.sent_today += 1
        if self.sent_today > 3:
            raise InvalidInput("Bạn đã gửi 3 ý kiến hôm nay. Vui lòng quay lại vào ngày mai.")
        return receipt_of(command["poll_id"], "SV2K-ABCD-EFGH")


@pytest.fixture
def surveys(rpc: FakeRpc) -> FakeSurveys:
    fake = FakeSurveys()
    for method in ("open_ballot", "cast_ballot", "check_receipt", "get_poll"):
        rpc.answer("surveys", method, getattr(fake, method))
    rpc.answer("surveys", "answer_satisfaction", fake.answer_satisfaction)
    return fake


def hidden_fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


def as_form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def text_of(html: str) -> str:
    """The page's words, without tags and runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_light(html: str) -> None:
    assert "<script" not in html.lower()
    assert len(html.encode()) < 15_000


def test_typing_a_card_code_goes_to_its_ballot_with_the_code_normalised(client, surveys):
    form = client.get("/b")
    assert form.status_code == 200
    assert 'autocapitalize="characters"' in form.text and 'inputmode="text"' in form.text
    response = client.get("/b", params={"code": " ha7k2m-3f9q 2xk7 "})
    assert response.status_code == 303
    assert response.headers["location"] == f"/b/{READY}"


def test_a_card_code_that_cannot_be_one_is_refused_on_the_form(client, surveys, rpc):
    response = client.get("/b", params={"code": "xin chào"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "Mã phiếu chưa đúng" in response.text
    assert rpc.calls_to("surveys", "open_ballot") == []


def test_the_ballot_shows_the_matter_the_deadline_and_a_radio_per_option(client, surveys):
    response = client.get(f"/b/{READY}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Bê tông hóa kiệt 12" in page and "Tổ dân phố 1" in page
    assert "Chủ trương và mức đóng góp xây dựng công trình công cộng" in page
    assert "Hạn chót: 15:00 ngày 20/12/2026" in page
    assert "Bỏ phiếu kín" in page
    assert response.text.count('type="radio" name="q-choice"') == 2
    assert f'action="/b/{READY}/confirm"' in response.text
    assert "<legend>" in response.text
    assert_light(response.text)


def test_a_consultation_shows_checkboxes_five_ratings_and_a_bounded_textarea(client, surveys):
    html = client.get(f"/b/{CONSULT}").text
    assert html.count('type="checkbox" name="q-days"') == 3
    assert html.count('type="radio" name="q-score"') == 5
    assert '<textarea id="q-idea" name="q-idea" rows="5" maxlength="2000"' in html
    assert_light(html)


def test_a_lowercase_card_link_redirects_to_the_normalised_one(client, surveys):
    response = client.get(f"/b/{READY.lower()}")
    assert response.status_code == 303 and response.headers["location"] == f"/b/{READY}"


def test_the_whole_flow_asks_the_service_twice_open_and_send(client, surveys, rpc):
    opened = client.get(f"/b/{READY}")
    view = dict(hidden_fields(opened.text))["view"]
    confirm = client.post(f"/b/{READY}/confirm", data={"q-choice": "agree", "view": view})
    assert confirm.status_code == 200 and "Xem lại lựa chọn" in confirm.text
    cast = client.post(f"/b/{READY}/cast", data=as_form(hidden_fields(confirm.text)))
    assert cast.status_code == 303
    assert cast.headers["location"].startswith("/r/RC00-ABCD-EFGH?s=")
    receipt = client.get(cast.headers["location"])
    page = text_of(receipt.text)
    assert "Phiếu của hộ đã được ghi nhận" in page and "RC00-ABCD-EFGH" in page
    assert "Bê tông hóa kiệt 12" in page and "05/12/2026" in page
    assert "không cho biết hộ đã chọn gì" in page  # a secret ballot
    # the review and the receipt pages are made from what the gateway signed
    assert [m for _, m, _ in rpc.calls] == ["open_ballot", "cast_ballot"]


def test_a_households_pages_set_no_cookie(client, surveys):
    opened = client.get(f"/b/{READY}")
    view = dict(hidden_fields(opened.text))["view"]
    confirm = client.post(f"/b/{READY}/confirm", data={"q-choice": "agree", "view": view})
    cast = client.post(f"/b/{READY}/cast", data=as_form(hidden_fields(confirm.text)))
    receipt = client.get(cast.headers["location"])
    for response in (opened, confirm, cast, receipt):
        assert "set-cookie" not in response.headers


def test_a_signed_view_altered_or_of_another_card_is_not_used(client, surveys, rpc):
    view = dict(hidden_fields(client.get(f"/b/{READY}").text))["view"]
    for card, value in ((READY, view[:-2] + "xx"), (CONSULT, view)):
        rpc.calls.clear()
        client.post(f"/b/{card}/confirm", data={"q-choice": "agree", "view": value})
        assert [m for _, m, _ in rpc.calls] == ["open_ballot"]  # asked, not trusted


def test_a_signed_receipt_status_opens_only_its_own_receipt(client, surveys, rpc):
    view = dict(hidden_fields(client.get(f"/b/{READY}").text))["view"]
    confirm = client.post(f"/b/{READY}/confirm", data={"q-choice": "agree", "view": view})
    link = client.post(f"/b/{READY}/cast", data=as_form(hidden_fields(confirm.text)))
    signed_status = link.headers["location"].split("?s=")[1]
    rpc.calls.clear()
    client.get(f"/r/RC00-ABCD-EFGX?s={signed_status}")
    assert [m for _, m, _ in rpc.calls] == ["check_receipt"]


def test_the_whole_flow_from_card_to_receipt_without_signed_views(client, surveys, rpc):
    confirm = client.post(f"/b/{READY}/confirm", data={"q-choice": "agree"})
    assert confirm.status_code == 200
    assert "Xem lại lựa chọn" in confirm.text and "Đồng ý" in text_of(confirm.text)
    fields = hidden_fields(confirm.text)
    submission_id = dict(fields)["submission_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", submission_id)
    assert ("q-choice", "agree") in fields
    assert f'formaction="/b/{READY}"' in confirm.text  # "Sửa lại"
    assert rpc.calls_to("surveys", "cast_ballot") == []
    assert_light(confirm.text)

    unsigned = [(name, value) for name, value in fields if name != "view"]
    cast = client.post(f"/b/{READY}/cast", data=as_form(unsigned))
    assert cast.status_code == 303
    assert cast.headers["location"] == "/r/RC00-ABCD-EFGH"
    (sent,) = rpc.calls_to("surveys", "cast_ballot")
    assert sent[0] == {
        "card_code": READY,
        "submission_id": submission_id,
        "answers": {"choice": ["agree"]},
    }

    receipt = client.get(cast.headers["location"])
    assert receipt.status_code == 200
    page = text_of(receipt.text)
    assert "Phiếu của hộ đã được ghi nhận" in page and "RC00-ABCD-EFGH" in page
    assert "Bê tông hóa kiệt 12" in page and "05/12/2026" in page
    assert "không cho biết hộ đã chọn gì" in page  # a secret ballot
    assert_light(receipt.text)


def test_edit_from_the_confirmation_keeps_the_answers(client, surveys):
    data = {"q-days": ["sat", "sun"], "q-score": "4", "q-idea": "Thêm chỗ gửi xe"}
    confirm = client.post(f"/b/{CONSULT}/confirm", data=data)
    assert "Thứ Bảy" in confirm.text and "4 · Hài lòng" in confirm.text
    back = client.post(f"/b/{CONSULT}", data=as_form(hidden_fields(confirm.text)))
    assert back.status_code == 200
    assert 'value="sat" checked' in back.text and 'value="sun" checked' in back.text
    assert 'value="mon">' in back.text
    assert 'value="4" checked' in back.text
    assert ">Thêm chỗ gửi xe</textarea>" in back.text


def test_answers_outside_the_options_and_html_are_refused_at_confirm(client, surveys, rpc):
    data = {"q-days": ["sat", "fri"], "q-score": "9", "q-idea": "<b>xem</b>"}
    response = client.post(f"/b/{CONSULT}/confirm", data=data)
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html
    assert "Vui lòng chọn các phương án trong danh sách." in html
    assert "Vui lòng chọn mức từ 1 đến 5." in html
    assert "không được chứa mã HTML" in html
    assert 'aria-invalid="true"' in html
    assert "&lt;b&gt;xem&lt;/b&gt;</textarea>" in html  # kept, escaped
    assert "<b>xem" not in html
    assert 'value="sat" checked' in html
    assert rpc.calls_to("surveys", "cast_ballot") == []


def test_a_missing_answer_is_asked_for(client, surveys, rpc):
    response = client.post(f"/b/{READY}/confirm", data={})
    assert response.status_code == 422
    assert "Vui lòng trả lời câu hỏi này." in response.text
    assert rpc.calls_to("surveys", "cast_ballot") == []


def test_a_ballot_not_yet_open_says_when_it_opens(client, surveys):
    response = client.get(f"/b/{LATER}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Chưa đến thời gian nhận phiếu" in page and "08:00 ngày 01/12/2026" in page
    assert "<form" not in response.text.split("</header>")[1]


def test_a_closed_ballot_says_when_it_closed_and_links_public_results(client, surveys):
    response = client.get(f"/b/{ENDED}")
    page = text_of(response.text)
    assert "Đã hết thời gian nhận phiếu" in page and "15:00 ngày 20/12/2026" in page
    assert 'href="/polls/p-road/results"' in response.text


def test_a_household_that_voted_on_paper_is_told_how_and_when(client, surveys):
    response = client.get(f"/b/{VOTED}")
    page = text_of(response.text)
    assert "Hộ của bạn đã biểu quyết bằng phiếu giấy lúc 09:30 ngày 18/12/2026" in page
    assert "mỗi hộ chỉ có một phiếu" in page and 'href="/r"' in response.text


def test_a_forged_card_code_is_a_404_with_the_form_to_retype_it(client, surveys):
    response = client.get(f"/b/{FORGED}")
    assert response.status_code == 404
    assert "Không tìm thấy phiếu có mã này" in response.text and "phiếu mới" in response.text
    assert '<form method="get" action="/b"' in response.text
    assert f'value="{FORGED}"' in response.text


def test_a_paper_only_poll_explains_itself(client, surveys):
    response = client.get(f"/b/{PAPER_ONLY}")
    assert response.status_code == 409
    assert "chỉ nhận phiếu giấy" in response.text


def test_already_voted_on_cast_explains_the_channel(client, surveys, rpc):
    def refuse(command):
        raise AlreadyVoted("Hộ của bạn đã biểu quyết bằng phiếu giấy lúc 09:30 ngày 18/12/2026.")

    rpc.answer("surveys", "cast_ballot", refuse)
    data = {"submission_id": "a" * 32, "q-choice": "agree"}
    response = client.post(f"/b/{READY}/cast", data=data)
    assert response.status_code == 409
    assert "bằng phiếu giấy lúc 09:30" in response.text
    assert "phiếu đã có của hộ vẫn được tính" in response.text and 'href="/r"' in response.text


def test_a_closed_poll_on_cast_says_so(client, surveys, rpc):
    def refuse(command):
        raise PollNotOpen("Đã kết thúc nhận phiếu lúc 15:00 ngày 20/12/2026.")

    rpc.answer("surveys", "cast_ballot", refuse)
    response = client.post(f"/b/{READY}/cast", data={"submission_id": "a" * 32, "q-choice": "x"})
    assert response.status_code == 409
    assert "Đã kết thúc nhận phiếu lúc 15:00 ngày 20/12/2026." in response.text


def test_a_service_outage_on_cast_offers_the_same_submission_again(client, surveys, rpc):
    def down(command):
        raise ServiceUnavailable("surveys did not answer")

    rpc.answer("surveys", "cast_ballot", down)
    data = [("submission_id", "b" * 32), ("q-days", "sat"), ("q-days", "sun"), ("q-score", "3")]
    response = client.post(f"/b/{CONSULT}/cast", data=as_form(data))
    assert response.status_code == 503
    assert "không bị mất" in response.text and "Gửi lại" in response.text
    assert sorted(hidden_fields(response.text)) == sorted(data)
    assert f'action="/b/{CONSULT}/cast"' in response.text
    assert_light(response.text)


def test_answers_the_service_refuses_on_cast_show_the_form_again(client, surveys, rpc):
    def refuse(command):
        raise InvalidInput(fields={"choice": "Phương án này không còn trong phiếu."})

    rpc.answer("surveys", "cast_ballot", refuse)
    response = client.post(f"/b/{READY}/cast", data={"submission_id": "c" * 32, "q-choice": "x"})
    assert response.status_code == 422
    assert "Phương án này không còn trong phiếu." in response.text
    assert f'action="/b/{READY}/confirm"' in response.text


def test_a_receipt_code_is_looked_up_by_its_normalised_form(client, surveys, rpc):
    surveys.receipts["ABCD-EFGH-JKLM"] = {
        "counted": True,
        "poll_id": "p-plan",
        "poll_title": "Góp ý quy hoạch chợ",
        "poll_kind": "consultation",
        "poll_status": "open",
        "secret": False,
        "public_results": True,
        "cast_on": "2026-12-05",
    }
    assert client.get("/r").status_code == 200
    typed = client.get("/r", params={"code": "abcd efgh jklm"})
    assert typed.status_code == 303 and typed.headers["location"] == "/r/ABCD-EFGH-JKLM"
    found = client.get("/r/ABCD-EFGH-JKLM")
    assert found.status_code == 200
    assert '<p class="receipt-code">ABCD-EFGH-JKLM</p>' in found.text
    assert "không cho biết" not in found.text  # not a secret ballot
    assert rpc.calls_to("surveys", "get_poll") == []  # one call for the whole page


def test_an_unknown_receipt_is_a_404_with_the_form(client, surveys):
    response = client.get("/r/ZZZZ-ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert "Không tìm thấy phiếu nào có mã biên nhận ZZZZ-ZZZZ-ZZZZ" in response.text
    assert '<form method="get" action="/r"' in response.text


def test_a_satisfaction_survey_is_answered_anonymously(client, surveys, rpc):
    form = client.get("/s/p-desk")
    assert form.status_code == 200
    assert form.text.count('type="radio" name="q-overall"') == 5
    assert "Ẩn danh" in form.text and "csrf" not in form.text
    assert_light(form.text)
    submission_id = dict(hidden_fields(form.text))["submission_id"]
    thanks = client.post("/s/p-desk", data={"submission_id": submission_id, "q-overall": "5"})
    assert thanks.status_code == 200
    assert "Cảm ơn" in thanks.text and "SV2K-ABCD-EFGH" in thanks.text
    (sent,) = rpc.calls_to("surveys", "answer_satisfaction")
    assert sent[0]["submission_id"] == submission_id
    assert sent[0]["answers"] == {"overall": ["5"]}
    assert re.fullmatch(r"[0-9a-f]{32}", sent[0]["client_key"])
    assert "testclient" not in str(sent[0])  # no address leaves the gateway


def test_the_same_sender_gets_the_same_client_key_today(client, surveys, rpc):
    for _ in range(2):
        client.post("/s/p-desk", data={"submission_id": "d" * 32, "q-overall": "4"})
    first, second = rpc.calls_to("surveys", "answer_satisfaction")
    assert first[0]["client_key"] == second[0]["client_key"]


def test_a_sender_over_the_daily_limit_is_told_plainly(client, surveys):
    surveys.sent_today = 3
    response = client.post("/s/p-desk", data={"submission_id": "e" * 32, "q-overall": "2"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "Bạn đã gửi 3 ý kiến hôm nay" in response.text
    assert 'value="2" checked' in response.text


def test_a_satisfaction_answer_missing_is_asked_for_without_calling_the_service(
    client, surveys, rpc
):
    response = client.post("/s/p-desk", data={"submission_id": "f" * 32})
    assert response.status_code == 422
    assert "Vui lòng trả lời câu hỏi này." in response.text
    assert rpc.calls_to("surveys", "answer_satisfaction") == []


def test_only_a_satisfaction_survey_opens_at_s(client, surveys):
    assert client.get("/s/p-road").status_code == 404
    assert client.get("/s/nope").status_code == 404


def test_a_service_outage_at_confirm_keeps_what_was_typed(client, surveys, rpc):
    def down(query):
        raise ServiceUnavailable("surveys did not answer")

    rpc.answer("surveys", "open_ballot", down)
    response = client.post(f"/b/{CONSULT}/confirm", data={"q-idea": "Thêm mái che", "q-score": "3"})
    assert response.status_code == 503
    assert f'action="/b/{CONSULT}/confirm"' in response.text
    assert sorted(hidden_fields(response.text)) == [("q-idea", "Thêm mái che"), ("q-score", "3")]


def test_a_card_link_that_cannot_be_a_code_is_a_404_without_asking_the_service(
    client, surveys, rpc
):
    response = client.get("/b/abc")
    assert response.status_code == 404
    assert "Không tìm thấy phiếu có mã này" in response.text
    assert rpc.calls_to("surveys", "open_ballot") == []


def test_an_address_that_sends_many_wrong_card_codes_is_stopped_before_the_service(
    client, surveys, rpc
):
    forged = "HA7K2M-AAAAAAAA"
    for _ in range(WRONG_CODES_PER_MINUTE):
        assert client.get(f"/b/{forged}").status_code == 404
    asked = len(rpc.calls)
    stopped = client.post(f"/b/{READY}/cast", data={"submission_id": "a" * 32, "q-choice": "agree"})
    assert stopped.status_code == 429
    assert "chờ một phút" in text_of(stopped.text)
    assert len(rpc.calls) == asked  # the service was not asked
