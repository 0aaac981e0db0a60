"""The recognition pages in English (issue #17, point 1): the resident's honour board,
certificate check, comment form and receipt; the staff's year of commendations, a
nomination, its certificate PDF, the discipline cases and a case, the rule book and
the reports (chart and CSV); and what the recognition service says or sends in
Vietnamese, shown translated where it is read."""

from datetime import date

import pytest

from gateway.routes.recognition_rules import parse_value, rule_value
from services.recognition import domain, rules
from shared import i18n
from shared.contracts.recognition import RuleSet, Title
from shared.errors import InvalidInput, from_wire
from tests.unit.english_support import assert_english, text_of
from tests.unit.gateway_support import csrf_of, sign_in
from tests.unit.test_ballot_cards import pdf_text
from tests.unit.test_commendation_pages import (
    BOARD,
    CODE,
    COMMENT,
    DECIDED_PAGE,
    NOMINATION_PAGE,
    YEAR_PAGE,
    request_id_of,
)
from tests.unit.test_commendation_pages import recognition as commendations  # noqa: F401
from tests.unit.test_discipline_pages import CASE, CASES, COMMENDATIONS, DISCIPLINE, RULES
from tests.unit.test_discipline_pages import recognition as discipline  # noqa: F401

ENGLISH = {"danban_lang": "en"}
CHECK = "/vinh-danh/giay-khen"


# --- the resident's pages -----------------------------------------------------------


@pytest.mark.usefixtures("commendations")
def test_the_honour_board_in_english(english):
    response = english.get(BOARD)
    assert response.status_code == 200
    assert_english(
        response.text,
        [
            "Honour board 2026",
            "Collectives, households and individuals commended in",
            "All titles",
            "All units",
            "Certificate of Merit (Giấy khen)",
            "Advanced Worker (Lao động tiên tiến)",
            "Household",
            "Decision No. 25/QĐ-UBND of 20 Dec 2026",
            "Comment on the list of proposed commendations",
            "Check a certificate",
        ],
        ["Bảng vinh danh", "Tất cả danh hiệu", "Quyết định số", "Hộ gia đình", "Kiểm tra"],
    )
    assert 'alt="Photo of Hộ ông Trần Văn Bình"' in response.text  # the name as typed


@pytest.mark.usefixtures("commendations")
def test_the_certificate_check_in_english(english):
    valid = english.get(f"{CHECK}/{CODE}").text
    assert_english(
        valid,
        [
            "Valid certificate",
            f"Code {CODE} belongs to a commendation that is in force.",
            "Awarded to",
            "Certificate of Merit (Giấy khen) (2026)",
            "No. 25/QĐ-UBND of 20 Dec 2026",
            "Cash award",
            "702,000 VND",
            "Check another code",
            "Verification code",
        ],
        ["Giấy khen hợp lệ", "Tiền thưởng", "Kiểm tra mã khác", "702.000 đ"],
    )
    revoked = english.get(f"{CHECK}/KT-REVOKED").text
    assert_english(revoked, ["Commendation revoked", "Reason:"], ["Khen thưởng đã bị hủy bỏ"])
    wrong = english.get(CHECK, params={"code": "?"})
    assert wrong.status_code == 422
    assert "That certificate code is not right" in text_of(wrong.text)


@pytest.mark.usefixtures("commendations")
def test_the_comment_form_and_its_receipt_in_english(english):
    page = english.get(COMMENT).text
    assert_english(
        page,
        [
            "Comments on proposed commendations",
            "List posted on 5 Nov 2026",
            "Comments are accepted until the end of 20 Nov 2026",
            "Send your comment",
            "Your full name",
            "The whole list",
        ],
        ["Gửi ý kiến", "Cả danh sách", "Họ tên của bạn"],
    )
    data = {"request_id": request_id_of(page), "posting_id": "p1", "nomination_id": "",
            "name": "Nguyễn Văn An", "contact": "", "text": "Đồng ý."}  # fmt: skip
    receipt = english.post(COMMENT, data=data)
    assert receipt.status_code == 200
    assert_english(
        receipt.text,
        ["Your comment has been received", "Receipt code", "Send another comment"],
        ["Đã nhận ý kiến", "Mã biên nhận"],
    )


@pytest.mark.usefixtures("commendations")
def test_a_refused_comment_says_why_in_english(english):
    page = english.get(COMMENT).text
    data = {"request_id": request_id_of(page), "posting_id": "p1", "nomination_id": "",
            "name": "", "contact": "", "text": "Đồng ý."}  # fmt: skip
    response = english.post(COMMENT, data=data)
    assert response.status_code == 422
    assert_english(
        response.text,
        ["Not sent yet. Please correct the following:", "Please give your full name."],
        ["Chưa gửi được", "Vui lòng cho biết họ tên"],
    )


# --- the staff's commendation pages -------------------------------------------------


@pytest.mark.usefixtures("commendations")
def test_the_year_page_in_english(english):
    sign_in(english)
    page = english.get(YEAR_PAGE + "?nam=2026").text
    assert_english(
        page,
        [
            "Emulation and commendation, 2026",
            "Proposed (1)",
            "Open for comment (1)",
            "Commendation decided (1)",
            "Post the list for comment",
            "Commendation proposal",
            "Advanced Worker (Lao động tiên tiến) (individual)",
            "Decision No. 25/QĐ-UBND",
        ],
        ["Thi đua, khen thưởng năm", "Đề nghị khen thưởng", "Gửi đề nghị", "cá nhân"],
    )


@pytest.mark.usefixtures("commendations")
def test_posting_the_nominees_is_confirmed_in_english(english):
    sign_in(english)
    page = english.get(YEAR_PAGE + "?nam=2026").text
    data = {"csrf_token": csrf_of(page), "request_id": request_id_of(page),
            "nomination_ids": ["n1"], "days": "", "posted_on": ""}  # fmt: skip
    assert english.post(YEAR_PAGE + "/lay-y-kien?nam=2026", data=data).status_code == 303
    shown = text_of(english.get(YEAR_PAGE + "?nam=2026").text)
    assert (
        "Posted a list of 1 person proposed for commendation, open for comment until the end "
        "of 20 Nov 2026." in shown
    )


@pytest.mark.usefixtures("commendations")
def test_a_nomination_and_its_history_in_english(english):
    sign_in(english)
    page = english.get(DECIDED_PAGE).text
    assert_english(
        page,
        [
            "Commendation decided",
            "Emulation and Commendation Council",
            "met on 1 Dec 2026: 6 of 7 members present, 6 in favour, 0 against",
            "702,000 VND",
            "(0.3 × base salary of 2,340,000 VND)",
            "Download the certificate (PDF)",
            "Handling history",
            "Commendation proposal",  # the history's first step
        ],
        ["Tiền thưởng", "mức lương cơ sở", "Quá trình xử lý", "Tải giấy khen"],
    )
    posted = english.get(NOMINATION_PAGE).text
    assert_english(
        posted,
        ["Result of the Emulation and Commendation Council meeting", "Record the meeting result"],
        ["Ghi kết quả họp"],
    )


@pytest.mark.usefixtures("commendations")
def test_the_certificate_pdf_in_english(english):
    sign_in(english)
    response = english.get(DECIDED_PAGE + "/giay-khen.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for words in ("PEOPLE'S COMMITTEE", "SOCIALIST REPUBLIC OF VIET NAM", "CERTIFICATE OF MERIT",
                  "Awarded to the household of", "Decision No. 25/QĐ-UBND of 20 Dec 2026",
                  "Cash award: 702,000 dong", "Electronic certificate"):  # fmt: skip
        assert words in text, words
    for words in ("ỦY BAN NHÂN DÂN", "GIẤY KHEN", "Tặng hộ gia đình", "Tiền thưởng"):
        assert words not in text, words


# --- the staff's discipline pages, rules and reports --------------------------------


@pytest.mark.usefixtures("discipline")
def test_the_discipline_cases_in_english(english):
    sign_in(english, "lan")
    page = english.get(CASES).text
    assert_english(
        page,
        [
            "Discipline of cadres, civil servants and public employees",
            "Overdue",
            "Due soon",
            "Next: Review meeting, due 1 Apr 2026 · overdue",
            "Handling deadline 1 Jun 2026 · no limitation period",
            "Open a discipline file",
            "Civil servant",
        ],
        ["Quá hạn", "Tiếp theo", "Họp kiểm điểm", "Mở hồ sơ", "Công chức ·"],
    )


@pytest.mark.usefixtures("discipline")
def test_a_discipline_case_in_english(english):
    sign_in(english, "lan")
    page = english.get(CASE).text
    assert_english(
        page,
        [
            "Limitation period for discipline",
            "until the end of 1 Mar 2035",
            "Decree 172/2025/ND-CP",
            "Reprimand; Warning; Forced dismissal",
            "Handling deadline until 14 Jun 2026 · overdue",
            "(15 paused days added)",
            "Next step",
            "Disciplinary council meeting , due 20 May 2026",  # the step in bold
            "Review meeting : on 1 Apr 2026",
            "Under treatment for a serious or grave illness: from 10 Apr 2026 paused now",
            "Record a step (review meeting, disciplinary council)",
            "Reason for the change",
        ],
        ["Thời hiệu xử lý kỷ luật", "Họp Hội đồng kỷ luật", "Ghi bước", "Lý do thay đổi"],
    )


@pytest.mark.usefixtures("discipline")
def test_the_rules_page_in_english(english):
    sign_in(english, "lan")
    page = english.get(RULES).text
    assert_english(
        page,
        [
            "Commendation and discipline rules",
            "Values in force on 1 May 2026",
            "UNCONFIRMED",
            "Base salary",
            "2,340,000 VND",
            "Decree 73/2024/ND-CP",
            "15 %",
            "Yes",
            "Set a new value from a date",
        ],
        ["Quy tắc khen thưởng", "Mức lương cơ sở", "CHƯA XÁC NHẬN", "2.340.000 đ"],
    )


@pytest.mark.usefixtures("discipline")
def test_a_refused_rule_value_says_why_in_english(english):
    sign_in(english, "lan")
    page = english.get(RULES).text
    data = {"csrf_token": csrf_of(page), "key": "base_salary", "value": "1,5",
            "valid_from": "2026-07-01", "reason": "Nghị định mới"}  # fmt: skip
    response = english.post(RULES, data=data)
    assert response.status_code == 422
    assert "Please enter a whole number, for example 2,340,000." in text_of(response.text)


@pytest.mark.usefixtures("discipline")
def test_the_reports_and_their_csv_in_english(english):
    sign_in(english, "lan")
    page = english.get(COMMENDATIONS + "?nam=2026").text
    assert_english(
        page,
        [
            "Commendation report, 2026",
            "Total: 15",
            "cash awards 8,424,000 VND",
            "Advanced Worker (Lao động tiên tiến)",
            "Count",
            "Download CSV",
        ],
        ["Báo cáo khen thưởng", "Tổng số", "Số lượng", "8.424.000"],
    )
    assert '<text x="30" y="24" font-size="19">Count</text>' in page  # the chart's key
    csv_text = english.get(DISCIPLINE + ".csv").content.decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    assert header == "Year,Form of discipline,Status,Count"
    assert "Warning" in csv_text and "Decided, in effect" in csv_text
    assert "Cảnh cáo" not in csv_text


# --- what the recognition service says, read in English ----------------------------


def test_a_refusal_of_the_service_reads_in_english(in_english):
    i18n.use(i18n.VIETNAMESE)  # the service speaks Vietnamese
    with pytest.raises(InvalidInput) as refused:
        domain.check_council_date(date(2026, 11, 20), date(2026, 11, 20), date(2026, 12, 1))
    assert refused.value.fields["met_on"] == (
        "Hội đồng họp sau khi hết thời gian lấy ý kiến (20/11/2026)."
    )
    i18n.use(i18n.ENGLISH)  # the gateway, for an English reader
    wire = {"exc_type": "InvalidInput", "exc_args": ["", refused.value.fields]}
    shown = from_wire(wire).fields["met_on"]
    assert shown == "The council meets after the comment period ends (20 Nov 2026)."


def test_the_rule_names_and_sources_read_in_english(in_english):
    book = rules.Book({})
    named = {rule.key: rule for rule in book.rules(date(2026, 5, 1))}
    multiple = named[f"multiple.{Title.ADVANCED_WORKER.value}"]
    assert i18n.translate(multiple.name) == (
        "Cash award multiple: Advanced Worker (Lao động tiên tiến)"
    )
    assert i18n.translate(multiple.source) == (
        "Decree 152/2025/ND-CP (cash awards as multiples of the base salary)"
    )
    limitation = named[f"limitation.{RuleSet.DECREE_234.value}.reprimand_level"]
    assert i18n.translate(limitation.name) == (
        "Limitation period, reprimand-level violations: Decree 234/2026/ND-CP"
    )
    assert i18n.translate(limitation.source) == "Decree 234/2026/ND-CP, Art 5"
    authority = named[f"authority.{Title.CERTIFICATE_OF_MERIT.value}"]
    assert i18n.translate(str(authority.value)) == (
        "Chairman of the commune or ward People's Committee"
    )


def test_a_rule_value_reads_the_readers_way(in_english):
    assert rule_value(2340000, "money") == "2,340,000 VND"
    assert rule_value(0.3, "number") == "0.3"
    assert (rule_value(90, "days"), rule_value(1, "years")) == ("90 days", "1 year")
    assert (rule_value(True, "yes_no"), rule_value(None, "days")) == ("Yes", "Not set")
    assert parse_value("2,340,000 VND", "money") == 2340000  # the unit as the reader writes it
