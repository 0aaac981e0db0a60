"""The polls pages in English (cookie danban_lang=en): the resident's ballot path,
the staff pages of a poll, its results, CSV and ballot cards, and what the surveys
service says (in Vietnamese) translated on arrival. Needs the English catalog
(`python -m deploy.i18n sync`)."""

# i18n-exempt-file: a test of the English pages, naming the Vietnamese they must not show

import re
import shutil
import subprocess

import pytest

from services.surveys import tally
from shared.errors import from_wire
from tests.samples import SAMPLE_UNIT, sample_poll
from tests.unit import test_ballot_pages as ballots
from tests.unit import test_results_pages as results
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import sign_in


def words(html: str) -> str:
    """The page's words, without tags and runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def no_vietnamese(text: str, *phrases: str) -> None:
    for phrase in phrases:
        assert phrase not in text, phrase


@pytest.fixture
def surveys(rpc: FakeRpc) -> ballots.FakeSurveys:
    fake = ballots.FakeSurveys()
    for method in ("open_ballot", "cast_ballot", "check_receipt", "get_poll"):
        rpc.answer("surveys", method, getattr(fake, method))
    return fake


# --- the resident's ballot path -------------------------------------------------


def test_typing_a_card_code_in_english(english, surveys):
    page = english.get("/b")
    assert page.headers["content-language"] == "en"
    text = words(page.text)
    assert "Enter the ballot code" in text and "Open the ballot" in text
    assert "For example: HA7K2M-3F9Q2XK7" in page.text
    no_vietnamese(text, "Nhập mã phiếu", "Mở phiếu", "Viết hoa")
    wrong = english.get("/b", params={"code": "xin chào"})
    assert wrong.status_code == 422 and "The ballot code is not right" in wrong.text


def test_a_ballot_in_english_keeps_what_people_wrote(english, surveys):
    text = words(english.get(f"/b/{ballots.READY}").text)
    assert "Vote · Tổ dân phố 1" in text  # the kind translated, the unit's name as it is
    assert "Bê tông hóa kiệt 12" in text and "Đồng ý" in text  # title and options as typed
    assert "Matter: Policy on and contributions to building public works" in text
    assert "Household: HA7K2M" in text and "Deadline: 15:00, 20 Dec 2026" in text
    assert "Secret ballot" in text and "Continue" in text
    no_vietnamese(text, "Hạn chót", "Hộ gia đình:", "Tiếp tục", "Bỏ phiếu kín", "Biểu quyết ·")


def test_a_consultation_ballot_in_english(english, surveys):
    text = words(english.get(f"/b/{ballots.CONSULT}").text)
    assert "(choose one or more)" in text and "(optional)" in text
    assert "5 · Very satisfied" in text and "At most 2000 characters." in text
    no_vietnamese(text, "Rất hài lòng", "không bắt buộc", "Tối đa")


def test_review_and_receipt_in_english(english, surveys):
    page = english.get(f"/b/{ballots.READY}").text
    fields = ballots.hidden_fields(page)
    review = english.post(
        f"/b/{ballots.READY}/confirm", data={**ballots.as_form(fields), "q-choice": "agree"}
    )
    text = words(review.text)
    assert "Review your household's choices" in text and "Send the ballot" in text
    assert "Once sent, the ballot cannot be changed." in text
    sent = english.post(
        f"/b/{ballots.READY}/cast", data=ballots.as_form(ballots.hidden_fields(review.text))
    )
    assert sent.status_code == 303
    receipt = english.get(sent.headers["location"])
    text = words(receipt.text)
    assert "Your household's ballot has been recorded" in text
    assert "Receipt code (write it down or take a photo)" in text
    assert "This is a secret ballot" in text and "Check another receipt code" in text
    no_vietnamese(text, "Phiếu của hộ đã được ghi nhận", "Mã biên nhận", "bỏ phiếu kín")


def test_a_missing_answer_is_asked_for_in_english(english, surveys):
    fields = ballots.hidden_fields(english.get(f"/b/{ballots.READY}").text)
    text = words(english.post(f"/b/{ballots.READY}/confirm", data=ballots.as_form(fields)).text)
    assert "Not sent yet. Please check the marked questions." in text
    assert "Please answer this question." in text
    no_vietnamese(text, "Vui lòng trả lời")


def test_ballot_states_in_english(english, surveys):
    voted = words(english.get(f"/b/{ballots.VOTED}").text)
    assert (
        "Your household voted on a paper ballot at 09:30, 18 Dec 2026; "
        "each household has one ballot." in voted
    )
    assert "check that the ballot was recorded" in voted
    later = words(english.get(f"/b/{ballots.LATER}").text)
    assert "Ballots are not accepted yet" in later
    assert "Ballots are accepted from 08:00, 1 Dec 2026 ." in later
    ended = words(english.get(f"/b/{ballots.ENDED}").text)
    assert "Ballots are no longer accepted" in ended and "See the results" in ended
    no_vietnamese(voted + later + ended, "Hộ của bạn", "lúc", "Xem kết quả", "ngày")


def over_the_wire(exc_type: str, detail: str):
    """The error as the gateway's RPC client rebuilds it from a reply (shared.errors)."""
    return from_wire({"exc_type": exc_type, "exc_args": [detail, {}]})


def test_what_the_service_refuses_is_translated_on_arrival(english, surveys, rpc):
    def cast(command: dict) -> dict:
        raise over_the_wire(
            "AlreadyVoted",
            "Hộ HA7K2M đã tham gia bằng phiếu giấy lúc 09:30 ngày 18/12/2026. "
            "Mỗi hộ chỉ có một phiếu (Luật Thực hiện dân chủ ở cơ sở, Điều 21).",
        )

    rpc.answer("surveys", "cast_ballot", cast)
    response = english.post(
        f"/b/{ballots.READY}/cast", data={"q-choice": "agree", "submission_id": "a" * 32}
    )
    assert response.status_code == 409
    text = words(response.text)
    assert (
        "Household HA7K2M already took part on a paper ballot at 09:30 on 18 Dec 2026. "
        "Each household has one ballot (Law on Grassroots Democracy, Art 21)." in text
    )
    assert "Your household has taken part" in text
    no_vietnamese(text, "đã tham gia", "Mỗi hộ")


def test_a_poll_that_is_not_open_says_so_in_english(english, rpc):
    def closed(query: dict) -> dict:
        raise over_the_wire(
            "PollNotOpen", "Biểu quyết “Bê tông hóa kiệt 12” đã kết thúc lúc 15:00 ngày 20/12/2026."
        )

    rpc.answer("surveys", "open_ballot", closed)
    text = words(english.get(f"/b/{ballots.READY}").text)
    assert "Vote “Bê tông hóa kiệt 12” closed at 15:00, 20 Dec 2026." in text
    assert "Ballots are not being accepted now" in text
    no_vietnamese(text, "đã kết thúc", "Hiện không nhận phiếu")


def test_an_unknown_receipt_in_english(english, surveys):
    lookup = words(english.get("/r").text)
    assert "Check a receipt" in lookup and "Receipt code" in lookup
    missing = english.get("/r/ZZZZ-ZZZZ-ZZZZ")
    assert missing.status_code == 404
    assert "No ballot has the receipt code ZZZZ-ZZZZ-ZZZZ." in words(missing.text)
    no_vietnamese(words(missing.text), "Không tìm thấy", "Kiểm tra biên nhận")


def test_home_error_and_sign_in_in_english(english, surveys):
    home = words(english.get("/").text)
    assert "Communes, wards and special zones" in home and "Household inbox" in home
    no_vietnamese(home, "Xã, phường, đặc khu", "Hộp thư của hộ")
    sign_in_page = words(english.get("/staff/sign-in").text)
    assert "Staff sign-in" in sign_in_page and "Username" in sign_in_page
    assert "Password" in sign_in_page
    no_vietnamese(sign_in_page, "Tên đăng nhập", "Mật khẩu")
    refused = english.post(
        "/staff/sign-in",
        data={"username": "minh", "password": "wrong", "csrf_token": "x"},
    )
    assert refused.status_code == 403 and "Back to the home page" in refused.text
    assert "The session has expired" in refused.text


# --- staff pages ------------------------------------------------------------------


@pytest.fixture
def staff(english, rpc):
    rpc.answer("surveys", "get_poll", lambda ref: sample_poll(id=ref["poll_id"]))
    rpc.answer("surveys", "list_polls", lambda query: {"polls": [sample_poll()]})
    sign_in(english)
    return english


def test_the_poll_list_and_poll_page_in_english(staff):
    listed = words(staff.get("/communes/huong-an/polls").text)
    assert "Consultations and votes" in listed and "+ New" in listed
    no_vietnamese(listed, "Lấy ý kiến, biểu quyết", "Tạo mới")
    page = words(staff.get("/polls/p1").text)
    assert "Scope" in page and "Households eligible" in page
    assert "By village or residential group" in page
    assert "Reissue card" in page and "Household paper ballots" in page
    no_vietnamese(page, "Phạm vi", "Cấp lại phiếu", "Theo thôn", "Phiếu giấy của hộ")


def test_the_new_poll_form_in_english(staff):
    page = words(staff.get("/communes/huong-an/polls/new?kind=decision").text)
    assert "New: vote" in page and "What is voted on" in page
    assert "Electing or dismissing the village head" in page
    assert "Vote online only when more than 50% of all households have registered" in page
    assert "Choose one option" in page and "Create" in page and "Cancel" in page
    no_vietnamese(page, "Tạo mới", "Nội dung biểu quyết", "Chọn một phương án", "Hủy")


def test_the_paper_and_meeting_pages_in_english(staff):
    paper = words(staff.get(f"/polls/p1/units/{SAMPLE_UNIT}/paper").text)
    assert "Paper ballots: Tổ dân phố 1" in paper and "2. Count minutes" in paper
    assert "Ballots returned" in paper and "Save the minutes" in paper
    no_vietnamese(paper, "Biên bản kiểm phiếu", "Phiếu thu về", "Lưu biên bản")
    meeting = words(staff.get(f"/polls/p1/units/{SAMPLE_UNIT}/meeting").text)
    assert "Meeting: Tổ dân phố 1" in meeting and "Show of hands" in meeting
    no_vietnamese(meeting, "Biểu quyết giơ tay", "Lưu kết quả họp")


def test_a_card_sheet_is_printed_in_the_staff_members_language(staff, rpc):
    rpc.answer(
        "surveys",
        "issue_cards",
        lambda command: {
            "poll": sample_poll(),
            "unit_name": "Tổ dân phố 1",
            "cards": [
                {
                    "poll_id": "p1",
                    "household_code": "HA7K2M",
                    "unit_id": SAMPLE_UNIT,
                    "version": 1,
                    "card_code": "HA7K2M-3F9Q2XK7",
                }
            ],
        },
    )
    response = staff.get(f"/polls/p1/cards/{SAMPLE_UNIT}.pdf")
    assert response.status_code == 200
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed"
    text = subprocess.run(
        [tool, "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "VOTING BALLOT" in text and "Household:" in text and "Deadline:" in text
    no_vietnamese(text, "PHIẾU BIỂU QUYẾT", "Hạn cuối", "Mã hộ")


# --- results ----------------------------------------------------------------------


def test_the_results_page_and_csv_in_english(english, rpc):
    results.serve(rpc, results.decision(agree_online=300, status="closed"))
    text = words(english.get("/polls/poll-decision/results").text)
    assert "Official results" in text and "Took part:" in text
    assert "Shares are of all households." in text
    assert "households in favour; at least" in text
    assert "of all households" in text  # the service's rule, translated whole
    assert "Online" in text and "By village or residential group" in text
    no_vietnamese(
        text, "Kết quả chính thức", "Đã tham gia", "hộ tán thành", "Trực tuyến", "chưa đủ"
    )
    csv = english.get("/polls/poll-decision/results.csv").text
    header = csv.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Village or residential group,Households,Took part online")
    assert "Total" in csv and "Tổng cộng" not in csv


def test_the_chart_speaks_english(english, rpc):
    results.serve(rpc, results.consultation("closed"))
    sign_in(english)
    html = english.get("/polls/poll-consultation/results").text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Total households:" in svg
    no_vietnamese(svg, "Tổng số hộ", "Trực tuyến", "Phiếu giấy")


def test_a_decision_summary_in_english(english, rpc):
    finalised = results.decision(agree_online=300, status="finalised")
    the_record = results.record(finalised)
    rpc.answer(
        "surveys",
        "get_summary",
        lambda ref: {
            "poll": finalised.poll.model_dump(mode="json"),
            "results": tally.public_view(finalised).model_dump(mode="json"),
            "explanations": [],
            "decision_record": the_record.model_dump(mode="json"),
        },
    )
    text = words(english.get("/polls/poll-decision/summary").text)
    assert "Summary of the vote's results" in text and "Vote record" in text
    assert "Household representatives" in text and "Under Art 20.2" in text
    no_vietnamese(text, "Biên bản biểu quyết", "Đại diện hộ gia đình", "Bản tổng hợp")


# --- plurals (English needs them) ---------------------------------------------------


def test_counts_of_households_are_plural_in_english(staff, rpc):
    page = words(staff.get("/polls/p1").text)
    assert "1241 households" in page and "1207 households" in page
    assert "1 question" in page and "1 questions" not in page
    meeting = words(staff.get(f"/polls/p1/units/{SAMPLE_UNIT}/meeting").text)
    assert "Tổ dân phố 1 has 34 households" in meeting
    new = words(staff.get("/communes/huong-an/polls/new").text)
    assert "Tổ dân phố 1 (34 households)" in new
    results.serve(rpc, results.decision(agree_online=300, status="closed"))
    shown = words(staff.get("/polls/poll-decision/results").text)
    assert "/600 households (" in shown  # the turnout
    assert "600 hộ" not in shown  # the chart's scale
