"""The staff pages of the recognition service: discipline cases
(gateway/routes/discipline_staff.py), the rule book (recognition_rules.py) and the
reports (recognition_reports.py), with a fake recognition service in the FakeRpc
port that refuses a discipline file to anyone but the commune's leaders, as the
service does; each command the pages send is validated by its own contract."""

import csv
import io
import re

import pytest

from gateway.routes.recognition_rules import parse_value, rule_value
from shared.contracts.recognition import (
    CaseChange,
    CaseList,
    CaseRef,
    DisciplineCase,
    DiscloseResult,
    ListCases,
    ListRules,
    OpenCase,
    Report,
    ReportQuery,
    Rule,
    RuleBook,
    SetRule,
)
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

CASES = "/can-bo/xa/huong-an/ky-luat"
CASE = "/can-bo/ky-luat/c1"
RULES = "/can-bo/xa/huong-an/quy-tac-khen-thuong-ky-luat"
COMMENDATIONS = "/can-bo/xa/huong-an/khen-thuong/bao-cao"
DISCIPLINE = CASES + "/bao-cao"
LEADERS_ONLY = "Hồ sơ kỷ luật chỉ dành cho lãnh đạo xã."
CLOCK = {
    "rule_set": "decree_172_2025",
    "allowed_forms": ["reprimand", "warning", "forced_dismissal"],
    "limitation_ends_on": "2035-03-01",
    "handling_due_on": "2026-06-14",
    "paused_days": 15,
    "effect_ends_on": None,
    "recidivism": False,
    "next_step": "Họp Hội đồng kỷ luật",
    "next_step_due_on": "2026-05-20",
}
CASE_1 = {
    "case_id": "c1",
    "commune_id": "huong-an",
    "version": 2,
    "versions": 2,
    "changed_at": "2026-04-02T03:00:00Z",
    "changed_by": "lan",
    "reason": "Biên bản họp kiểm điểm ngày 01/4/2026.",
    "subject": {
        "full_name": "Nguyễn Văn An",
        "position": "Công chức Tư pháp - Hộ tịch",
        "staff_type": "civil_servant",
    },
    "violation": {
        "description": "Chậm giải quyết hồ sơ hộ tịch nhiều lần.",
        "committed_on": "2025-03-01",
    },
    "later_violations": [],
    "discovered_on": "2026-03-01",
    "complex": False,
    "steps": [{"kind": "review_meeting", "held_on": "2026-04-01"}],
    "pauses": [{"ground": "illness", "starts_on": "2026-04-10"}],
    "decision": None,
    "status": "open",
    "clock": CLOCK,
}
FIRST_VERSION = {
    **CASE_1,
    "version": 1,
    "reason": "Mở hồ sơ.",
    "steps": [],
    "pauses": [],
    "changed_at": "2026-03-02T03:00:00Z",
}
DECIDED = {
    **CASE_1,
    "decision": {"form": "warning", "number": "25/QĐ-UBND", "decided_on": "2026-05-25"},
    "status": "decided",
    "clock": {**CLOCK, "effect_ends_on": "2027-05-25", "next_step": None},
}


def summary(case_id: str, name: str, overdue: bool = False, due_soon: bool = False) -> dict:
    return {
        "case_id": case_id,
        "full_name": name,
        "position": "Công chức Văn phòng - Thống kê",
        "staff_type": "civil_servant",
        "status": "open",
        "form": None,
        "discovered_on": "2026-03-01",
        "handling_due_on": "2026-06-01",
        "limitation_ends_on": None,
        "next_step": "Họp kiểm điểm",
        "next_step_due_on": "2026-04-01",
        "overdue": overdue,
        "due_soon": due_soon,
    }


def version(value, valid_from: str, reason: str, set_by: str = "DânBàn", set_at=None) -> dict:
    return {
        "value": value,
        "valid_from": valid_from,
        "reason": reason,
        "set_by": set_by,
        "set_at": set_at,
    }


BASE_SALARY = {
    "key": "base_salary",
    "name": "Mức lương cơ sở",
    "kind": "money",
    "source": "Nghị định 73/2024/NĐ-CP",
    "confirmed": True,
    "value": 2340000,
    "versions": [
        version(1800000, "2023-07-01", "Nghị định 24/2023/NĐ-CP"),
        version(2340000, "2024-07-01", "Nghị định 73/2024/NĐ-CP", "lan", "2024-07-02T02:00:00Z"),
    ],
}
FIGHTER_CAP = {
    "key": "fighter_cap",
    "name": "Tỷ lệ Chiến sĩ thi đua cơ sở tối đa trên số Lao động tiên tiến",
    "kind": "percent",
    "source": "Luật Thi đua, khen thưởng 2022",
    "confirmed": False,
    "value": 15,
    "versions": [version(15, "2024-01-01", "Quy định lâu nay")],
}
BOOK = {
    "commune_id": "huong-an",
    "on": "2026-05-01",
    "rules": [
        BASE_SALARY,
        FIGHTER_CAP,
        {
            "key": "chair_decides_fighter",
            "name": "Chủ tịch UBND xã khen Chiến sĩ thi đua cơ sở",
            "kind": "yes_no",
            "source": "Nghị định 152/2025/NĐ-CP",
            "confirmed": False,
            "value": True,
            "versions": [version(True, "2025-07-01", "Sau khi bỏ cấp huyện")],
        },
    ],
}
COMMENDATION_REPORT = {
    "commune_id": "huong-an",
    "rows": [
        {
            "year": 2026,
            "group": "lao_dong_tien_tien",
            "detail": "Tổ dân phố 1",
            "count": 12,
            "amount": 8424000,
        },
        {"year": 2026, "group": "giay_khen", "detail": "Tổ dân phố 2", "count": 3},
    ],
}
DISCIPLINE_REPORT = {
    "commune_id": "huong-an",
    "rows": [
        {"year": 2026, "group": "warning", "detail": "decided", "count": 2},
        {"year": 2025, "group": "reprimand", "detail": "lapsed", "count": 1},
    ],
}


@pytest.fixture
def recognition(rpc: FakeRpc) -> dict:
    """A fake recognition service: answers with valid contracts, keeps the commands,
    and refuses a discipline file to anyone but the commune's leader ("lan")."""
    sent: dict = {}

    def answer(method, contract, reply, leaders_only=False):
        def handler(payload: dict):
            sent[method] = contract.model_validate(payload)
            if leaders_only and sent[method].actor != "lan":
                raise Forbidden(LEADERS_ONLY)
            return reply(sent[method]) if callable(reply) else reply

        rpc.answer("recognition", method, handler)

    cases = [
        summary("c3", "Lê Văn Ba"),
        summary("c2", "Trần Thị Hai", due_soon=True),
        summary("c1", "Nguyễn Văn An", overdue=True),
    ]
    answer("list_cases", ListCases, {"cases": cases}, leaders_only=True)
    answer("get_case", CaseRef, lambda ref: FIRST_VERSION if ref.version == 1 else CASE_1, True)
    answer("open_case", OpenCase, CASE_1, True)
    answer("change_case", CaseChange, CASE_1, True)
    answer("disclose_result", DiscloseResult, {**DECIDED, "disclosed_on": "2026-05-26"}, True)
    answer("list_rules", ListRules, BOOK)
    answer("set_rule", SetRule, BASE_SALARY)
    answer("commendation_report", ReportQuery, COMMENDATION_REPORT)
    answer("discipline_report", ReportQuery, DISCIPLINE_REPORT)
    # Every reply above is what its contract says the service answers.
    for model, reply in (
        (CaseList, {"cases": cases}),
        (DisciplineCase, CASE_1),
        (DisciplineCase, FIRST_VERSION),
        (DisciplineCase, DECIDED),
        (RuleBook, BOOK),
        (Rule, BASE_SALARY),
        (Report, COMMENDATION_REPORT),
        (Report, DISCIPLINE_REPORT),
    ):
        model.model_validate(reply)
    return sent


def post(client, url: str, page: str, **data):
    """A form of `page` sent to `url`, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_of(client.get(page).text), **data})


def select(page: str, field_id: str) -> str:
    """The options of one <select>."""
    return re.search(rf'<select id="{field_id}".*?</select>', page, re.S).group(0)


# --- the commune's cases ----------------------------------------------------------


def test_the_cases_page_lists_the_overdue_then_the_due_soon_then_the_others(client, recognition):
    sign_in(client, "lan")
    response = client.get(CASES)
    assert response.status_code == 200
    page = response.text
    assert page.index("Nguyễn Văn An") < page.index("Trần Thị Hai") < page.index("Lê Văn Ba")
    assert 'href="/can-bo/ky-luat/c1"' in page
    assert "Công chức Văn phòng - Thống kê · Công chức" in page
    assert "Tiếp theo: Họp kiểm điểm, hạn 01/04/2026 · quá hạn" in page
    assert "Thời hạn xử lý đến 01/06/2026 · không áp dụng thời hiệu" in page
    assert (recognition["list_cases"].actor, recognition["list_cases"].year) == ("lan", None)


def test_the_open_case_form_sends_open_case(client, recognition):
    sign_in(client, "lan")
    page = client.get(CASES).text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    response = client.post(
        CASES,
        data={
            "csrf_token": csrf_of(page),
            "request_id": request_id,
            "full_name": "Nguyễn Văn An",
            "position": "Công chức Tư pháp - Hộ tịch",
            "staff_type": "civil_servant",
            "leader_or_manager": "yes",
            "username": "",
            "description": "Chậm giải quyết hồ sơ hộ tịch nhiều lần.",
            "committed_on": "01/03/2025",
            "gravity": "reprimand_level",
            "without_limitation": "",
            "discovered_on": "2026-03-01",
            "complex": "yes",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == CASE
    sent = recognition["open_case"]
    assert (sent.actor, sent.commune_id, sent.request_id) == ("lan", "huong-an", request_id)
    assert sent.subject.model_dump() == {
        "full_name": "Nguyễn Văn An",
        "position": "Công chức Tư pháp - Hộ tịch",
        "staff_type": "civil_servant",
        "leader_or_manager": True,
        "elected": False,
        "username": None,
    }
    assert str(sent.violation.committed_on) == "2025-03-01"
    assert (sent.violation.gravity, sent.violation.without_limitation) == ("reprimand_level", None)
    assert (str(sent.discovered_on), sent.complex) == ("2026-03-01", True)


def test_a_refused_case_is_shown_beside_its_field_keeping_what_was_typed(client, recognition, rpc):
    def refuse(payload: dict):
        raise InvalidInput(fields={"violation.committed_on": "Ngày vi phạm sau ngày phát hiện."})

    rpc.answer("recognition", "open_case", refuse)
    sign_in(client, "lan")
    response = post(
        client,
        CASES,
        CASES,
        request_id="0" * 32,
        full_name="Nguyễn Văn An",
        position="Công chức Tư pháp - Hộ tịch",
        staff_type="cadre",
        description="Chậm giải quyết hồ sơ hộ tịch.",
        committed_on="2026-04-01",
        discovered_on="2026-03-01",
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="open-committed_on-error">Ngày vi phạm sau ngày phát hiện.' in page
    assert 'value="Nguyễn Văn An"' in page and 'value="2026-04-01"' in page
    assert '<option value="cadre" selected>' in page
    assert f'value="{"0" * 32}"' in page  # a second try still opens one case


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["minh", "hoa"])
def test_staff_and_inspectors_are_refused_a_case_with_the_services_words(
    client, recognition, username
):
    sign_in(client, username)
    for url in (CASE, CASES):
        response = client.get(url)
        assert response.status_code == 403
        assert LEADERS_ONLY in response.text
    assert recognition["get_case"].actor == username


def test_the_commune_page_offers_each_official_what_they_may_open(client, recognition):
    sign_in(client, "lan")
    page = client.get("/communes/huong-an").text
    for url in (CASES, RULES, COMMENDATIONS, DISCIPLINE):
        assert f'href="{url}"' in page
    sign_in(client, "minh")
    page = client.get("/communes/huong-an").text
    assert f'href="{CASES}"' not in page and f'href="{DISCIPLINE}"' not in page
    assert f'href="{RULES}"' in page and f'href="{COMMENDATIONS}"' in page
    sign_in(client, "hoa")
    page = client.get("/communes/huong-an").text
    assert f'href="{CASES}"' not in page and f'href="{DISCIPLINE}"' in page


# --- one case -----------------------------------------------------------------------


def test_the_case_page_shows_its_clock_steps_pauses_and_versions(client, recognition):
    sign_in(client, "lan")
    page = client.get(CASE).text
    assert "Nghị định 172/2025/NĐ-CP" in page
    assert "Khiển trách; Cảnh cáo; Buộc thôi việc" in page
    assert "đến hết ngày 01/03/2035" in page
    assert "đến ngày 14/06/2026" in page and "(đã cộng 15 ngày tạm dừng)" in page
    assert "<strong>Họp Hội đồng kỷ luật</strong>, hạn 20/05/2026" in page
    assert "<strong>Họp kiểm điểm</strong>: ngày 01/04/2026" in page
    assert "Đang điều trị bệnh hiểm nghèo, ốm nặng: từ 10/04/2026" in page
    assert "Phiên bản 2: Biên bản họp kiểm điểm ngày 01/4/2026." in page
    assert f'href="{CASE}?phien-ban=1"' in page
    assert f'action="{CASE}/end_pause' in page  # the open pause may be ended
    assert f'action="{CASE}/cong-khai' not in page  # nothing decided to publish
    assert recognition["get_case"].version is None


def test_the_decide_form_offers_only_the_forms_the_rules_allow(client, recognition):
    sign_in(client, "lan")
    options = select(client.get(CASE).text, "decide-form")
    assert re.findall(r'<option value="(\w+)"', options) == [
        "reprimand",
        "warning",
        "forced_dismissal",
    ]


def test_a_form_the_rules_do_not_allow_is_refused_before_it_is_sent(client, recognition, rpc):
    sign_in(client, "lan")
    response = post(
        client,
        CASE + "/decide",
        CASE,
        version="2",
        form="demotion",
        number="25/QĐ-UBND",
        decided_on="2026-05-25",
        reason="Theo kiến nghị của Hội đồng kỷ luật.",
    )
    assert response.status_code == 422
    assert 'id="decide-form-error">Vui lòng chọn một hình thức kỷ luật' in response.text
    assert 'value="25/QĐ-UBND"' in response.text
    assert not rpc.calls_to("recognition", "change_case")


def test_a_change_sends_the_version_shown_and_its_reason(client, recognition):
    sign_in(client, "lan")
    response = client.post(
        CASE + "/step",
        data={
            "csrf_token": csrf_of(client.get(CASE).text),
            "version": "2",
            "kind": "council",
            "held_on": "2026-05-15",
            "skipped": "",
            "members": "5",
            "present": "4",
            "chair_present": "yes",
            "secretary_present": "yes",
            "proposed_form": "warning",
            "ballot_for": "3",
            "ballot_against": "1",
            "notice_sent_on": "2026-05-05",
            "reason": "Biên bản họp Hội đồng kỷ luật.",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == CASE
    sent = recognition["change_case"]
    assert (sent.actor, sent.case_id, sent.version) == ("lan", "c1", 2)
    assert sent.reason == "Biên bản họp Hội đồng kỷ luật."
    step = sent.step
    assert (step.kind, str(step.held_on), step.skipped) == ("council", "2026-05-15", None)
    assert (step.members, step.present, step.chair_present, step.secretary_present) == (
        5,
        4,
        True,
        True,
    )
    assert (step.proposed_form, step.ballot_for, step.ballot_against) == ("warning", 3, 1)
    assert str(step.notice_sent_on) == "2026-05-05"
    assert (sent.decision, sent.pause, sent.subject) == (None, None, None)
    assert "Đã ghi bước xử lý." in client.get(CASE).text


def test_a_skipped_review_meeting_sends_its_ground_and_no_council(client, recognition):
    sign_in(client, "lan")
    post(
        client,
        CASE + "/step",
        CASE,
        version="2",
        kind="review_meeting",
        skipped="conviction",
        members="5",
        reason="Đã có bản án có hiệu lực.",
    )
    step = recognition["change_case"].step
    assert (step.held_on, step.skipped, step.members) == (None, "conviction", None)


def test_ending_the_open_pause_names_it_with_its_last_day(client, recognition):
    sign_in(client, "lan")
    page = client.get(CASE).text
    assert 'name="starts_on" value="2026-04-10"' in page
    response = post(
        client,
        CASE + "/end_pause",
        CASE,
        version="2",
        ground="illness",
        starts_on="2026-04-10",
        ends_on="2026-04-24",
        reason="Đã ra viện.",
    )
    assert response.status_code == 303
    pause = recognition["change_case"].pause
    assert (pause.ground, str(pause.starts_on), str(pause.ends_on)) == (
        "illness",
        "2026-04-10",
        "2026-04-24",
    )


def test_a_change_without_a_reason_is_refused_beside_the_reason(client, recognition, rpc):
    sign_in(client, "lan")
    response = post(client, CASE + "/close", CASE, version="2", reason="")
    assert response.status_code == 422
    assert 'id="close-reason-error"' in response.text
    assert not rpc.calls_to("recognition", "change_case")


def test_a_change_on_a_stale_version_shows_the_services_words(client, recognition, rpc):
    def refuse(payload: dict):
        raise Conflict("Hồ sơ vừa được người khác sửa (phiên bản 3). Vui lòng xem lại.")

    rpc.answer("recognition", "change_case", refuse)
    sign_in(client, "lan")
    response = post(
        client,
        CASE + "/later",
        CASE,
        version="1",
        later_violation_on="2026-05-01",
        reason="Vi phạm mới.",
    )
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác sửa" in response.text
    assert 'value="2026-05-01"' in response.text


def test_an_old_version_says_so_and_offers_no_forms(client, recognition):
    sign_in(client, "lan")
    page = client.get(CASE + "?phien-ban=1").text
    assert recognition["get_case"].version == 1
    assert "Bạn đang xem phiên bản cũ số 1/2" in page
    assert "Phiên bản 1: Mở hồ sơ." in page
    assert f'action="{CASE}/' not in page
    assert f'href="{CASE}?phien-ban=2"' in page


def test_a_decided_case_is_published_on_the_notice_board(client, recognition, rpc):
    rpc.answer("recognition", "get_case", lambda payload: DECIDED)
    sign_in(client, "lan")
    page = client.get(CASE).text
    assert "<strong>Cảnh cáo</strong>, Quyết định số 25/QĐ-UBND ngày 25/05/2026." in page
    assert f'action="{CASE}/decide' not in page
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    response = post(
        client,
        CASE + "/cong-khai",
        CASE,
        request_id=request_id,
        public_summary="Kỷ luật cảnh cáo đối với công chức Tư pháp - Hộ tịch.",
        late_reason="",
    )
    assert response.status_code == 303 and response.headers["location"] == CASE
    sent = recognition["disclose_result"]
    assert (sent.case_id, sent.request_id, sent.late_reason) == ("c1", request_id, None)


# --- the rules ------------------------------------------------------------------------


def test_the_rule_book_shows_each_value_as_people_write_it(client, recognition):
    sign_in(client, "minh")
    page = client.get(RULES + "?ngay=2026-05-01").text
    assert str(recognition["list_rules"].on) == "2026-05-01"
    assert "<strong>2.340.000 đ</strong>" in page and "<strong>15 %</strong>" in page
    assert "<strong>Có</strong>" in page
    assert page.count("CHƯA XÁC NHẬN</span>") == 2
    assert "1.800.000 đ" in page and "Nghị định 24/2023/NĐ-CP" in page  # the history
    assert 'name="valid_from"' not in page  # only a leader changes a rule


def test_a_leader_sets_a_new_version_typed_with_thousands(client, recognition):
    sign_in(client, "lan")
    page = client.get(RULES).text
    assert page.count('name="valid_from"') == 3 and 'value="2.340.000"' in page
    response = post(
        client,
        RULES,
        RULES,
        key="base_salary",
        value="2.340.000",
        valid_from="2026-07-01",
        reason="Nghị định mới về lương cơ sở.",
    )
    assert response.status_code == 303 and response.headers["location"] == RULES
    sent = recognition["set_rule"]
    assert (sent.key, sent.value, str(sent.valid_from)) == ("base_salary", 2340000, "2026-07-01")
    assert type(sent.value) is int and sent.reason == "Nghị định mới về lương cơ sở."


def test_a_value_that_is_not_a_number_is_refused_beside_it(client, recognition, rpc):
    sign_in(client, "lan")
    response = post(
        client, RULES, RULES, key="fighter_cap", value="mười", valid_from="", reason="Thử."
    )
    assert response.status_code == 422
    assert 'id="value-error">Vui lòng nhập một số' in response.text
    assert 'id="valid_from-error">' in response.text
    assert 'value="mười"' in response.text
    assert not rpc.calls_to("recognition", "set_rule")


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("2.340.000", "money", 2340000),
        ("2,340,000 đ", "money", 2340000),
        ("15 %", "percent", 15),
        ("1,5", "number", 1.5),
        ("90", "days", 90),
        ("no", "yes_no", False),
        ("Chủ tịch UBND xã", "text", "Chủ tịch UBND xã"),
    ],
)
def test_a_typed_value_is_read_as_its_kind(typed, kind, value):
    assert parse_value(typed, kind) == value and type(parse_value(typed, kind)) is type(value)


def test_a_whole_number_kind_refuses_a_fraction():
    with pytest.raises(ValueError, match="số nguyên"):
        parse_value("1,5", "days")


def test_values_are_shown_with_their_units():
    assert rule_value(2340000, "money") == "2.340.000 đ"
    assert rule_value(15, "percent") == "15 %"
    assert rule_value(0.3, "number") == "0,3"
    assert rule_value(False, "yes_no") == "Không"
    assert rule_value(None, "days") == "Chưa có"


# --- the reports ------------------------------------------------------------------


def test_the_commendation_report_has_a_chart_and_the_titles_in_words(client, recognition):
    sign_in(client, "minh")
    page = client.get(COMMENDATIONS + "?nam=2026").text
    assert recognition["commendation_report"].year == 2026
    assert '<svg class="chart" role="img"' in page
    assert "Lao động tiên tiến: 12; Giấy khen: 3." in page  # the chart in words
    assert "8.424.000" in page and "<strong>15</strong>" in page
    assert f'href="{COMMENDATIONS}.csv?nam=2026"' in page


def test_the_discipline_report_csv_has_a_header_and_a_row_each(client, recognition):
    sign_in(client, "hoa")
    response = client.get(DISCIPLINE + ".csv")
    assert recognition["discipline_report"].year is None
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows == [
        ["Năm", "Hình thức kỷ luật", "Tình trạng", "Số lượng"],
        ["2026", "Cảnh cáo", "Đã quyết định, đang có hiệu lực", "2"],
        ["2025", "Khiển trách", "Đã hết hiệu lực", "1"],
    ]


def test_the_discipline_report_page_has_counts_and_its_chart(client, recognition):
    sign_in(client, "lan")
    page = client.get(DISCIPLINE).text
    assert '<svg class="chart" role="img"' in page and "Cảnh cáo: 2; Khiển trách: 1." in page
    assert "Báo cáo xử lý kỷ luật các năm" in page


@pytest.mark.parametrize("username", ["minh", "hoa"])
def test_staff_and_inspectors_read_the_rules_and_the_commendation_report(
    client, recognition, username
):
    sign_in(client, username)
    for url in (RULES, COMMENDATIONS, COMMENDATIONS + ".csv"):
        assert client.get(url).status_code == 200
    assert recognition["commendation_report"].actor == username


def test_the_pages_send_visitors_to_sign_in(client, recognition):
    for url in (CASES, CASE, RULES, COMMENDATIONS, DISCIPLINE + ".csv"):
        response = client.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/sign-in")
