"""The law's numbers for community decisions and consultations (services/surveys/domain.py)."""

from datetime import date

import pytest

from services.surveys.domain import (
    Form,
    Matter,
    allowed_forms,
    decision_record_due,
    earliest_close,
    earliest_vote,
    initiative_reached,
    online_opt_in_reached,
    threshold,
)


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
