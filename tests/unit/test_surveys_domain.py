"""The law's numbers for community decisions and consultations (services/surveys/domain.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.surveys.domain import (
    Form,
    allowed_forms,
    check_new_poll,
    check_paper_tally,
    decision_record_due,
    earliest_close,
    earliest_vote,
    initiative_reached,
    meeting_quorum,
    online_opt_in_reached,
    threshold,
)
from shared.contracts.surveys import FREE_TEXT_MAX, CreatePoll, Matter, Question
from shared.errors import InvalidInput
from shared.poll_answers import check_answers


@pytest.mark.parametrize(
    "matter, commune_wide, agree, total, passes",
    [
        # Art 21.1: items 1-2, at least 2/3 of ALL households of the thôn / tổ dân phố
        (Matter.INFRASTRUCTURE, False, 200, 300, True),
        (Matter.INFRASTRUCTURE, False, 199, 300, False),
        (Matter.COMMUNITY_FUND, False, 67, 100, True),
        (Matter.COMMUNITY_FUND, False, 66, 100, False),
        # commune-wide money matters count thôn and tổ dân phố, at least 2/3 of them
        (Matter.INFRASTRUCTURE, True, 10, 15, True),
        (Matter.INFRASTRUCTURE, True, 9, 15, False),
        # items 3-6: more than half of ALL households; exactly half is not enough
        (Matter.OTHER, False, 51, 100, True),
        (Matter.OTHER, False, 50, 100, False),
        (Matter.HEAD_ELECTION, False, 101, 201, True),
        (Matter.HEAD_ELECTION, False, 100, 201, False),
        (Matter.OTHER, False, 0, 0, False),  # no electorate decides nothing
    ],
)
def test_a_matter_passes_against_all_households_not_those_who_voted(
    matter, commune_wide, agree, total, passes
):
    assert threshold(matter, commune_wide).met(agree, total) is passes


def test_commune_wide_money_matters_count_units_and_the_rest_count_households():
    assert threshold(Matter.COMMUNITY_FUND, commune_wide=True).counts == "units"
    assert threshold(Matter.COMMUNITY_FUND, commune_wide=False).counts == "households"
    assert threshold(Matter.VILLAGE_CONVENTION, commune_wide=True).counts == "households"


@pytest.mark.parametrize(
    "matter, fell_short, opt_in, forms",
    [
        (Matter.VILLAGE_CONVENTION, False, True, {Form.MEETING}),  # meeting first (Art 17)
        (Matter.HEAD_ELECTION, True, True, {Form.MEETING, Form.BALLOT}),  # Art 19.1.b
        (Matter.BOARD_ELECTION, True, False, {Form.MEETING, Form.BALLOT}),
        (Matter.INFRASTRUCTURE, False, True, {Form.MEETING, Form.BALLOT}),  # never online
        (Matter.OTHER, False, False, {Form.MEETING, Form.BALLOT}),
        (Matter.OTHER, False, True, {Form.MEETING, Form.BALLOT, Form.ONLINE}),
    ],
)
def test_online_voting_only_for_other_matters_once_households_opted_in(
    matter, fell_short, opt_in, forms
):
    assert allowed_forms(matter, fell_short, opt_in) == forms


def test_online_voting_needs_more_than_half_of_all_households_to_opt_in():
    assert online_opt_in_reached(51, 100)
    assert not online_opt_in_reached(50, 100)
    assert not online_opt_in_reached(0, 0)


def test_dates_the_law_sets():
    assert earliest_vote(date(2026, 11, 20)) == date(2026, 11, 22)  # notice 2 days before
    assert earliest_close(date(2026, 11, 1)) == date(2026, 11, 21)  # open at least 20 days
    # decision record within 5 working days; 24/11/2026 is a day off
    assert decision_record_due(date(2026, 11, 20)) == date(2026, 11, 30)


def test_an_initiative_needs_a_tenth_of_households_with_consents_under_three_months_old():
    today = date(2026, 11, 22)
    fresh, stale = [date(2026, 9, 1)] * 10, [date(2026, 8, 21)] * 5
    assert initiative_reached(fresh, households=100, on=today)
    assert not initiative_reached(fresh[:9] + stale, households=100, on=today)
    assert initiative_reached([date(2026, 8, 22)] * 10, households=100, on=today)  # 3 months


# --- new polls ------------------------------------------------------------------

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
YES_NO = {
    "id": "q",
    "type": "single",
    "text": "Đồng ý làm đường bê tông kiệt 5?",
    "options": [{"id": "yes", "label": "Đồng ý"}, {"id": "no", "label": "Không đồng ý"}],
}


def poll(**changes) -> CreatePoll:
    fields = {
        "actor": "lan",
        "request_id": "a" * 32,
        "kind": "decision",
        "commune_id": "huong-an",
        "unit_id": "tdp-1",
        "title": "Làm đường kiệt 5",
        "matter": "other",
        "channels": ["online", "paper"],
        "questions": [YES_NO],
        "deciding_options": ["yes"],
        "noticed_on": (NOW - timedelta(days=2)).date(),
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "online_opt_in": 51,
    }
    return CreatePoll.model_validate({**fields, **changes})


def refusal(command: CreatePoll, households: int = 100) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        check_new_poll(command, households)
    return refused.value.fields


def test_a_lawful_online_decision_on_another_matter_is_accepted():
    check_new_poll(poll(), households=100)


def test_a_consultation_stays_open_at_least_20_days_art_27():
    consultation = {"kind": "consultation", "matter": None, "deciding_options": []}
    assert "closes_at" in refusal(poll(**consultation, closes_at=NOW + timedelta(days=19)))
    check_new_poll(poll(**consultation, closes_at=NOW + timedelta(days=20)), households=100)


def test_a_consultations_summary_is_published_art_28():
    consultation = {"kind": "consultation", "matter": None, "deciding_options": []}
    closes = NOW + timedelta(days=20)
    assert "public_results" in refusal(poll(**consultation, closes_at=closes, public_results=False))


def test_a_vote_needs_notice_two_days_before_art_18():
    assert "noticed_on" in refusal(poll(noticed_on=(NOW - timedelta(days=1)).date()))
    assert "noticed_on" in refusal(poll(noticed_on=None))


def test_online_voting_only_for_other_matters_art_17_decree_59_art_5():
    assert "channels" in refusal(poll(matter="infrastructure"))


def test_online_voting_needs_more_than_half_of_households_opted_in_decree_59_art_5():
    assert "online_opt_in" in refusal(poll(online_opt_in=50), households=100)


def test_conventions_and_elections_are_decided_at_a_meeting_first_art_17_19():
    assert "channels" in refusal(poll(matter="village_convention", channels=["paper"]))
    check_new_poll(poll(matter="head_election", channels=["meeting"]), households=100)
    check_new_poll(
        poll(matter="head_election", channels=["paper"], meeting_fell_short=True), households=100
    )


def test_a_decision_has_one_single_choice_question_and_a_deciding_option():
    assert "deciding_options" in refusal(poll(deciding_options=["maybe"]))
    text = {"id": "t", "type": "text", "text": "Ý kiến khác"}
    assert "questions" in refusal(poll(questions=[YES_NO, text]))


def test_a_satisfaction_survey_is_short_online_and_anonymous_art_35():
    rating = {"id": "r", "type": "rating", "text": "Mức độ hài lòng"}
    survey = {
        "kind": "satisfaction",
        "matter": None,
        "deciding_options": [],
        "channels": ["online"],
    }
    check_new_poll(poll(**survey, questions=[rating]), households=0)
    many = [{**rating, "id": f"r{n}"} for n in range(6)]
    assert "questions" in refusal(poll(**survey, questions=many))
    assert "channels" in refusal(poll(**survey, questions=[rating], secret=True))


# --- answers --------------------------------------------------------------------

QUESTIONS = [
    Question.model_validate(YES_NO),
    Question.model_validate(
        {
            "id": "m",
            "type": "multiple",
            "text": "Hạng mục ưu tiên",
            "options": [{"id": "a", "label": "Đèn"}, {"id": "b", "label": "Cống"}],
            "required": False,
        }
    ),
    Question.model_validate({"id": "t", "type": "text", "text": "Ý kiến", "required": False}),
    Question.model_validate({"id": "r", "type": "rating", "text": "Hài lòng", "required": False}),
]


def answer_problems(answers: dict[str, list[str]]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        check_answers(QUESTIONS, answers)
    return refused.value.fields


def test_answers_are_kept_trimmed_and_multiple_choices_once_each():
    kept = check_answers(QUESTIONS, {"q": ["yes"], "m": ["b", "a", "b"], "t": ["  Tốt  "]})
    assert kept == {"q": ["yes"], "m": ["a", "b"], "t": ["Tốt"]}


def test_answers_outside_the_options_are_refused():
    assert set(answer_problems({"q": ["maybe"], "m": ["z"], "r": ["6"]})) == {"q", "m", "r"}
    assert set(answer_problems({"q": ["yes", "no"]})) == {"q"}
    assert set(answer_problems({"q": ["yes"], "forged": ["x"]})) == {"forged"}


def test_a_required_question_must_be_answered():
    assert set(answer_problems({"m": ["a"]})) == {"q"}


def test_free_text_is_limited_and_markup_is_refused():
    assert "t" in answer_problems({"q": ["yes"], "t": ["x" * (FREE_TEXT_MAX + 1)]})
    for markup in (
        "<script>alert(1)</script>",
        "<img src=x onerror=y>",
        "a &#60; b",
        "javascript:x",
    ):
        assert "t" in answer_problems({"q": ["yes"], "t": [markup]})
    check_answers(QUESTIONS, {"q": ["yes"], "t": ["giá < 5 triệu và > 2 triệu"]})


# --- meetings and paper ---------------------------------------------------------


def test_a_meeting_decides_when_more_than_half_of_all_households_attend_decree_61_art_10():
    assert meeting_quorum(51, 100)
    assert not meeting_quorum(50, 100)
    assert not meeting_quorum(0, 0)


def test_paper_counts_add_up_and_match_the_returns_recorded_decree_59_art_4():
    counts = {"q": {"yes": 30, "no": 8}}
    check_paper_tally(QUESTIONS, 40, 38, 2, counts, returns_recorded=40)
    with pytest.raises(InvalidInput):
        check_paper_tally(QUESTIONS, 40, 38, 1, counts, returns_recorded=40)  # 38 + 1 ≠ 40
    with pytest.raises(InvalidInput):
        check_paper_tally(QUESTIONS, 40, 38, 2, counts, returns_recorded=39)
    with pytest.raises(InvalidInput):
        check_paper_tally(QUESTIONS, 40, 38, 2, {"q": {"yes": 39}}, returns_recorded=40)
    with pytest.raises(InvalidInput):
        check_paper_tally(QUESTIONS, 40, 38, 2, {"q": {"maybe": 1}}, returns_recorded=40)
