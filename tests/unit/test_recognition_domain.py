"""The rules of commendation and discipline (services/recognition/domain.py; law
brief §3, §4) at their edges. 2026 days off: Tết 16–20/02, 27/04 (in place of Hùng
Kings' day), 30/04, 01/05, 31/08 (worked on Saturday 22/08), 01–02/09."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.recognition import domain
from services.recognition.domain import (
    DUE_SOON_DAYS,
    CaseFacts,
    achievement_key,
    add_years,
    allowed_forms,
    award,
    check_council_date,
    check_decision,
    check_decision_day,
    check_fighter_quota,
    check_form,
    check_recipient,
    check_rewarded_once,
    check_step,
    check_violation,
    clock,
    council_approves,
    decision_key,
    effect_ends,
    handling_due,
    is_due_soon,
    is_overdue,
    is_recidivism,
    limitation_ends,
    limitation_years,
    paused_days,
    recipient_key,
    rule_set_for,
    status,
)
from services.recognition.rules import Book
from shared.calendar import add_working_days, is_working_day
from shared.contracts.recognition import (
    CaseStatus,
    Clock,
    CouncilVote,
    DisciplineForm,
    Gravity,
    Pause,
    PauseGround,
    Recipient,
    RecipientKind,
    RuleSet,
    RuleVersion,
    SkipGround,
    StaffType,
    Step,
    StepKind,
    Subject,
    Title,
    Violation,
    WithoutLimitation,
)
from shared.errors import Conflict, InvalidInput

F = DisciplineForm
K = RecipientKind
R = RuleSet
SET_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def version(value, valid_from: date) -> RuleVersion:
    return RuleVersion(
        value=value,
        valid_from=valid_from,
        reason="Quyết định của xã",
        set_by="admin",
        set_at=SET_AT,
    )


def person(name="Nguyễn Văn An", unit="Tổ dân phố 3", **extra) -> Recipient:
    return Recipient(kind=K.INDIVIDUAL, name=name, unit=unit, **extra)


def nominated(recipient: Recipient, title: Title, year: int, achievement: str) -> dict:
    """Another standing nomination, as the service passes it."""
    return {
        "achievement_key": achievement_key(recipient, year, achievement),
        "title": title.value,
        "year": year,
    }


def subject(staff_type=StaffType.CIVIL_SERVANT, leader=False, elected=False) -> Subject:
    return Subject(
        full_name="Trần Thị Bình",
        position="Công chức Tư pháp - Hộ tịch",
        staff_type=staff_type,
        leader_or_manager=leader,
        elected=elected,
    )


def violation(
    on: date, gravity=Gravity.OTHER, without: WithoutLimitation | None = None
) -> Violation:
    return Violation(
        description="Vi phạm quy định về hộ tịch",
        committed_on=on,
        gravity=gravity,
        without_limitation=without,
    )


def council(held_on: date, notice_sent_on: date | None = None, **changes) -> Step:
    fields = {
        "kind": StepKind.COUNCIL,
        "held_on": held_on,
        "members": 5,
        "present": 3,
        "chair_present": True,
        "secretary_present": True,
        "proposed_form": F.WARNING,
        "ballot_for": 2,
        "ballot_against": 1,
        "notice_sent_on": notice_sent_on or held_on - timedelta(days=14),
    }
    return Step(**(fields | changes))


def held(kind: StepKind, on: date) -> Step:
    return Step(kind=kind, held_on=on)


def pause(starts: date, ends: date | None = None) -> Pause:
    return Pause(ground=PauseGround.ILLNESS, starts_on=starts, ends_on=ends)


# =================================================================================
# Commendations (law brief §3)
# =================================================================================


WHO_MAY_RECEIVE = {
    Title.CERTIFICATE_OF_MERIT: {K.INDIVIDUAL, K.HOUSEHOLD, K.COLLECTIVE},
    Title.ADVANCED_WORKER: {K.INDIVIDUAL},
    Title.GRASSROOTS_EMULATION_FIGHTER: {K.INDIVIDUAL},
    Title.CULTURED_FAMILY: {K.HOUSEHOLD},
    Title.CULTURED_VILLAGE: {K.COLLECTIVE},
    Title.ADVANCED_COLLECTIVE: {K.COLLECTIVE},
    Title.OUTSTANDING_COLLECTIVE: {K.COLLECTIVE},
}


@pytest.mark.parametrize("title", list(Title))
@pytest.mark.parametrize("kind", list(K))
def test_each_title_is_for_its_kind_of_recipient_law_06_art_80(title, kind):
    recipient = Recipient(kind=kind, name="Tổ dân phố 3", unit="Phường Hương An")
    if kind in WHO_MAY_RECEIVE[title]:
        check_recipient(title, recipient)
    else:
        with pytest.raises(InvalidInput) as refused:
            check_recipient(title, recipient)
        assert "Điều 80" in refused.value.fields["recipient.kind"]


# --- one achievement is rewarded once (Law 06/2022 Art 5) ---


@pytest.mark.parametrize(
    "typed",
    [
        "hoan thanh XUAT SAC nhiem vu, nam 2025",  # no accents, other case, a comma
        "Hoàn thành xuất sắc  nhiệm-vụ năm 2025!",  # double space, hyphen, mark
        "HOÀN THÀNH XUẤT SẮC NHIỆM VỤ NĂM 2025",
        "Hoa\u0300n tha\u0300nh xuâ\u0301t să\u0301c nhiê\u0323m vu\u0323 năm 2025",  # NFD
    ],
)
def test_the_same_achievement_typed_differently_is_the_same_achievement(typed):
    an = person()
    others = [
        nominated(an, Title.CERTIFICATE_OF_MERIT, 2025, "Hoàn thành xuất sắc nhiệm vụ năm 2025.")
    ]
    with pytest.raises(Conflict, match="Điều 5"):
        check_rewarded_once(Title.ADVANCED_WORKER, 2025, typed, others, an)


def test_d_with_stroke_is_d_whatever_its_case():
    an = person()
    others = [nominated(an, Title.CERTIFICATE_OF_MERIT, 2025, "Đạt giải nhất hội thi")]
    with pytest.raises(Conflict):
        check_rewarded_once(Title.ADVANCED_WORKER, 2025, "dat giai nhat hoi thi", others, an)
    assert recipient_key(person(name="ĐỖ VĂN ĐÔNG")) == recipient_key(person(name="do van dong"))


def test_the_same_recipient_typed_differently_is_the_same_recipient():
    assert recipient_key(person("Nguyễn  Văn An", "Tổ dân phố 3")) == recipient_key(
        person("nguyen van an", "TỔ DÂN PHỐ 3.")
    )
    assert recipient_key(person(unit="Tổ dân phố 3")) != recipient_key(person(unit="Tổ dân phố 4"))
    # an official is known by account, a household by code, however the name is typed
    assert recipient_key(person("An", username="an.nv")) == recipient_key(
        person("Nguyễn Văn An", username="an.nv")
    )
    household = Recipient(kind=K.HOUSEHOLD, name="Lê Văn Cường", unit="Thôn 2", household="AB23")
    assert recipient_key(household) == "household:AB23"


def test_another_recipients_same_achievement_is_another_achievement():
    # `others` are the recipient's own nominations; another's has another key
    assert achievement_key(person("Lê Thị Hoa"), 2025, "Hoàn thành tốt") != achievement_key(
        person(), 2025, "Hoàn thành tốt"
    )
    assert achievement_key(person(), 2025, "Hoàn thành tốt") != achievement_key(
        person(), 2024, "Hoàn thành tốt"
    )


def test_the_same_title_in_the_same_year_is_refused_for_another_achievement():
    an = person()
    others = [nominated(an, Title.ADVANCED_WORKER, 2025, "Hoàn thành tốt nhiệm vụ")]
    with pytest.raises(Conflict, match="một lần mỗi năm") as refused:
        check_rewarded_once(Title.ADVANCED_WORKER, 2025, "Sáng kiến số hóa hộ tịch", others, an)
    assert "Điều 5" in str(refused.value)


def test_the_same_title_in_another_year_is_fine():
    an = person()
    others = [
        nominated(an, Title.ADVANCED_WORKER, 2024, "Hoàn thành tốt nhiệm vụ"),
        nominated(an, Title.CERTIFICATE_OF_MERIT, 2025, "Hiến đất làm đường"),
    ]
    check_rewarded_once(Title.ADVANCED_WORKER, 2025, "Hoàn thành tốt nhiệm vụ", others, an)
    check_rewarded_once(Title.ADVANCED_WORKER, 2025, "Hiến đất mở rộng ngõ", [], an)


# --- Chiến sĩ thi đua cơ sở: at most 15% of the unit's Lao động tiên tiến ---


@pytest.mark.parametrize(
    "advanced, fighters, accepted",
    [
        (20, 0, True),
        (20, 2, True),  # the 3rd: 3 × 100 = 20 × 15
        (20, 3, False),  # the 4th
        (21, 3, False),  # 21 × 15% = 3.15: still 3
        (27, 4, False),  # 27 × 15% = 4.05: the 5th is over
        (7, 0, True),  # 7 × 15% = 1.05: one
        (7, 1, False),
        (6, 0, False),  # 6 × 15% = 0.9: none
        (0, 0, False),
    ],
)
def test_the_fighters_are_at_most_the_cap_of_the_advanced_workers(advanced, fighters, accepted):
    if accepted:
        check_fighter_quota(True, advanced, fighters, 15)
    else:
        with pytest.raises(Conflict, match="15%"):
            check_fighter_quota(True, advanced, fighters, 15)


def test_the_quota_refusal_says_how_many_are_allowed():
    with pytest.raises(Conflict) as refused:
        check_fighter_quota(True, 20, 3, 15)
    assert "tối đa 3" in str(refused.value) and "98/2023" in str(refused.value)
    with pytest.raises(Conflict, match="tối đa 0"):
        check_fighter_quota(True, 6, 0, 15)


def test_a_fighter_needs_lao_dong_tien_tien_of_the_same_year():
    with pytest.raises(InvalidInput) as refused:
        check_fighter_quota(False, 100, 0, 15)
    assert "Lao động tiên tiến" in refused.value.fields["title"]


def test_the_cap_is_the_books():
    check_fighter_quota(True, 20, 3, 20)  # a commune rule of 20%: the 4th is fine
    with pytest.raises(Conflict):
        check_fighter_quota(True, 20, 4, 20)


# --- the award: a multiple of the base salary in force on the decision day ---


@pytest.mark.parametrize(
    "multiple, base, amount",
    [
        (0.3, 2_340_000, 702_000),  # Lao động tiên tiến
        (1.5, 2_340_000, 3_510_000),  # Tập thể lao động xuất sắc
        (0.15, 1_800_000, 270_000),
        (1.0, 2_340_000, 2_340_000),
        (0.8, 2_340_000, 1_872_000),
        (0.1, 2_340_000, 234_000),  # a float that is not exact in binary
        (0.5, 1_000_001, 500_001),  # 500,000.5: half up
        (0.3, 1_000_001, 300_000),  # 300,000.3: down
        (0.7, 1_000_001, 700_001),  # 700,000.7: up
    ],
)
def test_the_award_is_the_multiple_of_the_base_salary_to_the_dong(multiple, base, amount):
    given = award(multiple, base)
    assert (given.multiple, given.base_salary, given.amount) == (multiple, base, amount)


def award_on(book: Book, title: Title, day: date):
    """The award as the service makes it: the rules in force on the decision day."""
    return award(
        book.needed(f"multiple.{title.value}", day, "decided_on"),
        book.needed("base_salary", day, "decided_on"),
    )


def test_the_base_salary_is_the_one_in_force_on_the_decision_day():
    book = Book({"multiple.giay_khen": [version(0.15, date(2024, 1, 1))]})
    assert award_on(book, Title.CERTIFICATE_OF_MERIT, date(2024, 6, 30)).amount == 270_000
    assert award_on(book, Title.CERTIFICATE_OF_MERIT, date(2024, 7, 1)).amount == 351_000
    assert award_on(Book({}), Title.ADVANCED_WORKER, date(2025, 7, 1)).amount == 702_000


def test_an_award_whose_multiple_is_unset_is_refused_until_the_commune_sets_it():
    for title, name in (
        (Title.CERTIFICATE_OF_MERIT, "Giấy khen"),
        (Title.CULTURED_FAMILY, "Gia đình văn hóa"),
    ):
        with pytest.raises(InvalidInput) as refused:
            award_on(Book({}), title, date(2026, 1, 15))
        assert name in refused.value.fields["decided_on"]
    book = Book({"multiple.gia_dinh_van_hoa": [version(0.1, date(2026, 1, 1))]})
    assert award_on(book, Title.CULTURED_FAMILY, date(2026, 1, 15)).amount == 234_000


def test_a_title_decided_before_decree_152_waits_for_the_communes_multiple():
    """The defaults start with Decree 152/2025 (1 Jul 2025); earlier multiples are not
    in the law brief, so a decision before that day is refused, naming the rule, until
    the commune enters the multiple then in force."""
    with pytest.raises(InvalidInput) as refused:
        award_on(Book({}), Title.ADVANCED_WORKER, date(2025, 1, 15))
    assert "Lao động tiên tiến" in refused.value.fields["decided_on"]
    book = Book({"multiple.lao_dong_tien_tien": [version(0.3, date(2023, 10, 10))]})
    assert award_on(book, Title.ADVANCED_WORKER, date(2025, 1, 15)).amount == 702_000


# --- the commendation council ---


def vote(members: int, present: int, votes_for: int) -> CouncilVote:
    return CouncilVote(
        met_on=date(2026, 5, 20),
        members=members,
        present=present,
        votes_for=votes_for,
        votes_against=present - votes_for,
    )


@pytest.mark.parametrize(
    "members, present, votes_for, approves",
    [
        (6, 6, 3, False),  # exactly half
        (6, 6, 4, True),  # just above
        (7, 7, 3, False),
        (7, 7, 4, True),  # 4/7 > half
        (9, 5, 4, False),  # half of the members, not of those present
        (9, 5, 5, True),
        (3, 3, 2, True),
    ],
)
def test_the_council_agrees_with_more_than_half_of_its_members(
    members, present, votes_for, approves
):
    assert council_approves(vote(members, present, votes_for), 50) is approves


def test_the_councils_pass_percent_is_the_books():
    assert council_approves(vote(6, 6, 4), 66) is True  # 400 > 396
    assert council_approves(vote(6, 6, 4), 67) is False  # 400 < 402
    assert council_approves(vote(4, 4, 3), 75) is False  # exactly 75%


def test_the_council_meets_only_after_the_last_comment_day():
    last_comment_day, today = date(2026, 5, 15), date(2026, 5, 20)
    with pytest.raises(InvalidInput) as refused:
        check_council_date(last_comment_day, last_comment_day, today)
    assert "15/05/2026" in refused.value.fields["met_on"]
    with pytest.raises(InvalidInput):
        check_council_date(date(2026, 5, 10), last_comment_day, today)
    check_council_date(date(2026, 5, 16), last_comment_day, today)
    check_council_date(today, last_comment_day, today)


def test_the_council_does_not_meet_before_the_list_is_posted_nor_in_the_future():
    with pytest.raises(Conflict, match="niêm yết"):
        check_council_date(date(2026, 5, 16), None, date(2026, 5, 20))
    with pytest.raises(InvalidInput) as refused:
        check_council_date(date(2026, 5, 21), date(2026, 5, 15), date(2026, 5, 20))
    assert "hôm nay" in refused.value.fields["met_on"]


def test_the_decision_comes_on_or_after_the_council_and_not_in_the_future():
    met, today = date(2026, 5, 16), date(2026, 5, 20)
    check_decision_day(met, met, today)
    check_decision_day(today, met, today)
    with pytest.raises(InvalidInput) as refused:
        check_decision_day(date(2026, 5, 15), met, today)
    assert "16/05/2026" in refused.value.fields["decided_on"]
    with pytest.raises(InvalidInput):
        check_decision_day(date(2026, 5, 21), met, today)


def test_a_decision_number_is_the_same_however_typed_for_its_authority_and_year():
    authority = "Chủ tịch Ủy ban nhân dân phường Hương An"
    key = decision_key(authority, 2026, "25/QĐ-UBND")
    assert decision_key(authority, 2026, "25/qđ-ubnd ") == key
    assert decision_key(authority, 2026, " 25/QD-UBND") == key
    assert decision_key(authority.upper(), 2026, "25/QĐ-UBND") == key
    assert decision_key(authority, 2025, "25/QĐ-UBND") != key  # numbered from 1 each year
    assert decision_key(authority, 2026, "26/QĐ-UBND") != key
    assert decision_key("Chủ tịch UBND xã Tân Lập", 2026, "25/QĐ-UBND") != key


def test_a_duplicate_number_names_the_decree_on_clerical_work():
    refusal = domain.duplicate_number("25/QĐ-UBND", "Chủ tịch UBND phường", 2026)
    assert isinstance(refusal, Conflict) and "30/2020" in str(refusal)


# =================================================================================
# Discipline (law brief §4)
# =================================================================================


@pytest.mark.parametrize(
    "staff_type, day, rule_set",
    [
        (StaffType.CIVIL_SERVANT, date(2025, 6, 30), R.DECREE_112_71),
        (StaffType.CIVIL_SERVANT, date(2025, 7, 1), R.DECREE_172),
        (StaffType.CADRE, date(2025, 6, 30), R.DECREE_112_71),
        (StaffType.CADRE, date(2025, 7, 1), R.DECREE_172),
        (StaffType.CADRE, date(2026, 7, 1), R.DECREE_172),  # never 234
        (StaffType.PUBLIC_EMPLOYEE, date(2025, 7, 1), R.DECREE_112_71),  # not 172
        (StaffType.PUBLIC_EMPLOYEE, date(2026, 6, 30), R.DECREE_112_71),
        (StaffType.PUBLIC_EMPLOYEE, date(2026, 7, 1), R.DECREE_234),
    ],
)
def test_the_rule_set_is_chosen_by_staff_type_and_the_violations_day(staff_type, day, rule_set):
    assert rule_set_for(staff_type, day) == rule_set


@pytest.mark.parametrize(
    "rule_set, who, forms",
    [
        # Decree 112/2020: the civil servant's salary step only without a post,
        # demotion and removal only with one
        (
            R.DECREE_112_71,
            subject(StaffType.CIVIL_SERVANT),
            [F.REPRIMAND, F.WARNING, F.SALARY_STEP_REDUCTION, F.FORCED_DISMISSAL],
        ),
        (
            R.DECREE_112_71,
            subject(StaffType.CIVIL_SERVANT, leader=True),
            [F.REPRIMAND, F.WARNING, F.DEMOTION, F.REMOVAL, F.FORCED_DISMISSAL],
        ),
        # Decree 172/2025: no demotion, no salary step
        (
            R.DECREE_172,
            subject(StaffType.CIVIL_SERVANT),
            [F.REPRIMAND, F.WARNING, F.FORCED_DISMISSAL],
        ),
        (
            R.DECREE_172,
            subject(StaffType.CIVIL_SERVANT, leader=True),
            [F.REPRIMAND, F.WARNING, F.REMOVAL, F.FORCED_DISMISSAL],
        ),
        # cadres: bãi nhiệm only from an elected office, removal only from a post
        (R.DECREE_172, subject(StaffType.CADRE), [F.REPRIMAND, F.WARNING]),
        (
            R.DECREE_172,
            subject(StaffType.CADRE, elected=True),
            [F.REPRIMAND, F.WARNING, F.DISMISSAL_FROM_ELECTED_OFFICE],
        ),
        (R.DECREE_172, subject(StaffType.CADRE, leader=True), [F.REPRIMAND, F.WARNING, F.REMOVAL]),
        (
            R.DECREE_112_71,
            subject(StaffType.CADRE, leader=True, elected=True),
            [F.REPRIMAND, F.WARNING, F.REMOVAL, F.DISMISSAL_FROM_ELECTED_OFFICE],
        ),
        # public employees: removal only for managers, under 112 and 234
        (
            R.DECREE_112_71,
            subject(StaffType.PUBLIC_EMPLOYEE),
            [F.REPRIMAND, F.WARNING, F.FORCED_DISMISSAL],
        ),
        (
            R.DECREE_234,
            subject(StaffType.PUBLIC_EMPLOYEE, leader=True),
            [F.REPRIMAND, F.WARNING, F.REMOVAL, F.FORCED_DISMISSAL],
        ),
    ],
)
def test_the_forms_allowed_by_rule_set_staff_type_and_post(rule_set, who, forms):
    assert allowed_forms(rule_set, who) == forms


@pytest.mark.parametrize(
    "staff_type, leader, elected",
    [
        (s, leader, elected)
        for s in StaffType
        for leader in (False, True)
        for elected in (False, True)
    ],
)
def test_no_demotion_or_salary_step_under_decree_172_or_234(staff_type, leader, elected):
    rule_set = rule_set_for(staff_type, date(2026, 7, 1))
    forms = allowed_forms(rule_set, subject(staff_type, leader, elected))
    assert F.DEMOTION not in forms and F.SALARY_STEP_REDUCTION not in forms


@pytest.mark.parametrize(
    "rule_set, who, form",
    [
        (R.DECREE_172, subject(StaffType.CIVIL_SERVANT), F.SALARY_STEP_REDUCTION),
        (R.DECREE_172, subject(StaffType.CIVIL_SERVANT, leader=True), F.DEMOTION),
        (R.DECREE_172, subject(StaffType.CIVIL_SERVANT), F.REMOVAL),
        (R.DECREE_172, subject(StaffType.CADRE, leader=True), F.DISMISSAL_FROM_ELECTED_OFFICE),
        (R.DECREE_112_71, subject(StaffType.CIVIL_SERVANT, leader=True), F.SALARY_STEP_REDUCTION),
        (R.DECREE_112_71, subject(StaffType.CIVIL_SERVANT), F.DEMOTION),
        (R.DECREE_112_71, subject(StaffType.PUBLIC_EMPLOYEE), F.REMOVAL),
        (R.DECREE_234, subject(StaffType.PUBLIC_EMPLOYEE, leader=True), F.DEMOTION),
    ],
)
def test_a_form_the_rule_set_does_not_allow_is_refused_naming_the_rule_set(rule_set, who, form):
    with pytest.raises(InvalidInput) as refused:
        check_form(rule_set, who, form)
    message = refused.value.fields["decision.form"]
    assert {R.DECREE_112_71: "112/2020", R.DECREE_172: "172/2025", R.DECREE_234: "234/2026"}[
        rule_set
    ] in message


def test_an_allowed_form_passes():
    check_form(R.DECREE_112_71, subject(StaffType.CIVIL_SERVANT), F.SALARY_STEP_REDUCTION)
    check_form(
        R.DECREE_172, subject(StaffType.CADRE, elected=True), F.DISMISSAL_FROM_ELECTED_OFFICE
    )
    check_form(R.DECREE_234, subject(StaffType.PUBLIC_EMPLOYEE), F.FORCED_DISMISSAL)


# --- the limitation period ---


def test_five_years_from_10_march_2020_end_on_10_march_2025():
    assert limitation_ends(violation(date(2020, 3, 10)), [], 5) == date(2025, 3, 10)


def test_29_february_plus_five_years_is_28_february():
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert limitation_ends(violation(date(2024, 2, 29)), [], 5) == date(2029, 2, 28)
    assert limitation_ends(violation(date(2024, 2, 29)), [], 4) == date(2028, 2, 29)


@pytest.mark.parametrize("without", list(WithoutLimitation))
def test_a_violation_no_limitation_protects_has_no_end(without):
    assert limitation_ends(violation(date(2010, 1, 1), without=without), [], 5) is None


def test_no_years_means_no_end():
    assert limitation_ends(violation(date(2020, 3, 10)), [], None) is None


@pytest.mark.parametrize(
    "later, ends",
    [
        ([date(2024, 1, 1)], date(2029, 1, 1)),  # within: restarts from the new one
        ([date(2025, 3, 10)], date(2030, 3, 10)),  # on the last day: still within
        ([date(2025, 3, 11)], date(2025, 3, 10)),  # the day after: too late to restart
        ([date(2019, 1, 1)], date(2025, 3, 10)),  # before the violation: nothing
        ([date(2020, 3, 10)], date(2025, 3, 10)),  # the same day: not a later one
        ([date(2028, 6, 1), date(2024, 1, 1)], date(2033, 6, 1)),  # in a restarted period
        ([date(2029, 1, 2), date(2024, 1, 1)], date(2029, 1, 1)),  # after the restarted one
    ],
)
def test_a_later_violation_within_the_period_restarts_the_clock(later, ends):
    assert limitation_ends(violation(date(2020, 3, 10)), later, 5) == ends


def test_a_decision_on_the_last_day_of_the_limitation_is_accepted_the_next_day_refused():
    wrong = violation(date(2020, 3, 10))
    ends = limitation_ends(wrong, [], 5)
    check_decision(wrong, ends, date(2025, 3, 10), [], date(2025, 6, 1))
    with pytest.raises(Conflict, match="10/03/2025"):
        check_decision(wrong, ends, date(2025, 3, 11), [], date(2025, 6, 1))


@pytest.mark.parametrize(
    "rule_set, day, minor, other",
    [
        (R.DECREE_112_71, date(2025, 6, 30), 2, 5),
        (R.DECREE_172, date(2025, 7, 1), 5, 10),
        (R.DECREE_234, date(2026, 7, 1), 5, 10),
    ],
)
def test_the_limitation_years_come_from_the_book(rule_set, day, minor, other):
    book = Book({})
    assert limitation_years(book, rule_set, violation(day, Gravity.REPRIMAND_LEVEL)) == minor
    assert limitation_years(book, rule_set, violation(day, Gravity.OTHER)) == other


def test_a_communes_limitation_decides_from_its_day():
    book = Book({"limitation.decree_172_2025.other": [version(8, date(2026, 1, 1))]})
    assert limitation_years(book, R.DECREE_172, violation(date(2025, 12, 31))) == 10
    assert limitation_years(book, R.DECREE_172, violation(date(2026, 1, 1))) == 8


def test_a_limitation_without_a_rule_for_the_day_is_refused():
    with pytest.raises(InvalidInput) as refused:
        limitation_years(Book({}), R.DECREE_172, violation(date(2025, 6, 30)))
    assert "172/2025" in refused.value.fields["violation.committed_on"]


# --- the handling deadline and its pauses ---


@pytest.mark.parametrize(
    "pauses, today, days",
    [
        ([], date(2026, 3, 1), 0),
        ([pause(date(2026, 2, 10), date(2026, 2, 25))], date(2026, 3, 1), 16),  # inclusive
        ([pause(date(2026, 3, 1), date(2026, 3, 1))], date(2026, 3, 1), 1),  # one day
        (
            [
                pause(date(2026, 3, 1), date(2026, 3, 10)),
                pause(date(2026, 3, 5), date(2026, 3, 15)),
            ],
            date(2026, 4, 1),
            15,  # overlaps counted once
        ),
        (
            [
                pause(date(2026, 3, 1), date(2026, 3, 10)),
                pause(date(2026, 3, 1), date(2026, 3, 10)),
            ],
            date(2026, 4, 1),
            10,  # the same pause twice
        ),
        (
            [
                pause(date(2026, 3, 1), date(2026, 3, 10)),
                pause(date(2026, 3, 11), date(2026, 3, 20)),
            ],
            date(2026, 4, 1),
            20,  # back to back
        ),
        ([pause(date(2026, 3, 20))], date(2026, 3, 25), 6),  # open: to today, inclusive
        ([pause(date(2026, 3, 25))], date(2026, 3, 25), 1),  # open since today
        ([pause(date(2026, 3, 26))], date(2026, 3, 25), 0),  # open, not begun
        (
            [pause(date(2026, 3, 1), date(2026, 3, 10)), pause(date(2026, 3, 8))],
            date(2026, 3, 12),
            12,  # an open pause overlapping an ended one
        ),
    ],
)
def test_paused_days_are_calendar_days_inclusive_and_counted_once(pauses, today, days):
    """(The case was discovered on 01/01/2026, before every pause.)"""
    assert paused_days(pauses, date(2026, 1, 1), today) == days


@pytest.mark.parametrize(
    "days, due",
    [(90, date(2026, 4, 2)), (150, date(2026, 6, 1))],
)
def test_the_handling_deadline_is_90_or_150_calendar_days_from_discovery(days, due):
    assert handling_due(date(2026, 1, 2), days, [], date(2026, 1, 2)) == due


def test_a_pause_over_tet_adds_exactly_its_calendar_days():
    tet = [pause(date(2026, 2, 10), date(2026, 2, 25))]  # 16 days, Tết 16–20/02 within
    assert not any(is_working_day(date(2026, 2, d)) for d in range(16, 23))
    assert handling_due(date(2026, 1, 2), 90, tet, date(2026, 3, 1)) == date(2026, 4, 18)
    assert handling_due(date(2026, 1, 2), 90, tet, date(2026, 3, 1)) - handling_due(
        date(2026, 1, 2), 90, [], date(2026, 3, 1)
    ) == timedelta(days=16)


def test_the_deadline_falls_on_a_holiday_as_it_is():
    # 90 calendar days from 31/01/2026 is 01/05/2026, a holiday: not moved
    assert handling_due(date(2026, 1, 31), 90, [], date(2026, 2, 1)) == date(2026, 5, 1)


def test_an_open_pause_moves_the_deadline_each_day_it_lasts():
    ill = [pause(date(2026, 3, 1))]
    due_3 = handling_due(date(2026, 1, 2), 90, ill, date(2026, 3, 3))
    due_4 = handling_due(date(2026, 1, 2), 90, ill, date(2026, 3, 4))
    assert due_3 == date(2026, 4, 5) and due_4 == date(2026, 4, 6)


# --- the decision's effect and recidivism ---


@pytest.mark.parametrize(
    "decided, months, ends",
    [
        (date(2026, 1, 31), 12, date(2027, 1, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # relativedelta: the month's last day
        (date(2026, 1, 31), 13, date(2027, 2, 28)),  # 31/01 + 13 months: 28/02
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
    ],
)
def test_the_effect_ends_months_after_the_decision_as_relativedelta_gives(decided, months, ends):
    assert effect_ends(decided, months) == ends


def test_the_decision_lapses_the_day_after_its_last_day_in_effect():
    decided, ends = date(2026, 1, 31), date(2027, 1, 31)
    assert status(decided, ends, False, date(2027, 1, 31)) == CaseStatus.DECIDED
    assert status(decided, ends, False, date(2027, 2, 1)) == CaseStatus.LAPSED
    assert status(decided, ends, False, decided) == CaseStatus.DECIDED
    assert status(None, None, False, decided) == CaseStatus.OPEN
    assert status(None, None, True, decided) == CaseStatus.CLOSED
    assert status(decided, ends, True, decided) == CaseStatus.CLOSED


@pytest.mark.parametrize(
    "committed, repeat",
    [
        (date(2026, 1, 9), False),  # the day before the decision
        (date(2026, 1, 10), True),  # the decision day
        (date(2026, 7, 1), True),
        (date(2027, 1, 10), True),  # the last day in effect
        (date(2027, 1, 11), False),  # the day after: over
    ],
)
def test_recidivism_is_a_violation_while_an_earlier_decision_is_in_effect(committed, repeat):
    earlier = [(date(2026, 1, 10), date(2027, 1, 10))]  # decided, last day in effect
    assert is_recidivism(committed, earlier) is repeat


def test_no_earlier_decision_no_recidivism():
    assert is_recidivism(date(2026, 7, 1), []) is False
    two = [(date(2024, 1, 1), date(2025, 1, 1)), (date(2026, 1, 1), date(2027, 1, 1))]
    assert is_recidivism(date(2025, 6, 1), two) is False
    assert is_recidivism(date(2026, 6, 1), two) is True


# --- the steps of the procedure ---


BOOK = Book({})
TODAY = date(2026, 9, 30)


def test_a_council_of_3_or_5_with_3_present_including_chair_and_secretary_is_accepted():
    check_step(council(date(2026, 5, 7)), [], BOOK, R.DECREE_172, TODAY)
    check_step(council(date(2026, 5, 7), members=3), [], BOOK, R.DECREE_172, TODAY)
    check_step(council(date(2026, 5, 7), members=5, present=5), [], BOOK, R.DECREE_172, TODAY)
    check_step(
        council(date(2026, 5, 7), ballot_for=3, ballot_against=0), [], BOOK, R.DECREE_172, TODAY
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"members": 4}, "step.members"),
        ({"members": None}, "step.members"),
        ({"present": 2, "ballot_for": 1}, "step.present"),
        ({"present": None, "ballot_for": None, "ballot_against": None}, "step.present"),
        ({"chair_present": False}, "step.present"),
        ({"secretary_present": False}, "step.present"),
        ({"members": 3, "present": 4}, "step.present"),
        ({"ballot_for": 3, "ballot_against": 1}, "step.ballot_for"),  # 4 ballots, 3 present
        ({"ballot_for": None}, "step.ballot_for"),
        ({"proposed_form": None}, "step.ballot_for"),
    ],
)
def test_a_council_that_breaks_a_rule_is_refused(changes, field):
    with pytest.raises(InvalidInput) as refused:
        check_step(council(date(2026, 5, 7), **changes), [], BOOK, R.DECREE_172, TODAY)
    assert field in refused.value.fields


def test_the_council_rules_name_the_decree():
    with pytest.raises(InvalidInput) as refused:
        check_step(council(date(2026, 5, 7), members=4), [], BOOK, R.DECREE_112_71, TODAY)
    assert "112/2020" in refused.value.fields["step.members"]


@pytest.mark.parametrize(
    "meeting, last_notice_day",
    [
        # Thursday 07/05/2026: 27/04, 30/04, 01/05 off; 5 working days back is 28/04
        (date(2026, 5, 7), date(2026, 4, 28)),
        # Tuesday 08/09/2026: 31/08, 01/09, 02/09 off; 5 working days back is 27/08
        (date(2026, 9, 8), date(2026, 8, 27)),
    ],
)
def test_the_summons_goes_at_least_5_working_days_before_the_council(meeting, last_notice_day):
    assert add_working_days(last_notice_day, 5) == meeting
    assert add_working_days(last_notice_day + timedelta(days=1), 5) > meeting
    for rule_set in (R.DECREE_112_71, R.DECREE_172):
        check_step(council(meeting, last_notice_day), [], BOOK, rule_set, TODAY)
        check_step(council(meeting, last_notice_day - timedelta(days=1)), [], BOOK, rule_set, TODAY)
        with pytest.raises(InvalidInput) as refused:
            check_step(
                council(meeting, last_notice_day + timedelta(days=1)), [], BOOK, rule_set, TODAY
            )
        message = refused.value.fields["step.notice_sent_on"]
        assert "5 ngày làm việc" in message
        assert {R.DECREE_112_71: "112/2020", R.DECREE_172: "172/2025"}[rule_set] in message


def test_a_summons_sent_on_the_meeting_day_or_after_or_never_is_refused():
    meeting = date(2026, 5, 7)
    for sent in (meeting, meeting + timedelta(days=1)):
        with pytest.raises(InvalidInput):
            check_step(council(meeting, sent), [], BOOK, R.DECREE_172, TODAY)
    no_summons = council(meeting).model_copy(update={"notice_sent_on": None})
    with pytest.raises(InvalidInput) as refused:
        check_step(no_summons, [], BOOK, R.DECREE_172, TODAY)
    assert "step.notice_sent_on" in refused.value.fields


def test_the_summons_days_are_the_books():
    book = Book({"council_notice_wd.decree_172_2025": [version(7, date(2026, 1, 1))]})
    meeting = date(2026, 5, 7)
    sent = date(2026, 4, 24)  # Friday: 28, 29/04, 04–07/05 is 6; 7 needs 23/04
    assert add_working_days(date(2026, 4, 23), 7) == meeting
    with pytest.raises(InvalidInput) as refused:
        check_step(council(meeting, sent), [], book, R.DECREE_172, TODAY)
    assert "7 ngày làm việc" in refused.value.fields["step.notice_sent_on"]
    check_step(council(meeting, date(2026, 4, 23)), [], book, R.DECREE_172, TODAY)
    check_step(council(meeting, sent), [], book, R.DECREE_112_71, TODAY)  # 112 keeps 5


def test_a_step_in_the_future_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_step(
            held(StepKind.REVIEW_MEETING, TODAY + timedelta(days=1)), [], BOOK, R.DECREE_172, TODAY
        )
    assert "step.held_on" in refused.value.fields
    check_step(held(StepKind.REVIEW_MEETING, TODAY), [], BOOK, R.DECREE_172, TODAY)


@pytest.mark.parametrize("ground", list(SkipGround))
def test_the_review_or_the_council_may_be_skipped_on_a_lawful_ground(ground):
    for kind in (StepKind.REVIEW_MEETING, StepKind.COUNCIL):
        check_step(Step(kind=kind, skipped=ground), [], BOOK, R.DECREE_172, TODAY)


def test_the_recommendation_may_not_be_skipped():
    with pytest.raises(InvalidInput) as refused:
        check_step(
            Step(kind=StepKind.RECOMMENDATION, skipped=SkipGround.CONVICTION),
            [],
            BOOK,
            R.DECREE_172,
            TODAY,
        )
    assert "step.skipped" in refused.value.fields


def test_a_step_is_held_on_a_day_or_skipped_on_a_ground_never_both_nor_neither():
    with pytest.raises(ValueError):
        Step(kind=StepKind.COUNCIL)
    with pytest.raises(ValueError):
        Step(kind=StepKind.COUNCIL, held_on=TODAY, skipped=SkipGround.CONVICTION)


# --- the decision ---


def test_a_decision_before_the_violation_is_refused_on_its_day_accepted():
    wrong = violation(date(2026, 3, 2))
    with pytest.raises(InvalidInput) as refused:
        check_decision(wrong, None, date(2026, 3, 1), [], TODAY)
    assert "02/03/2026" in refused.value.fields["decision.decided_on"]
    check_decision(wrong, None, date(2026, 3, 2), [], TODAY)


def test_a_decision_before_the_last_held_step_is_refused():
    wrong = violation(date(2026, 3, 2))
    steps = [
        held(StepKind.REVIEW_MEETING, date(2026, 4, 6)),
        council(date(2026, 5, 5)),
        held(StepKind.RECOMMENDATION, date(2026, 5, 12)),
        Step(kind=StepKind.COUNCIL, skipped=SkipGround.CONVICTION),  # no day: ignored
    ]
    with pytest.raises(InvalidInput) as refused:
        check_decision(wrong, None, date(2026, 5, 11), steps, TODAY)
    assert "12/05/2026" in refused.value.fields["decision.decided_on"]
    check_decision(wrong, None, date(2026, 5, 12), steps, TODAY)


def test_a_decision_in_the_future_is_refused():
    with pytest.raises(InvalidInput):
        check_decision(violation(date(2026, 3, 2)), None, TODAY + timedelta(1), [], TODAY)


def test_without_limitation_a_decision_years_later_is_accepted():
    wrong = violation(date(2005, 1, 1), without=WithoutLimitation.FAKE_DIPLOMA)
    check_decision(wrong, limitation_ends(wrong, [], 5), date(2026, 1, 1), [], TODAY)


# --- the case's clock ---


def facts(**changes) -> CaseFacts:
    fields = {
        "subject": subject(StaffType.CIVIL_SERVANT),
        "violation": violation(date(2026, 3, 2)),
        "later_violations": [],
        "discovered_on": date(2026, 3, 2),
        "complex": False,
        "steps": [],
        "pauses": [],
        "decided_on": None,
        "closed": False,
        "earlier_decisions": [],
    }
    return CaseFacts(**(fields | changes))


REVIEW = held(StepKind.REVIEW_MEETING, date(2026, 4, 6))  # Monday
COUNCIL = council(date(2026, 5, 5))  # Tuesday
RECOMMENDATION = held(StepKind.RECOMMENDATION, date(2026, 5, 12))
DUE = date(2026, 5, 31)  # 02/03/2026 + 90 days


def test_the_clock_of_a_new_case():
    got = clock(facts(), BOOK, date(2026, 3, 10))
    assert got.rule_set == R.DECREE_172
    assert got.allowed_forms == [F.REPRIMAND, F.WARNING, F.FORCED_DISMISSAL]
    assert got.limitation_ends_on == date(2036, 3, 2)  # 10 years under 172
    assert got.handling_due_on == DUE and got.paused_days == 0
    assert got.effect_ends_on is None and got.recidivism is False
    assert got.next_step == "Họp kiểm điểm" and got.next_step_due_on == DUE


@pytest.mark.parametrize(
    "steps, next_step, due",
    [
        ([REVIEW], "triệu tập Hội đồng kỷ luật", add_working_days(REVIEW.held_on, 3)),
        ([REVIEW, COUNCIL], "kiến nghị", add_working_days(COUNCIL.held_on, 5)),
        (
            [REVIEW, COUNCIL, RECOMMENDATION],
            "Quyết định kỷ luật",
            add_working_days(RECOMMENDATION.held_on, 5),
        ),
    ],
)
def test_the_next_step_and_its_due_day_progress(steps, next_step, due):
    got = clock(facts(steps=steps), BOOK, date(2026, 5, 12))
    assert next_step in got.next_step and got.next_step_due_on == due


def test_the_step_due_days_by_the_calendar():
    assert add_working_days(REVIEW.held_on, 3) == date(2026, 4, 9)
    assert add_working_days(COUNCIL.held_on, 5) == date(2026, 5, 12)
    assert add_working_days(RECOMMENDATION.held_on, 5) == date(2026, 5, 19)


def test_a_step_due_day_never_passes_the_handling_deadline():
    late_review = held(StepKind.REVIEW_MEETING, date(2026, 5, 28))  # +3 WD: 02/06
    got = clock(facts(steps=[late_review]), BOOK, date(2026, 5, 28))
    assert got.next_step_due_on == DUE
    late_rec = held(StepKind.RECOMMENDATION, date(2026, 5, 27))  # +5 WD: 03/06
    got = clock(facts(steps=[REVIEW, COUNCIL, late_rec]), BOOK, date(2026, 5, 28))
    assert got.next_step == "Quyết định kỷ luật" and got.next_step_due_on == DUE


def test_skipped_steps_lead_to_the_decision_by_the_handling_deadline():
    skipped_review = Step(kind=StepKind.REVIEW_MEETING, skipped=SkipGround.PRIOR_CONCLUSION)
    skipped_council = Step(kind=StepKind.COUNCIL, skipped=SkipGround.CONVICTION)
    got = clock(facts(steps=[skipped_review]), BOOK, date(2026, 3, 10))
    assert "triệu tập" in got.next_step and got.next_step_due_on == DUE
    got = clock(facts(steps=[skipped_review, skipped_council]), BOOK, date(2026, 3, 10))
    assert got.next_step == "Quyết định kỷ luật" and got.next_step_due_on == DUE


def test_a_decided_or_closed_case_has_no_next_step():
    got = clock(facts(steps=[REVIEW, COUNCIL], decided_on=date(2026, 5, 20)), BOOK, TODAY)
    assert got.next_step is None and got.next_step_due_on is None
    assert got.effect_ends_on == date(2027, 5, 20)
    got = clock(facts(closed=True), BOOK, TODAY)
    assert got.next_step is None and got.next_step_due_on is None and got.effect_ends_on is None


def test_the_clock_uses_the_complex_deadline_and_the_pauses():
    got = clock(facts(complex=True), BOOK, date(2026, 3, 10))
    assert got.handling_due_on == date(2026, 3, 2) + timedelta(days=150)
    ill = [pause(date(2026, 4, 1), date(2026, 4, 10))]
    got = clock(facts(pauses=ill), BOOK, date(2026, 4, 20))
    assert got.paused_days == 10 and got.handling_due_on == DUE + timedelta(days=10)
    assert got.next_step_due_on == got.handling_due_on


@pytest.mark.parametrize(
    "staff_type, committed, rule_set, limitation",
    [
        (StaffType.CADRE, date(2025, 6, 30), R.DECREE_112_71, date(2030, 6, 30)),  # 5 years
        (StaffType.CADRE, date(2025, 7, 1), R.DECREE_172, date(2035, 7, 1)),  # 10 years
        (StaffType.PUBLIC_EMPLOYEE, date(2026, 6, 30), R.DECREE_112_71, date(2031, 6, 30)),
        (StaffType.PUBLIC_EMPLOYEE, date(2026, 7, 1), R.DECREE_234, date(2036, 7, 1)),
    ],
)
def test_the_clock_follows_the_rule_set_of_the_violations_day(
    staff_type, committed, rule_set, limitation
):
    got = clock(
        facts(subject=subject(staff_type), violation=violation(committed), discovered_on=committed),
        BOOK,
        committed,
    )
    assert got.rule_set == rule_set and got.limitation_ends_on == limitation


def test_the_clock_of_a_reprimand_level_violation_restarted_by_a_later_one():
    got = clock(
        facts(
            violation=violation(date(2025, 3, 1), Gravity.REPRIMAND_LEVEL),
            later_violations=[date(2026, 2, 1)],
            discovered_on=date(2026, 3, 2),
        ),
        BOOK,
        date(2026, 3, 10),
    )
    assert got.rule_set == R.DECREE_112_71
    assert got.limitation_ends_on == date(2028, 2, 1)  # 2 years, from the later one


def test_the_clock_of_a_violation_no_limitation_protects():
    wrong = violation(date(2026, 3, 2), without=WithoutLimitation.NATIONAL_INTEREST)
    assert clock(facts(violation=wrong), BOOK, date(2026, 3, 10)).limitation_ends_on is None


def test_the_clock_flags_recidivism_as_the_book_says():
    earlier = [(date(2026, 1, 10), date(2027, 1, 10))]
    assert clock(facts(earlier_decisions=earlier), BOOK, TODAY).recidivism is True
    outside = [(date(2024, 1, 10), date(2025, 1, 10))]
    assert clock(facts(earlier_decisions=outside), BOOK, TODAY).recidivism is False
    not_for_them = Book({"recidivism.civil_servant": [version(False, date(2025, 7, 1))]})
    assert clock(facts(earlier_decisions=earlier), not_for_them, TODAY).recidivism is False
    # a version from after the violation does not decide it
    from_april = Book({"recidivism.civil_servant": [version(False, date(2026, 4, 1))]})
    assert clock(facts(earlier_decisions=earlier), from_april, TODAY).recidivism is True
    # the rule is per staff type
    cadre = facts(subject=subject(StaffType.CADRE), earlier_decisions=earlier)
    assert clock(cadre, not_for_them, TODAY).recidivism is True


def test_the_effect_months_are_the_books_on_the_decision_day():
    book = Book({"effect_months.decree_172_2025": [version(6, date(2026, 5, 1))]})
    got = clock(facts(decided_on=date(2026, 4, 30)), book, TODAY)
    assert got.effect_ends_on == date(2027, 4, 30)
    got = clock(facts(decided_on=date(2026, 5, 1)), book, TODAY)
    assert got.effect_ends_on == date(2026, 11, 1)


# --- overdue and due soon ---


def a_clock(handling: date, step: date | None) -> Clock:
    return Clock(
        rule_set=R.DECREE_172,
        allowed_forms=[],
        limitation_ends_on=None,
        handling_due_on=handling,
        paused_days=0,
        effect_ends_on=None,
        recidivism=False,
        next_step="Họp kiểm điểm" if step else None,
        next_step_due_on=step,
    )


@pytest.mark.parametrize(
    "today, overdue, soon",
    [
        (date(2026, 5, 31), False, True),  # the due day itself
        (date(2026, 6, 1), True, False),  # the day after
        (date(2026, 5, 31) - timedelta(days=DUE_SOON_DAYS), False, True),
        (date(2026, 5, 31) - timedelta(days=DUE_SOON_DAYS + 1), False, False),
    ],
)
def test_overdue_after_the_due_day_due_soon_within_due_soon_days(today, overdue, soon):
    assert DUE_SOON_DAYS == 14
    case = a_clock(date(2026, 5, 31), None)
    assert is_overdue(case, CaseStatus.OPEN, today) is overdue
    assert is_due_soon(case, CaseStatus.OPEN, today) is soon


def test_the_earlier_of_the_step_and_the_handling_deadline_counts():
    case = a_clock(date(2026, 5, 31), date(2026, 4, 9))
    assert is_overdue(case, CaseStatus.OPEN, date(2026, 4, 10))
    assert is_due_soon(case, CaseStatus.OPEN, date(2026, 4, 9))
    assert not is_due_soon(case, CaseStatus.OPEN, date(2026, 3, 25))  # 15 days before


@pytest.mark.parametrize("case_status", [CaseStatus.DECIDED, CaseStatus.LAPSED, CaseStatus.CLOSED])
def test_only_an_open_case_is_overdue_or_due_soon(case_status):
    case = a_clock(date(2026, 5, 31), None)
    assert not is_overdue(case, case_status, date(2026, 7, 1))
    assert not is_due_soon(case, case_status, date(2026, 5, 31))


# --- the violation's dates ---


def test_a_violation_and_its_discovery_are_not_in_the_future_nor_discovered_before():
    today = date(2026, 3, 10)
    check_violation(violation(today), today, today)
    with pytest.raises(InvalidInput) as refused:
        check_violation(violation(today + timedelta(1)), today + timedelta(1), today)
    assert set(refused.value.fields) == {"violation.committed_on", "discovered_on"}
    with pytest.raises(InvalidInput) as refused:
        check_violation(violation(today), today - timedelta(1), today)
    assert "discovered_on" in refused.value.fields


def test_a_reprimand_level_violation_cannot_be_one_without_limitation():
    wrong = violation(date(2026, 3, 2), Gravity.REPRIMAND_LEVEL, WithoutLimitation.FAKE_DIPLOMA)
    with pytest.raises(InvalidInput) as refused:
        check_violation(wrong, date(2026, 3, 2), date(2026, 3, 10))
    assert "violation.without_limitation" in refused.value.fields


def test_days_paused_before_the_discovery_do_not_count():
    pauses = [pause(date(2026, 1, 1), date(2026, 1, 10))]
    assert paused_days(pauses, date(2026, 2, 1), date(2026, 3, 1)) == 0
    assert paused_days(pauses, date(2026, 1, 6), date(2026, 3, 1)) == 5
    assert handling_due(date(2026, 2, 1), 90, pauses, date(2026, 3, 1)) == date(2026, 5, 2)


def test_a_pause_after_a_step_moves_the_next_steps_due_day_too():
    """Review on Mon 06/04/2026 (+3 WD: 09/04); on maternity leave from 07/04 while it
    lasts: on 20/04 fourteen days are paused, so the report is due 23/04, not overdue."""
    paused = facts(steps=[REVIEW], pauses=[pause(date(2026, 4, 7))])
    got = clock(paused, BOOK, date(2026, 4, 20))
    assert got.next_step_due_on == date(2026, 4, 23)
    assert got.handling_due_on == DUE + timedelta(14)
    assert not is_overdue(got, CaseStatus.OPEN, date(2026, 4, 20))
