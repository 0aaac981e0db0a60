"""The training rules: registration windows, cancellation cut-off, eligibility by
position and date, completion, the codes people hold, and the coverage rule."""

from datetime import UTC, date, datetime, timedelta

from services.training import domain
from shared.contracts.positions import Holding, Person, Position
from shared.contracts.training import CompletionKind, CompletionRule

KEY = b"k" * 32
NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
START = NOW + timedelta(days=2)


def pid(name: str) -> str:
    return "p-" + name.encode().hex().ljust(16, "0")[:16]


def holding(person: str, position: Position, start: date, end: date | None = None, unit="tdp-1"):
    return Holding(
        holding_id=f"{person}:{position}:{start}",
        commune_id="huong-an",
        unit_id=unit,
        position=position,
        person=Person(person_id=pid(person), full_name=person),
        starts_on=start,
        ends_on=end,
    )


def test_registration_opens_and_closes_on_the_clerks_days_and_never_after_the_start():
    opens, closes = date(2026, 6, 1), date(2026, 6, 10)
    assert domain.registration_refusal(opens, closes, START, NOW) is None
    assert "từ ngày 11/06/2026" in domain.registration_refusal(
        date(2026, 6, 11), closes, START, NOW
    )
    assert "hết hạn" in domain.registration_refusal(opens, date(2026, 6, 9), START, NOW)
    assert "đã bắt đầu" in domain.registration_refusal(opens, closes, NOW, NOW)


def test_cancellation_is_allowed_until_the_cut_off():
    assert domain.cancellation_refusal(START, 24, NOW) is None
    assert "quá hạn" in domain.cancellation_refusal(START, 48, NOW)
    assert "đã bắt đầu" in domain.cancellation_refusal(NOW, 0, NOW)


def test_a_person_who_left_a_position_is_no_longer_eligible_from_that_day():
    left = holding("lan", Position.GROUP_HEAD, date(2025, 1, 1), date(2026, 6, 10))
    other = holding("lan", Position.FRONT_COMMITTEE_HEAD, date(2026, 1, 1))
    assert domain.eligible_positions([left, other], [Position.GROUP_HEAD], date(2026, 6, 9))
    assert not domain.eligible_positions([left, other], [Position.GROUP_HEAD], date(2026, 6, 10))
    assert domain.eligible_positions(
        [left, other], [Position.GROUP_HEAD, Position.FRONT_COMMITTEE_HEAD], date(2026, 6, 10)
    ) == {Position.FRONT_COMMITTEE_HEAD}


def test_completion_follows_the_courses_rule():
    every = CompletionRule()
    two_of = CompletionRule(kind=CompletionKind.AT_LEAST, minimum=2)
    assert domain.completed(every, 3, 3) and not domain.completed(every, 3, 2)
    assert domain.completed(two_of, 3, 2) and not domain.completed(two_of, 3, 1)
    assert domain.completed(two_of, 1, 1)  # "2 of" a one-session course: the one
    assert not domain.completed(every, 0, 0)


def test_a_certificate_code_is_signed_under_the_communes_key():
    code = domain.certificate_code(KEY, "course:p-1")
    assert len(code) == 19 and code.count("-") == 3
    assert domain.code_is_genuine(KEY, "course:p-1", code)
    assert not domain.code_is_genuine(b"x" * 32, "course:p-1", code)
    assert not domain.code_is_genuine(KEY, "course:p-2", code)


def test_the_check_in_code_works_only_for_its_session_and_during_it():
    end = START + timedelta(hours=3)
    token = domain.check_in_token(KEY, "s1", START)
    during = START + timedelta(minutes=5)
    assert domain.check_in_refusal(KEY, "s1", START, end, token, during) is None
    assert "không đúng" in domain.check_in_refusal(KEY, "s2", START, end, token, during)
    assert "Chưa đến giờ" in domain.check_in_refusal(KEY, "s1", START, end, token, NOW)
    assert "kết thúc" in domain.check_in_refusal(
        KEY, "s1", START, end, token, end + timedelta(minutes=1)
    )
    moved = START + timedelta(days=1)  # a session moved: its old QR stops working
    assert "không đúng" in domain.check_in_refusal(KEY, "s1", moved, end, token, during)


def test_coverage_counts_holders_since_the_target_and_leavers_only_if_trained():
    target_day, as_of = date(2026, 2, 1), date(2026, 9, 1)
    heads = Position.GROUP_HEAD
    holdings = [
        holding("an", heads, date(2024, 1, 1)),  # held it when the target was set
        holding("binh", heads, date(2026, 7, 1)),  # took it up since
        holding("chi", heads, date(2024, 1, 1), date(2026, 5, 1)),  # left, untrained
        holding("dung", heads, date(2024, 1, 1), date(2026, 5, 1)),  # left, trained before
        holding("em", heads, date(2024, 1, 1), date(2026, 1, 10)),  # left before the target
        holding("giang", heads, date(2026, 10, 1)),  # not yet
    ]
    trained = {
        (pid("an"), heads): date(2026, 3, 1),
        (pid("dung"), heads): date(2026, 4, 1),
    }
    counted = {
        c.full_name: c.trained
        for c in domain.counted_holdings(holdings, trained, target_day, as_of)
    }
    assert counted == {"an": True, "binh": False, "dung": True}


def test_a_person_counts_once_per_unit_and_position_and_trained_if_any_holding_was():
    heads = Position.COMMUNE_OFFICIAL
    holdings = [
        holding("an", heads, date(2024, 1, 1), unit="huong-an"),
        holding("an", heads, date(2025, 1, 1), unit="huong-an"),
    ]
    trained = {(pid("an"), heads): date(2026, 3, 1)}
    counted = domain.counted_holdings(holdings, trained, date(2026, 1, 1), date(2026, 6, 1))
    assert [(c.full_name, c.trained) for c in counted] == [("an", True)]
