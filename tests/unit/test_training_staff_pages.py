"""The staff training pages (gateway/routes/training_staff.py) with a fake training
service and the directory's holdings in the FakeRpc port; each command the pages
send is validated by its own contract."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from shared.contracts.positions import Holdings, ListHoldings
from shared.contracts.training import (
    AddSession,
    Attendance,
    CancelRegistration,
    Certificate,
    CertificateCheck,
    CheckInCode,
    CheckInToken,
    Course,
    CourseRef,
    Courses,
    Coverage,
    CoverageQuery,
    CreateCourse,
    Invited,
    InvitePeople,
    ListCourses,
    MarkAttendance,
    RegisterPeople,
    Registration,
    RegistrationResults,
    RevokeCertificate,
    SavePlan,
    SessionRef,
    SessionRoster,
    SetTargets,
    VerifyCertificate,
)
from shared.errors import InvalidInput
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

PLAN = "/can-bo/xa/huong-an/tap-huan"
COURSE = "/can-bo/tap-huan/khoa/k1"
SESSION = "/can-bo/tap-huan/buoi/s1"
COVERAGE = PLAN + "/bao-phu"
UNIT = "tổ-dân-phố-1"  # as gateway_support's fake directory names it
CODE = "ABCD-EFGH-JKLM-NPQR"
TOKEN = "0123456789abcdef0123"
MINH = {"person_id": "account:minh", "full_name": "Trần Văn Minh", "username": "minh"}
HOA = {
    "person_id": "p-0123456789abcdef",
    "full_name": "Lê Thị Hoa",
    "phone": "0912345678",
    "email": "hoa@example.com",
}
LAN = {"person_id": "p-fedcba9876543210", "full_name": "Phạm Thị Lan"}
SESSION_1 = {
    "session_id": "s1",
    "course_id": "k1",
    "starts_at": "2026-03-25T01:00:00Z",  # 08:00 in Vietnam
    "ends_at": "2026-03-25T04:00:00Z",
    "place": "Hội trường UBND phường",
    "online_link": None,
    "trainer": "Nguyễn Văn Bình",
    "capacity": 30,
    "seats_taken": 2,
    "waiting": 1,
}
COURSE_1 = {
    "course_id": "k1",
    "commune_id": "huong-an",
    "year": 2026,
    "title": "Bồi dưỡng thực hiện dân chủ ở cơ sở",
    "description": "",
    "positions": ["group_head", "inspection_board"],
    "completion": {"kind": "all_sessions"},
    "registration_opens_on": "2026-03-01",
    "registration_closes_on": "2026-03-20",
    "cancel_hours_before": 24,
    "sessions": [SESSION_1],
    "completed": 2,
}


def registration(person: dict, number: int, **fields) -> dict:
    return {
        "registration_id": f"r{number}",
        "session_id": "s1",
        "course_id": "k1",
        "person": person,
        "status": "seated",
        "registered_at": "2026-03-02T03:00:00Z",
        **fields,
    }


def coverage_row(unit_id: str, position: str, holders: int, trained: int, target, missing):
    return {
        "unit_id": unit_id,
        "unit_name": unit_id,
        "position": position,
        "holders": holders,
        "trained": trained,
        "target_percent": target,
        "missing": [{"person_id": p["person_id"], "full_name": p["full_name"]} for p in missing],
    }


COVERAGE_2026 = {
    "commune_id": "huong-an",
    "year": 2026,
    "as_of": "2026-06-01",
    "targets_set_on": "2026-01-15",
    "targets": [{"position": "group_head", "percent": 80}],
    "rows": [
        coverage_row(UNIT, "group_head", 4, 3, 80, [HOA]),
        coverage_row("huong-an", "commune_official", 10, 9, None, [LAN]),
    ],
    "totals": [
        coverage_row("huong-an", "group_head", 4, 3, 80, [HOA]),
        coverage_row("huong-an", "commune_official", 10, 9, None, [LAN]),
    ],
}


@pytest.fixture
def training(rpc: FakeRpc) -> dict:
    """A fake training service: answers with valid contracts, keeps the commands."""
    sent: dict = {}

    def answer(method, contract, reply):
        def handler(payload: dict):
            sent[method] = contract.model_validate(payload)
            return reply(sent[method]) if callable(reply) else reply

        rpc.answer("training", method, handler)

    certificate = {
        "certificate_id": "c1",
        "code": CODE,
        "commune_id": "huong-an",
        "commune_name": "Phường Hương An",
        "course_id": "k1",
        "course_title": COURSE_1["title"],
        "year": 2026,
        "person": HOA,
        "completed_on": "2026-03-25",
        "sessions_attended": 1,
    }
    roster = {
        "course": COURSE_1,
        "session": SESSION_1,
        "seated": [registration(MINH, 1), registration(HOA, 2, attended=True)],
        "waiting": [registration(LAN, 3, status="waiting", place_in_line=1)],
        "certificates": [certificate],
    }
    listed = {"plan": None, "courses": [COURSE_1]}
    answer("list_courses", ListCourses, Courses.model_validate(listed).model_dump(mode="json"))
    answer("get_course", CourseRef, COURSE_1)
    answer("save_plan", SavePlan, lambda c: {"plan_id": "k", **c.model_dump(exclude={"actor"})})
    answer("create_course", CreateCourse, COURSE_1)
    answer("add_session", AddSession, COURSE_1)
    answer("invite", InvitePeople, {"invited": 12, "without_address": ["Phạm Thị Lan"]})
    outcomes = [
        {"person": MINH, "registration": registration(MINH, 1)},
        {"person": HOA, "registration": registration(HOA, 2, status="waiting", place_in_line=2)},
        {"person": LAN, "refused": "Đã đăng ký buổi học này."},
    ]
    answer("register_people", RegisterPeople, {"outcomes": outcomes})
    answer(
        "session_roster", SessionRef, SessionRoster.model_validate(roster).model_dump(mode="json")
    )
    answer(
        "mark_attendance",
        MarkAttendance,
        lambda c: {"session_id": "s1", "person": MINH, "attended": c.present, "completed": False},
    )
    answer("cancel_registration", CancelRegistration, registration(LAN, 3, status="cancelled"))
    answer(
        "verify_certificate",
        VerifyCertificate,
        {"code": CODE, "valid": True, "certificate": certificate},
    )
    answer("revoke_certificate", RevokeCertificate, {**certificate, "revoked": True})
    token = {
        "session_id": "s1",
        "token": TOKEN,
        "valid_from": "2026-03-25T00:30:00Z",
        "valid_to": "2026-03-25T04:30:00Z",
    }
    answer("check_in_code", CheckInCode, token)
    answer("coverage", CoverageQuery, COVERAGE_2026)
    answer("set_targets", SetTargets, COVERAGE_2026)
    holdings = [
        {
            "holding_id": f"h{number}",
            "commune_id": "huong-an",
            "unit_id": UNIT,
            "position": "group_head",
            "person": person,
            "starts_on": "2025-07-01",
        }
        for number, person in enumerate((MINH, HOA))
    ]

    def list_holdings(payload: dict) -> dict:
        sent["list_holdings"] = ListHoldings.model_validate(payload)
        return {"holdings": holdings}

    rpc.answer("directory", "list_holdings", list_holdings)
    # Every reply above is what its contract says the service answers.
    for model, reply in (
        (Course, COURSE_1),
        (Invited, {"invited": 1, "without_address": []}),
        (RegistrationResults, {"outcomes": outcomes}),
        (Attendance, {"session_id": "s1", "person": MINH, "attended": True, "completed": False}),
        (Registration, registration(LAN, 3, status="cancelled")),
        (CertificateCheck, {"code": CODE, "valid": True, "certificate": certificate}),
        (Certificate, certificate),
        (CheckInToken, token),
        (Coverage, COVERAGE_2026),
        (Holdings, {"holdings": holdings}),
    ):
        model.model_validate(reply)
    return sent


def request_id_of(html: str) -> str:
    return re.search(r'name="request_id" value="([0-9a-f]{32})"', html).group(1)


def post(client, url: str, page: str, **data):
    """A form of `page` sent to `url`, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_of(client.get(page).text), **data})


# --- the plan and its courses ---------------------------------------------------


def test_the_plan_page_lists_the_courses_with_their_sessions_in_vietnam_time(client, training):
    sign_in(client)
    page = client.get(PLAN + "?nam=2026").text
    assert "Tập huấn dân chủ ở cơ sở năm 2026" in page
    assert 'href="/can-bo/tap-huan/khoa/k1"' in page
    assert "Trưởng thôn, tổ trưởng tổ dân phố; Thành viên Ban Thanh tra nhân dân" in page
    assert "25/03/2026, 08:00–11:00 · Hội trường UBND phường" in page
    assert "Giảng viên: Nguyễn Văn Bình · 2/30 chỗ · 1 người chờ" in page
    assert "Đã hoàn thành: <strong>2</strong> người" in page
    assert 'href="/can-bo/xa/huong-an/tap-huan/bao-phu?nam=2026"' in page
    assert training["list_courses"].year == 2026


def test_saving_the_plan_sends_its_title_and_notes_for_the_year(client, training):
    sign_in(client)
    response = post(
        client,
        PLAN + "/ke-hoach?nam=2026",
        PLAN + "?nam=2026",
        title="Kế hoạch bồi dưỡng năm 2026",
        notes="Bồi dưỡng cho trưởng thôn và Ban Thanh tra nhân dân.",
    )
    assert response.status_code == 303 and response.headers["location"] == PLAN + "?nam=2026"
    sent = training["save_plan"]
    assert (sent.actor, sent.commune_id, sent.year) == ("minh", "huong-an", 2026)
    assert sent.title == "Kế hoạch bồi dưỡng năm 2026"


def course_form(client, **fields) -> dict:
    return {
        "csrf_token": csrf_of(client.get(PLAN + "?nam=2026").text),
        "request_id": request_id_of(client.get(PLAN + "?nam=2026").text),
        "title": "Bồi dưỡng thực hiện dân chủ ở cơ sở",
        "description": "Luật 10/2022/QH15 và các văn bản hướng dẫn.",
        "positions": ["group_head", "inspection_board"],
        "completion": "at_least",
        "minimum": "2",
        "registration_opens_on": "2026-03-01",
        "registration_closes_on": "2026-03-20",
        "cancel_hours_before": "48",
        **fields,
    }


def test_the_course_form_becomes_create_course_and_opens_the_new_course(client, training):
    sign_in(client)
    response = client.post(PLAN + "/khoa-moi?nam=2026", data=course_form(client))
    assert response.status_code == 303 and response.headers["location"] == COURSE
    sent = training["create_course"]
    assert (sent.actor, sent.commune_id, sent.year) == ("minh", "huong-an", 2026)
    assert sent.positions == ["group_head", "inspection_board"]
    assert (sent.completion.kind, sent.completion.minimum) == ("at_least", 2)
    assert str(sent.registration_opens_on) == "2026-03-01"
    assert str(sent.registration_closes_on) == "2026-03-20"
    assert sent.cancel_hours_before == 48


def test_a_course_form_sent_twice_carries_one_request_id(client, training, rpc):
    sign_in(client)
    data = course_form(client, completion="all_sessions", minimum="3")
    client.post(PLAN + "/khoa-moi?nam=2026", data=data)
    client.post(PLAN + "/khoa-moi?nam=2026", data=data)
    first, second = rpc.calls_to("training", "create_course")
    assert first[0]["request_id"] == second[0]["request_id"] == data["request_id"]
    assert first[0]["completion"] == {"kind": "all_sessions", "minimum": None}


def test_a_refused_course_keeps_what_was_typed_with_errors_by_the_fields(client, training, rpc):
    sign_in(client)
    data = course_form(client, positions=[], minimum="", registration_closes_on="2026-02-01")
    response = client.post(PLAN + "/khoa-moi?nam=2026", data=data)
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page and 'href="#course-positions"' in page
    assert "Vui lòng chọn ít nhất một chức danh." in page
    assert 'id="course-minimum-error">Vui lòng nhập số buổi tối thiểu phải dự.' in page
    assert "Ngày hết hạn đăng ký phải từ ngày mở đăng ký." in page
    assert "Giá trị không hợp lệ" not in page  # the page's words, not the generic ones
    assert 'value="Bồi dưỡng thực hiện dân chủ ở cơ sở"' in page
    assert f'value="{data["request_id"]}"' in page  # a second try still creates one
    assert not rpc.calls_to("training", "create_course")


# --- a course ---------------------------------------------------------------------


def session_form(client, **fields) -> dict:
    page = client.get(COURSE).text
    return {
        "csrf_token": csrf_of(page),
        "request_id": request_id_of(page),
        "day": "2026-03-25",
        "starts": "08:00",
        "ends": "11:30",
        "place": "Hội trường UBND phường",
        "online_link": "",
        "trainer": "Nguyễn Văn Bình",
        "capacity": "30",
        **fields,
    }


def test_adding_a_session_turns_the_vietnam_day_and_hours_into_moments(client, training):
    sign_in(client)
    response = client.post(COURSE + "/buoi", data=session_form(client))
    assert response.status_code == 303 and response.headers["location"] == COURSE
    sent = training["add_session"]
    assert sent.starts_at == datetime(2026, 3, 25, 1, 0, tzinfo=UTC)
    assert sent.ends_at == datetime(2026, 3, 25, 4, 30, tzinfo=UTC)
    assert sent.starts_at.utcoffset() is not None
    assert (sent.course_id, sent.capacity, sent.online_link) == ("k1", 30, None)


def test_a_session_that_ends_before_it_starts_is_refused_beside_the_end(client, training, rpc):
    sign_in(client)
    data = session_form(client, ends="07:00", online_link="zoom.us/j/1")
    response = client.post(COURSE + "/buoi", data=data)
    assert response.status_code == 422
    assert 'id="session-ends-error">Giờ kết thúc phải sau giờ bắt đầu.' in response.text
    assert 'id="session-online_link-error">Đường dẫn bắt đầu bằng https://' in response.text
    assert 'value="07:00"' in response.text
    assert not rpc.calls_to("training", "add_session")


def test_the_course_page_offers_the_holders_today_without_their_addresses(client, training):
    sign_in(client)
    page = client.get(COURSE).text
    holdings = training["list_holdings"]
    assert holdings.positions == ["group_head", "inspection_board"]
    assert holdings.start == holdings.end
    assert 'name="person_ids" value="p-0123456789abcdef"' in page and "Lê Thị Hoa" in page
    assert "0912345678" not in page and "hoa@example.com" not in page
    assert 'href="/communes/huong-an/thong-bao/moi?khoa=k1"' in page


def test_invitations_say_how_many_and_who_has_no_address(client, training):
    sign_in(client)
    response = post(client, COURSE + "/moi", COURSE)
    assert response.status_code == 200
    assert "Đã mời 12 người" in response.text
    assert "<li>Phạm Thị Lan</li>" in response.text
    assert training["invite"].course_id == "k1"


def test_bulk_registration_shows_what_became_of_each_person(client, training):
    sign_in(client)
    response = client.post(
        COURSE + "/dang-ky",
        data={
            "csrf_token": csrf_of(client.get(COURSE).text),
            "session_id": "s1",
            "positions": ["group_head"],
            "person_ids": ["p-0123456789abcdef"],
        },
    )
    assert response.status_code == 200
    sent = training["register_people"]
    assert (sent.session_id, sent.positions, sent.person_ids) == (
        "s1",
        ["group_head"],
        ["p-0123456789abcdef"],
    )
    page = response.text
    assert "Trần Văn Minh: có chỗ" in page
    assert "Lê Thị Hoa: danh sách chờ thứ 2" in page
    assert "Phạm Thị Lan: <strong>không đăng ký được</strong>: Đã đăng ký buổi học này." in page


def test_bulk_registration_with_nobody_chosen_is_refused(client, training, rpc):
    sign_in(client)
    response = post(client, COURSE + "/dang-ky", COURSE, session_id="s1")
    assert response.status_code == 422
    assert "Vui lòng chọn ít nhất một chức danh hoặc một người." in response.text
    assert not rpc.calls_to("training", "register_people")


# --- a session ------------------------------------------------------------------


def test_the_roster_has_one_tap_per_person_and_the_waiting_list(client, training):
    sign_in(client)
    page = client.get(SESSION).text
    assert "Có mặt 1/2" in page
    assert '<li id="p-account:minh">' in page and '<li id="p-p-0123456789abcdef">' in page
    assert page.count('action="/can-bo/tap-huan/buoi/s1/diem-danh"') == 2
    assert 'name="present" value="yes"' in page and 'name="present" value="no"' in page
    assert 'Phạm Thị Lan <span class="muted">(thứ 1)</span>' in page
    assert 'href="/can-bo/tap-huan/buoi/s1/qr"' in page
    assert training["session_roster"].actor == "minh"


def test_a_tap_marks_attendance_and_comes_back_to_the_person(client, training):
    sign_in(client)
    response = post(
        client, SESSION + "/diem-danh", SESSION, person_id="account:minh", present="yes"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/can-bo/tap-huan/buoi/s1#p-account:minh"
    assert training["mark_attendance"].present is True
    assert training["mark_attendance"].person_id == "account:minh"
    post(client, SESSION + "/diem-danh", SESSION, person_id="account:minh", present="no")
    assert training["mark_attendance"].present is False


def test_the_roster_links_each_certificate_of_those_seated(client, training):
    sign_in(client)
    page = client.get(SESSION).text
    assert f'href="/chung-nhan/{CODE}"' in page  # Hòa's, who completed the course


def test_staff_cancel_a_registration_in_their_own_name(client, training):
    sign_in(client)
    response = post(client, SESSION + "/huy", SESSION, registration_id="r3")
    assert response.status_code == 303 and response.headers["location"] == SESSION
    sent = training["cancel_registration"]
    assert (sent.who.actor, sent.who.code, sent.registration_id) == ("minh", None, "r3")
    assert "Đã hủy đăng ký của Phạm Thị Lan." in client.get(SESSION).text


def test_a_cancellation_after_the_cut_off_is_shown_on_the_roster(client, training, rpc):
    def refuse(payload: dict):
        raise InvalidInput("Đã quá hạn hủy đăng ký: 24 giờ trước buổi học.")

    rpc.answer("training", "cancel_registration", refuse)
    sign_in(client)
    response = post(client, SESSION + "/huy", SESSION, registration_id="r1")
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "Đã quá hạn hủy đăng ký" in response.text


def test_a_bigger_room_is_saved_and_a_smaller_one_refused_beside_its_field(client, training, rpc):
    sent = []

    def change(payload: dict):
        sent.append(payload)
        if payload["capacity"] < 2:
            raise InvalidInput(fields={"capacity": "Đã có 2 người có chỗ: không giảm được."})
        sessions = [{**SESSION_1, "capacity": payload["capacity"], "seats_taken": 2}]
        return {**COURSE_1, "sessions": sessions}

    rpc.answer("training", "change_capacity", change)
    sign_in(client)
    saved = post(client, SESSION + "/so-cho", SESSION, capacity="5")
    assert saved.status_code == 303 and sent[-1]["capacity"] == 5
    assert "Buổi học nay có 5 chỗ, 2 đã có người." in client.get(SESSION).text
    refused = post(client, SESSION + "/so-cho", SESSION, capacity="1")
    assert refused.status_code == 422
    assert (
        '<p class="error" id="capacity-capacity-error">Đã có 2 người có chỗ: không giảm được.'
        in refused.text
    )


def test_a_certificate_is_revoked_by_its_code_with_a_reason(client, training):
    sign_in(client)
    response = post(
        client, SESSION + "/thu-hoi", SESSION, code="abcd-efgh-jklm-npqr", reason="Ghi nhầm người."
    )
    assert response.status_code == 303
    assert training["verify_certificate"].code == CODE
    sent = training["revoke_certificate"]
    assert (sent.certificate_id, sent.reason, sent.actor) == ("c1", "Ghi nhầm người.", "minh")


def test_a_certificate_of_another_course_is_not_revoked(client, training, rpc):
    rpc.answer(
        "training",
        "verify_certificate",
        lambda payload: {"code": CODE, "valid": False, "why_not": "Không có chứng nhận này."},
    )
    sign_in(client)
    response = post(client, SESSION + "/thu-hoi", SESSION, code=CODE, reason="Ghi nhầm người.")
    assert response.status_code == 422
    assert 'id="revoke-code-error">Không có chứng nhận nào của khóa học này' in response.text
    assert not rpc.calls_to("training", "revoke_certificate")


def test_the_qr_page_shows_an_svg_of_the_check_in_url_and_when_it_works(client, training):
    sign_in(client)
    page = client.get(SESSION + "/qr").text
    url = f"http://127.0.0.1:8000/tap-huan/diem-danh/s1/{TOKEN}"
    assert re.search(r'<svg[^>]*class="qr"', page) and "<path" in page
    assert url in page
    assert "07:30 ngày 25/03/2026" in page and "11:30 ngày 25/03/2026" in page
    assert training["check_in_code"].session_id == "s1"


# --- coverage -------------------------------------------------------------------


def test_the_coverage_page_has_the_chart_the_rule_and_who_is_missing(client, training):
    sign_in(client)
    page = client.get(COVERAGE + "?nam=2026").text
    assert '<svg class="chart" role="img"' in page
    assert "75,0%" in page and "chỉ tiêu 80%: chưa đạt" in page
    assert "Cách tính: một người được tính cho một chức danh nếu đã giữ chức danh đó" in page
    assert "người rời đi không làm giảm tỷ lệ của xã." in page
    assert "Lê Thị Hoa" in page and "Phạm Thị Lan" in page
    assert 'name="target.group_head"' in page and 'value="80"' in page
    assert 'href="/can-bo/xa/huong-an/tap-huan/bao-phu.csv?nam=2026"' in page
    assert training["coverage"].year == 2026


def test_an_inspector_reads_the_coverage_without_names_or_forms(client, training):
    sign_in(client, "hoa")
    page = client.get(COVERAGE + "?nam=2026").text
    assert "75,0%" in page
    assert "Lê Thị Hoa" not in page and 'name="target.group_head"' not in page
    rows = list(csv.reader(io.StringIO(client.get(COVERAGE + ".csv?nam=2026").text)))
    assert all(row[6] == "" for row in rows[1:])


def test_the_targets_are_sent_per_position_leaving_out_the_blank_ones(client, training):
    sign_in(client)
    page = COVERAGE + "?nam=2026"
    response = post(
        client, page, page, **{"target.group_head": "90", "target.inspection_board": "100"}
    )
    assert response.status_code == 303 and response.headers["location"] == page
    sent = training["set_targets"]
    assert sent.year == 2026
    assert {(t.position, t.percent) for t in sent.targets} == {
        ("group_head", 90),
        ("inspection_board", 100),
    }


def test_a_target_over_100_is_refused_beside_its_position(client, training, rpc):
    sign_in(client)
    page = COVERAGE + "?nam=2026"
    response = post(client, page, page, **{"target.group_head": "120"})
    assert response.status_code == 422
    assert 'id="target-group_head-error">Vui lòng nhập một số từ 0 đến 100.' in response.text
    assert not rpc.calls_to("training", "set_targets")


def test_the_coverage_csv_has_the_vietnamese_headers_and_a_row_per_unit_and_position(
    client, training
):
    sign_in(client)
    response = client.get(COVERAGE + ".csv?nam=2026")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Đơn vị",
        "Chức danh",
        "Số người giữ chức danh",
        "Đã hoàn thành",
        "Tỷ lệ %",
        "Chỉ tiêu %",
        "Chưa tập huấn",
    ]
    assert rows[2][:6] == [
        "Tổ dân phố 1",
        "Trưởng thôn, tổ trưởng tổ dân phố",
        "4",
        "3",
        "75,0",
        "80",
    ]
    assert rows[2][6] == "Lê Thị Hoa"
    assert ["Phường Hương An", "Cán bộ, công chức cấp xã", "10", "9", "90,0", ""] in [
        row[:6] for row in rows
    ]


# --- who may -----------------------------------------------------------------------


def test_the_pages_send_visitors_to_sign_in(client, training):
    response = client.get(PLAN)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")


@pytest.mark.parametrize(
    "url", [PLAN, COURSE, SESSION, SESSION + "/qr", COVERAGE, COVERAGE + ".csv"]
)
def test_an_official_of_another_commune_is_refused(client, training, url):
    sign_in(client, "tuan")
    assert client.get(url).status_code == 403


def test_an_inspector_may_not_create_a_course_or_mark_attendance(client, training, rpc):
    sign_in(client, "hoa")
    assert 'action="/can-bo/xa/huong-an/tap-huan/khoa-moi' not in client.get(PLAN).text
    token = csrf_of(client.get(PLAN).text)
    response = client.post(PLAN + "/khoa-moi", data={"csrf_token": token, "title": "Khóa"})
    assert response.status_code == 403
    response = client.post(SESSION + "/diem-danh", data={"csrf_token": token, "person_id": "x"})
    assert response.status_code == 403
    assert not rpc.calls_to("training", "create_course")
    assert not rpc.calls_to("training", "mark_attendance")


def test_the_commune_page_links_the_training_pages_for_its_staff(client, training):
    sign_in(client)
    page = client.get("/communes/huong-an").text
    assert 'href="/can-bo/xa/huong-an/tap-huan"' in page
    assert 'href="/can-bo/xa/huong-an/tap-huan/bao-phu"' in page
