"""What Law 10/2022 and Decree 59/2023 require of community decisions and
consultations: pure rules, no I/O (law brief §1.3, §1.4, §6).

The surveys service (issue #4) builds on these; they are here first so that
every number the law sets is in one place, cited, and tested.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from shared.calendar import add_working_days


class Matter(StrEnum):
    """The six matters residents decide (Law 10/2022 Art 15)."""

    INFRASTRUCTURE = "infrastructure"  # 1. policy on building public works, contributions
    COMMUNITY_FUND = "community_fund"  # 2. collecting and using community funds
    VILLAGE_CONVENTION = "village_convention"  # 3. hương ước, quy ước
    HEAD_ELECTION = "head_election"  # 4. electing or dismissing the thôn / TDP head
    BOARD_ELECTION = "board_election"  # 5. electing or dismissing BTTND / BGSĐTCĐ members
    OTHER = "other"  # 6. other self-management matters


class Form(StrEnum):
    """How a matter is decided (Art 17)."""

    MEETING = "meeting"  # community meeting of household representatives
    BALLOT = "ballot"  # one paper ballot per household
    ONLINE = "online"  # online vote


MONEY_MATTERS = frozenset({Matter.INFRASTRUCTURE, Matter.COMMUNITY_FUND})
# Items 3–5 are decided at a meeting; a household ballot only if the meeting could
# not reach the threshold (Art 17, Art 19.1.b). Online voting only for item 6.
MEETING_FIRST = frozenset({Matter.VILLAGE_CONVENTION, Matter.HEAD_ELECTION, Matter.BOARD_ELECTION})
NOTICE_DAYS = 2  # Art 18, Decree 59 Art 3-4: notice at least 2 days before
DECISION_RECORD_WORKING_DAYS = 5  # Art 20.3: to the People's Committee and the Front
CONSULTATION_MIN_DAYS = 20  # Art 27-28: open at least 20 days from publication
INITIATIVE_SHARE = (1, 10)  # Art 16.3: at least 10% of households consent
INITIATIVE_CONSENT_VALID = relativedelta(months=3)  # Art 16.3: a consent counts 3 months


@dataclass(frozen=True)
class Threshold:
    """How many of `denominator` must agree: at least num/den, or more than it."""

    numerator: int
    denominator: int
    strictly_more: bool
    counts: str  # "households" or "units" (thôn and tổ dân phố of the commune)

    def met(self, agree: int, total: int) -> bool:
        """`total` is ALL households (or units) of the scope, not those who voted."""
        if total <= 0:
            return False
        left, right = agree * self.denominator, total * self.numerator
        return left > right if self.strictly_more else left >= right


def threshold(matter: Matter, commune_wide: bool) -> Threshold:
    """Art 21.1: items 1-2 need at least 2/3 of all household representatives of the
    thôn or tổ dân phố, or of all its units when commune-wide; items 3-6 need more
    than half of all household representatives."""
    if matter in MONEY_MATTERS:
        return Threshold(
            2, 3, strictly_more=False, counts="units" if commune_wide else "households"
        )
    return Threshold(1, 2, strictly_more=True, counts="households")


def allowed_forms(matter: Matter, meeting_fell_short: bool, online_opt_in: bool) -> set[Form]:
    """The forms a matter may be decided by now.

    `meeting_fell_short`: a meeting was held and did not reach the threshold (the
    ballot becomes possible for items 3-5); `online_opt_in`: more than half of
    all households opted in to voting online (Decree 59 Art 5, item 6 only).
    """
    if matter in MEETING_FIRST:
        return {Form.MEETING, Form.BALLOT} if meeting_fell_short else {Form.MEETING}
    forms = {Form.MEETING, Form.BALLOT}
    if matter == Matter.OTHER and online_opt_in:
        forms.add(Form.ONLINE)
    return forms


def online_opt_in_reached(opted_in: int, households: int) -> bool:
    """Decree 59 Art 5: more than 50% of ALL household representatives opted in."""
    return households > 0 and 2 * opted_in > households


def earliest_vote(noticed_on: date) -> date:
    """A meeting or ballot noticed on a day takes place at least 2 days later."""
    return noticed_on + timedelta(days=NOTICE_DAYS)


def decision_record_due(voted_on: date) -> date:
    """Art 20.3: the decision record reaches the commune within 5 working days."""
    return add_working_days(voted_on, DECISION_RECORD_WORKING_DAYS)


def earliest_close(published_on: date) -> date:
    """Art 27-28: a consultation stays open at least 20 days from publication."""
    return published_on + timedelta(days=CONSULTATION_MIN_DAYS)


def initiative_reached(consents: list[date], households: int, on: date) -> bool:
    """Art 16.3: residents put a matter on the agenda when at least 10% of households
    consent; a consent older than 3 months no longer counts."""
    valid = sum(1 for given in consents if given <= on <= given + INITIATIVE_CONSENT_VALID)
    share, of = INITIATIVE_SHARE
    return households > 0 and valid * of >= households * share
