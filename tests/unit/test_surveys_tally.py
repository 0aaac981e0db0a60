"""Counting a poll's results (services/surveys/tally.py): by unit and channel, and the
outcome against the law's denominator (Law 10/2022 Art 21.1)."""

from datetime import UTC, date, datetime

import pytest

from services.surveys.domain import Threshold
from services.surveys.tally import Tallies, needed, public_view, results
from shared.contracts.surveys import Channel, Matter, MeetingRecord, PaperTally, Poll

AT = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
AGREE = {"q1": ["agree"]}


def poll(
    by_unit: dict[str, int],
    matter: Matter | None = Matter.OTHER,
    unit_id: str = "commune",
    kind: str = "decision",
    questions: list[dict] | None = None,
) -> Poll:
    return Poll(
        id="p1",
        kind=kind,
        commune_id="commune",
        unit_id=unit_id,
        unit_name="Phường Hương An",
        title="Làm đường ngõ 5",
        description="",
        matter=matter,
        channels=["online", "paper", "meeting"],
        secret=False,
        public_results=True,
        questions=questions
        or [
            {
                "id": "q1",
                "type": "single",
                "text": "Đồng ý?",
                "options": [{"id": "agree", "label": "Tán thành"}, {"id": "no", "label": "Không"}],
            }
        ],
        deciding_options=["agree"] if kind == "decision" else [],
        noticed_on=date(2025, 8, 1),
        opens_at=AT,
        closes_at=AT,
        online_opt_in=None,
        meeting_fell_short=False,
        status="open",
        created_by="lan",
        created_at=AT,
        electorate={
            "as_of": date(2025, 8, 1),
            "total": sum(by_unit.values()),
            "by_unit": by_unit,
            "unit_names": {unit: unit.upper() for unit in by_unit},
        },
    )


def paper(unit_id: str, agree: int, no: int = 0) -> PaperTally:
    return PaperTally(
        unit_id=unit_id,
        minutes_number="01",
        counted_at=AT,
        returned=agree + no,
        valid=agree + no,
        invalid=0,
        counts={"q1": {"agree": agree, "no": no}},
        recorded_by="hoa",
        photo_id="photo",
    )


def meeting(unit_id: str, agree: int, present: int) -> MeetingRecord:
    return MeetingRecord(
        unit_id=unit_id,
        held_at=AT,
        present=present,
        counts={"q1": {"agree": agree}},
        quorum_reached=False,
        recorded_by="hoa",
    )


def agreeing(unit_id: str, online: int, on_paper: int, at_meeting: int) -> Tallies:
    """`online + on_paper + at_meeting` households of `unit_id` agree, by three channels."""
    return Tallies(
        online=[(unit_id, AGREE)] * online,
        participated={
            unit_id: {Channel.ONLINE: online, Channel.PAPER: on_paper, Channel.MEETING: at_meeting}
        },
        paper=[paper(unit_id, on_paper)],
        meetings=[meeting(unit_id, at_meeting, at_meeting)],
    )


@pytest.mark.parametrize(
    "online, on_paper, at_meeting, passes",
    [
        ((20, 20, 11, True)),  # 51 of 100 households
        ((20, 20, 10, False)),  # exactly half is not more than half
    ],
)
def test_art_21_1_items_3_to_6_need_more_than_half_of_all_households_across_channels(
    online, on_paper, at_meeting, passes
):
    counted = results(
        poll({"tdp-1": 100}), agreeing("tdp-1", online, on_paper, at_meeting), AT, True
    )

    assert counted.outcome.passes is passes
    assert (counted.outcome.needed, counted.outcome.of_total) == (51, 100)


def test_art_21_1_counts_all_households_not_those_who_voted():
    # every one of the 30 households that voted agrees, but 30 of 100 is not a majority
    counted = results(poll({"tdp-1": 100}), agreeing("tdp-1", 10, 10, 10), AT, True)

    assert counted.outcome.passes is False
    assert counted.outcome.counts == "households"


@pytest.mark.parametrize("agree, passes", [(200, True), (199, False)])
def test_art_21_1_money_matters_of_one_unit_need_two_thirds_of_its_households(agree, passes):
    thon = poll({"tdp-1": 300}, matter=Matter.INFRASTRUCTURE, unit_id="tdp-1")

    counted = results(thon, agreeing("tdp-1", agree - 100, 50, 50), AT, True)

    assert counted.outcome.passes is passes
    assert (counted.outcome.needed, counted.outcome.rule_vi) == (
        200,
        "ít nhất 2/3 tổng số hộ gia đình",
    )


def test_art_21_1_commune_wide_money_matters_count_the_units_that_agree():
    commune = poll({"a": 30, "b": 30, "c": 30}, matter=Matter.COMMUNITY_FUND)
    # a: 20/30 agree (2/3, agrees); b: 19/30 (does not); c: 30/30 on paper
    both = Tallies(
        online=[("a", AGREE)] * 20 + [("b", AGREE)] * 19,
        paper=[paper("c", 30)],
    )
    one = Tallies(online=[("a", AGREE)] * 20 + [("b", AGREE)] * 19, paper=[paper("c", 19)])

    passing, failing = results(commune, both, AT, True), results(commune, one, AT, True)

    assert [unit.agrees for unit in passing.units] == [True, False, True]
    assert passing.outcome.model_dump(exclude={"rule_vi"}) == {
        "passes": True,
        "deciding_option": "agree",
        "counts": "units",
        "needed": 2,
        "of_total": 3,
    }
    # 58 of 90 households agree (64%), yet only 1 of 3 units: it fails
    assert failing.outcome.passes is False


@pytest.mark.parametrize(
    "rule, total, smallest",
    [
        (Threshold(1, 2, strictly_more=True, counts="households"), 100, 51),
        (Threshold(1, 2, strictly_more=True, counts="households"), 101, 51),
        (Threshold(2, 3, strictly_more=False, counts="households"), 300, 200),
        (Threshold(2, 3, strictly_more=False, counts="households"), 301, 201),
        (Threshold(2, 3, strictly_more=False, counts="units"), 15, 10),
    ],
)
def test_needed_is_the_smallest_number_that_meets_art_21_1(rule, total, smallest):
    assert needed(rule, total) == smallest
    assert rule.met(smallest, total) and not rule.met(smallest - 1, total)


def test_results_show_each_channel_by_unit_and_in_total():
    tallies = Tallies(
        online=[("a", AGREE), ("a", {"q1": ["no"]}), ("b", AGREE)],
        participated={"a": {Channel.ONLINE: 2, Channel.PAPER: 3}, "b": {Channel.ONLINE: 1}},
        paper=[paper("a", 2, no=1)],
        meetings=[meeting("b", 4, present=5)],
    )

    counted = results(poll({"a": 10, "b": 10}), tallies, AT, False)

    assert counted.totals == {
        "q1": {
            "agree": {Channel.ONLINE: 2, Channel.PAPER: 2, Channel.MEETING: 4},
            "no": {Channel.ONLINE: 1, Channel.PAPER: 1},
        }
    }
    assert counted.participated == {Channel.ONLINE: 3, Channel.PAPER: 3}
    assert counted.units[1].counts == {"q1": {"agree": {Channel.ONLINE: 1, Channel.MEETING: 4}}}


SURVEY_QUESTIONS = [
    {"id": "speed", "type": "rating", "text": "Thời gian giải quyết"},
    {"id": "comment", "type": "text", "text": "Góp ý", "required": False},
]


def test_art_35_rating_means_are_on_the_one_to_five_scale():
    survey = poll({"commune": 0}, matter=None, kind="satisfaction", questions=SURVEY_QUESTIONS)
    tallies = Tallies(online=[("commune", {"speed": [v]}) for v in ("5", "4", "4")])

    counted = results(survey, tallies, AT, True)

    assert counted.ratings == {"speed": 4.33}
    assert counted.outcome is None


def test_free_text_is_kept_for_staff_and_stripped_from_the_public_view():
    survey = poll({"commune": 0}, matter=None, kind="consultation", questions=SURVEY_QUESTIONS)
    tallies = Tallies(online=[("commune", {"speed": ["3"], "comment": ["Ông Nguyễn Văn A chậm"]})])

    staff = results(survey, tallies, AT, True)
    public = public_view(staff)

    assert staff.free_text == {"comment": ["Ông Nguyễn Văn A chậm"]}
    assert public.free_text == {}
    assert public.totals == staff.totals


def test_art_9_the_seal_changes_when_a_number_changes_and_only_then():
    thon = poll({"tdp-1": 100})
    counted = results(thon, agreeing("tdp-1", 20, 20, 11), AT, True)
    later = results(thon, agreeing("tdp-1", 20, 20, 11), datetime(2025, 9, 2, tzinfo=UTC), True)
    one_more = results(thon, agreeing("tdp-1", 21, 20, 11), AT, True)

    assert counted.seal == later.seal  # counted again, the same numbers
    assert counted.seal != one_more.seal
    assert len(counted.seal) == 64
