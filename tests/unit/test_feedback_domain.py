"""The law's deadlines and rules for feedback, complaints and denunciations
(services/feedback/domain.py; law-brief §5). 2026 days off: Tết 16–20/02, 27/04
(in place of Hùng Kings' day), 30/04, 01/05, 31/08 (worked on Saturday 22/08),
01–02/09, 24/11."""

from datetime import date, timedelta

import pytest
from pydantic import TypeAdapter

from services.feedback import domain
from services.feedback.domain import (
    CODE_ALPHABET,
    check_action,
    check_extension,
    check_no_deadline_shortened,
    check_reopen,
    check_triage,
    complaint_accept_due,
    complaint_decision_due,
    deadlines_met,
    deadlines_of,
    denunciation_check_due,
    denunciation_resolution_due,
    feedback_answer_due,
    handling_days,
    inform_due,
    is_due_soon,
    is_overdue,
    may_rate,
    may_reopen,
    median_of_histogram,
    new_case_code,
    next_due,
    period_end,
    recommendation_answer_due,
    transfer_due,
)
from shared.contracts.feedback import CaseCode, CaseStatus, CaseType, Complexity, Deadline
from shared.errors import Conflict

S = CaseStatus
NORMAL, COMPLEX, VERY_COMPLEX = Complexity.NORMAL, Complexity.COMPLEX, Complexity.VERY_COMPLEX


# --- Civil Code 2015 Art 147-148: periods in calendar days ---


@pytest.mark.parametrize(
    "start, days, end",
    [
        (date(2026, 11, 16), 2, date(2026, 11, 18)),  # the first day does not count (Art 147)
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Saturday → Monday
        (date(2026, 2, 1), 15, date(2026, 2, 23)),  # Tết Monday 16/02 → Monday 23/02
        (date(2026, 4, 11), 15, date(2026, 4, 28)),  # Sunday 26/04, and 27/04 off in its place
        (date(2026, 8, 7), 15, date(2026, 8, 22)),  # the Saturday worked in exchange stays
        (date(2026, 8, 14), 15, date(2026, 9, 3)),  # 29/08 Saturday, 31/08 and 01-02/09 off
    ],
)
def test_a_period_ending_on_a_day_off_ends_on_the_next_working_day_civil_code_art_148(
    start, days, end
):
    assert period_end(start, days) == end


# --- Complaints Law 2011 Art 27-28 ---


def test_a_complaint_is_accepted_within_10_working_days_complaints_law_art_27():
    assert complaint_accept_due(date(2026, 11, 16)) == date(2026, 12, 1)  # 24/11 off
    assert complaint_accept_due(date(2026, 2, 10)) == date(2026, 3, 3)  # across Tết


@pytest.mark.parametrize(
    "complexity, remote_area, due",
    [
        (NORMAL, False, date(2026, 2, 4)),  # 30 days
        (COMPLEX, False, date(2026, 2, 23)),  # 45 days: Thursday 19/02 is Tết
        (VERY_COMPLEX, False, date(2026, 2, 23)),  # complex enough for 45 too
        (NORMAL, True, date(2026, 2, 23)),  # remote area: 45 days
        (COMPLEX, True, date(2026, 3, 6)),  # remote area, complex: 60 days
    ],
)
def test_a_complaint_is_decided_in_30_or_45_days_remote_45_or_60_complaints_law_art_28(
    complexity, remote_area, due
):
    assert complaint_decision_due(date(2026, 1, 5), complexity, remote_area) == due


# --- Denunciation Law 2018 Art 24, 30 ---


def test_a_denunciation_is_logged_and_checked_within_7_working_days_denunciation_law_art_24_1():
    # Wednesday 26/08: 29-30/08 weekend, 31/08 and 01-02/09 off
    assert denunciation_check_due(date(2026, 8, 26)) == date(2026, 9, 9)


def test_a_case_is_transferred_within_5_working_days_denunciation_law_art_24_2_decree_20_art_9():
    assert transfer_due(date(2026, 8, 17)) == date(2026, 8, 22)  # the worked Saturday counts
    assert transfer_due(date(2026, 2, 12)) == date(2026, 2, 26)  # across Tết


@pytest.mark.parametrize(
    "extensions, due",
    [
        (0, date(2026, 2, 4)),  # 30 days
        (1, date(2026, 3, 6)),  # + 30
        (2, date(2026, 4, 6)),  # + 30 + 30 = Sunday 05/04 → Monday
    ],
)
def test_a_denunciation_is_resolved_in_30_days_plus_30_per_extension_denunciation_law_art_30_1(
    extensions, due
):
    assert denunciation_resolution_due(date(2026, 1, 5), extensions) == due


@pytest.mark.parametrize(
    "complexity, allowed",
    [(NORMAL, 0), (COMPLEX, 1), (VERY_COMPLEX, 2)],
)
def test_a_denunciation_is_extended_once_if_complex_twice_if_very_complex_denunciation_law_art_30(
    complexity, allowed
):
    for extensions in range(allowed):
        check_extension(CaseType.DENUNCIATION, complexity, extensions)
    with pytest.raises(Conflict):
        check_extension(CaseType.DENUNCIATION, complexity, allowed)


@pytest.mark.parametrize("case_type", [*set(CaseType) - {CaseType.DENUNCIATION}, None])
def test_only_a_denunciation_is_extended_denunciation_law_art_30(case_type):
    with pytest.raises(Conflict, match="Chỉ gia hạn giải quyết tố cáo"):
        check_extension(case_type, VERY_COMPLEX, 0)


def test_an_anonymous_filing_cannot_be_triaged_as_a_denunciation_denunciation_law_art_2_23():
    with pytest.raises(Conflict, match="ẩn danh"):
        check_triage(CaseType.DENUNCIATION, anonymous=True)
    check_triage(CaseType.DENUNCIATION, anonymous=False)
    check_triage(CaseType.FEEDBACK, anonymous=True)


# --- Citizen Reception Law 2013 Art 28; Circular 05/2021; Law 10/2022 Art 40.1.c ---


def test_the_citizen_is_told_how_the_case_is_handled_within_10_working_days_reception_law_art_28():
    assert inform_due(date(2026, 2, 10)) == date(2026, 3, 3)  # Tết: 16-20/02 off
    assert inform_due(date(2026, 4, 27)) == date(2026, 5, 13)  # 27/04, 30/04, 01/05 off


def test_feedback_is_answered_within_10_working_days_circular_05_2021():
    # Thursday 20/08: the worked Saturday 22/08 counts; 31/08 and 01-02/09 do not.
    assert feedback_answer_due(date(2026, 8, 20)) == date(2026, 9, 7)


def test_the_inspection_boards_recommendation_is_answered_in_15_days_law_10_2022_art_40_1_c():
    assert recommendation_answer_due(date(2026, 11, 2)) == date(2026, 11, 17)
    assert recommendation_answer_due(date(2026, 2, 1)) == date(2026, 2, 23)  # Tết


# --- which deadlines a case carries ---


def test_a_case_not_yet_triaged_has_only_the_inform_deadline_reception_law_art_28():
    assert domain.deadlines_on_receipt(date(2026, 11, 16)) == {Deadline.INFORM: date(2026, 12, 1)}


@pytest.mark.parametrize(
    "case_type, accepted, kinds",
    [
        (CaseType.FEEDBACK, None, {Deadline.INFORM}),
        (CaseType.FEEDBACK, date(2026, 11, 17), {Deadline.INFORM, Deadline.RESOLVE}),
        (CaseType.COMPLAINT, None, {Deadline.INFORM, Deadline.ACCEPT}),
        (
            CaseType.COMPLAINT,
            date(2026, 11, 17),
            {Deadline.INFORM, Deadline.ACCEPT, Deadline.RESOLVE},
        ),
        (CaseType.DENUNCIATION, None, {Deadline.INFORM, Deadline.ACCEPT}),
        (CaseType.INSPECTION_RECOMMENDATION, None, {Deadline.INFORM, Deadline.RESOLVE}),
    ],
)
def test_each_type_carries_its_deadlines_once_accepted(case_type, accepted, kinds):
    assert set(deadlines_of(case_type, date(2026, 11, 16), accepted)) == kinds


def test_deadlines_of_uses_each_types_rule():
    received, accepted = date(2026, 1, 2), date(2026, 1, 5)

    complaint = deadlines_of(CaseType.COMPLAINT, received, accepted, COMPLEX, remote_area=True)
    denunciation = deadlines_of(CaseType.DENUNCIATION, received, accepted, extensions=1)
    feedback = deadlines_of(CaseType.FEEDBACK, received, accepted)

    assert complaint[Deadline.RESOLVE] == date(2026, 3, 6)  # remote and complex: 60 days
    assert complaint[Deadline.ACCEPT] == complaint_accept_due(received)
    assert denunciation[Deadline.ACCEPT] == denunciation_check_due(received)
    assert denunciation[Deadline.RESOLVE] == date(2026, 3, 6)  # 30 + 30 days
    assert feedback[Deadline.RESOLVE] == feedback_answer_due(accepted)


def test_a_deadline_may_be_lengthened_but_never_shortened_reception_law_art_28():
    running = {Deadline.INFORM: date(2026, 11, 30), Deadline.RESOLVE: date(2026, 12, 16)}

    check_no_deadline_shortened(running, {Deadline.RESOLVE: date(2026, 12, 31)})
    check_no_deadline_shortened(running, {Deadline.RESOLVE: date(2026, 12, 16)})
    check_no_deadline_shortened(running, {})  # a deadline the new type does not have
    with pytest.raises(Conflict, match="16/12/2026 sẽ bị rút ngắn còn 01/12/2026"):
        check_no_deadline_shortened(running, {Deadline.RESOLVE: date(2026, 12, 1)})


# --- met, next, overdue ---


def test_which_deadlines_a_case_has_met():
    assert deadlines_met(S.RECEIVED, transferred_out=False) == set()
    assert deadlines_met(S.ACCEPTED, False) == {Deadline.INFORM, Deadline.ACCEPT}
    assert deadlines_met(S.TRANSFERRED, True) == set(Deadline)
    assert deadlines_met(S.ANSWERED, False) == set(Deadline)
    assert deadlines_met(S.CLOSED, False) == set(Deadline)


def test_the_next_deadline_is_the_earliest_not_met():
    deadlines = {
        Deadline.INFORM: date(2026, 11, 30),
        Deadline.ACCEPT: date(2026, 11, 25),
        Deadline.RESOLVE: date(2026, 12, 16),
    }

    assert next_due(deadlines, set()) == (Deadline.ACCEPT, date(2026, 11, 25))
    assert next_due(deadlines, {Deadline.ACCEPT}) == (Deadline.INFORM, date(2026, 11, 30))
    assert next_due(deadlines, {Deadline.INFORM, Deadline.ACCEPT}) == (
        Deadline.RESOLVE,
        date(2026, 12, 16),
    )
    assert next_due(deadlines, set(Deadline)) is None
    assert next_due({}, set()) is None


def test_a_deadlines_own_day_is_in_time_and_the_day_after_overdue():
    due = date(2026, 11, 30)

    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(days=1))
    assert not is_overdue(None, due)


def test_due_soon_means_today_up_to_3_working_days_ahead():
    today = date(2026, 11, 19)  # Thursday; 3 working days ahead is 25/11 (24/11 off)

    assert is_due_soon(today, today)
    assert is_due_soon(date(2026, 11, 25), today)
    assert not is_due_soon(date(2026, 11, 26), today)
    assert not is_due_soon(date(2026, 11, 18), today)  # overdue, not due soon
    assert not is_due_soon(None, today)


# --- what each status allows ---

ALLOWED = {
    "triage": {S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS},
    "split": {S.RECEIVED},
    "transfer": {S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS},
    "start": {S.ACCEPTED, S.TRANSFERRED},
    "extend": {S.ACCEPTED, S.IN_PROGRESS},
    "answer": {S.ACCEPTED, S.IN_PROGRESS, S.TRANSFERRED},
    "close": {S.ANSWERED, S.TRANSFERRED},
    "rate": {S.ANSWERED},
    "reopen": {S.ANSWERED, S.CLOSED},
}


@pytest.mark.parametrize("action", ALLOWED)
@pytest.mark.parametrize("status", list(CaseStatus))
def test_each_action_is_allowed_only_from_its_statuses(action, status):
    if status in ALLOWED[action]:
        check_action(action, status)
    else:
        with pytest.raises(Conflict, match=domain.REFUSED_VI[action]):
            check_action(action, status)


# --- rating and reopening (Law 10/2022 Art 35.2.a) ---


def test_the_filer_rates_an_answer_once_law_10_2022_art_35_2_a():
    assert may_rate(S.ANSWERED, rated=False)
    assert not may_rate(S.ANSWERED, rated=True)
    assert not may_rate(S.IN_PROGRESS, rated=False)


def test_a_case_is_reopened_once_after_the_filer_was_not_satisfied():
    check_reopen(S.ANSWERED, satisfied=False, reopened=0)
    check_reopen(S.CLOSED, satisfied=False, reopened=0)
    assert may_reopen(S.ANSWERED, False, 0)


@pytest.mark.parametrize(
    "status, satisfied, reopened, refusal",
    [
        (S.ANSWERED, True, 0, "chưa hài lòng"),
        (S.ANSWERED, None, 0, "chưa hài lòng"),  # not rated yet
        (S.ANSWERED, False, 1, "một lần"),
        (S.IN_PROGRESS, False, 0, "Chỉ mở lại được vụ việc đã có trả lời"),
    ],
)
def test_a_case_is_not_reopened_twice_nor_without_a_not_satisfied_rating(
    status, satisfied, reopened, refusal
):
    with pytest.raises(Conflict, match=refusal):
        check_reopen(status, satisfied, reopened)
    assert not may_reopen(status, satisfied, reopened)


# --- figures ---


@pytest.mark.parametrize(
    "histogram, median",
    [
        ({3: 1, 9: 1, 5: 1}, 5),  # odd: the middle one
        ({1: 1, 2: 1, 3: 1, 4: 1}, 2.5),  # even: between the two middle ones
        ({2: 2, 10: 2}, 6),  # the two middle ones in different buckets
        ({4: 3, 20: 1}, 4),  # weighted
        ({2: 1, 5: 0, 8: 1}, 5),  # an empty bucket is not a value
        ({7: 1}, 7),
        ({}, None),
        ({3: 0}, None),
    ],
)
def test_the_median_of_handling_days_is_read_from_their_histogram(histogram, median):
    assert median_of_histogram(histogram) == median


def test_handling_days_are_calendar_days_from_receipt_to_answer():
    assert handling_days(date(2026, 2, 13), date(2026, 2, 23)) == 10


# --- receipt codes ---


def test_a_new_case_code_is_a_valid_case_code_without_ambiguous_characters():
    codes = {new_case_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert TypeAdapter(CaseCode).validate_python(code) == code
        assert set(code[3:]) <= set(CODE_ALPHABET)
        assert not set(code[3:]) & set("01ILOU")
