"""Counting: results from what was stored, by unit and by channel, and the
outcome by the law's denominator (Law 10/2022 Art 21.1: ALL households, or all
units for a commune-wide money matter). Pure, no I/O: the store reads the
ballots, this adds them up, so a recount is the same function over the same rows.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from services.surveys.domain import MONEY_MATTERS, Threshold, threshold
from shared.contracts.surveys import (
    Answers,
    Channel,
    Matter,
    MeetingRecord,
    Outcome,
    PaperTally,
    Poll,
    PollKind,
    PollResults,
    QuestionType,
    UnitResult,
)
from shared.i18n import _

# Art 21.1 for a commune-wide money matter counts the thôn and tổ dân phố that
# agree. The law does not say when one agrees; we take the unit's own rule for the
# matter: at least 2/3 of its households (law brief §1.3, UNCONFIRMED).
UNIT_AGREES = Threshold(2, 3, strictly_more=False, counts="households")

Counts = dict[str, dict[str, dict[Channel, int]]]  # question → option → channel → n


@dataclass
class Tallies:
    """Everything counted for a poll, as the store read it."""

    online: list[tuple[str, Answers]] = field(default_factory=list)  # (unit, answers)
    participated: dict[str, dict[Channel, int]] = field(default_factory=dict)
    paper: list[PaperTally] = field(default_factory=list)
    meetings: list[MeetingRecord] = field(default_factory=list)


def needed(rule: Threshold, total: int) -> int:
    """The smallest number that meets `rule` out of `total`."""
    exact, remainder = divmod(total * rule.numerator, rule.denominator)
    if rule.strictly_more:
        return exact + 1
    return exact + (remainder > 0)


def rule_vi(rule: Threshold) -> str:
    """The rule in words, one catalog message (the gateway translates it whole)."""
    units = rule.counts == "units"
    if rule.strictly_more:
        return (
            _("trên 50% tổng số thôn, tổ dân phố") if units else _("trên 50% tổng số hộ gia đình")
        )
    said = (
        _("ít nhất {numerator}/{denominator} tổng số thôn, tổ dân phố")
        if units
        else _("ít nhất {numerator}/{denominator} tổng số hộ gia đình")
    )
    return said.format(numerator=rule.numerator, denominator=rule.denominator)


def _add(counts: Counts, question: str, option: str, channel: Channel, n: int = 1) -> None:
    counts.setdefault(question, {}).setdefault(option, {}).setdefault(channel, 0)
    counts[question][option][channel] += n


def count(poll: Poll, tallies: Tallies) -> tuple[dict[str, Counts], dict[str, list[str]]]:
    """Counts per unit (question → option → channel), and the free-text answers."""
    choice_questions = {
        q.id for q in poll.questions if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE)
    }
    ratings = {q.id for q in poll.questions if q.type == QuestionType.RATING}
    by_unit: dict[str, Counts] = defaultdict(dict)
    free_text: dict[str, list[str]] = defaultdict(list)
    for unit_id, answers in tallies.online:
        for question, values in answers.items():
            if question in choice_questions or question in ratings:
                for value in values:
                    _add(by_unit[unit_id], question, value, Channel.ONLINE)
            else:
                free_text[question].extend(values)
    for entry in (*tallies.paper, *tallies.meetings):
        channel = Channel.PAPER if isinstance(entry, PaperTally) else Channel.MEETING
        for question, by_option in entry.counts.items():
            for option, n in by_option.items():
                _add(by_unit[entry.unit_id], question, option, channel, n)
    return dict(by_unit), dict(free_text)


def _total(counts: Counts, question: str, option: str) -> int:
    return sum(counts.get(question, {}).get(option, {}).values())


def outcome(poll: Poll, units: list[UnitResult], totals: Counts, households: int) -> Outcome:
    matter = Matter(poll.matter)
    commune_wide = poll.unit_id == poll.commune_id and matter in MONEY_MATTERS
    rule = threshold(matter, commune_wide)
    question = poll.questions[0].id
    if rule.counts == "units":
        of_total = len(units)

        def support(option: str) -> int:  # units that agree
            return sum(
                UNIT_AGREES.met(_total(unit.counts, question, option), unit.households)
                for unit in units
            )
    else:
        of_total = households

        def support(option: str) -> int:  # households that agree
            return _total(totals, question, option)

    winner = next((o for o in poll.deciding_options if rule.met(support(o), of_total)), None)
    return Outcome(
        passes=winner is not None,
        deciding_option=winner,
        counts=rule.counts,
        needed=needed(rule, of_total),
        of_total=of_total,
        rule_vi=rule_vi(rule),
    )


def results(poll: Poll, tallies: Tallies, computed_at: datetime, frozen: bool) -> PollResults:
    """The results as staff see them (free text included); `public_view` strips them."""
    by_unit, free_text = count(poll, tallies)
    electorate = poll.electorate
    unit_ids = list(electorate.by_unit) if electorate else sorted(by_unit)
    commune_wide_money = (
        poll.kind == PollKind.DECISION
        and poll.unit_id == poll.commune_id
        and Matter(poll.matter) in MONEY_MATTERS
    )
    units: list[UnitResult] = []
    for unit_id in unit_ids:
        counts = by_unit.get(unit_id, {})
        households = electorate.by_unit.get(unit_id, 0) if electorate else 0
        agrees = None
        if commune_wide_money:
            question = poll.questions[0].id
            agrees = any(
                UNIT_AGREES.met(_total(counts, question, option), households)
                for option in poll.deciding_options
            )
        units.append(
            UnitResult(
                unit_id=unit_id,
                unit_name=electorate.unit_names.get(unit_id, unit_id) if electorate else unit_id,
                households=households,
                participated=tallies.participated.get(unit_id, {}),
                counts=counts,
                agrees=agrees,
            )
        )
    totals: Counts = {}
    for counts in by_unit.values():
        for question, by_option in counts.items():
            for option, by_channel in by_option.items():
                for channel, n in by_channel.items():
                    _add(totals, question, option, channel, n)
    participated: dict[Channel, int] = defaultdict(int)
    for by_channel in tallies.participated.values():
        for channel, n in by_channel.items():
            participated[channel] += n
    households = electorate.total if electorate else 0
    ratings = {}
    for question in poll.questions:
        if question.type == QuestionType.RATING and question.id in totals:
            given = {int(value): sum(c.values()) for value, c in totals[question.id].items()}
            answered = sum(given.values())
            ratings[question.id] = round(sum(v * n for v, n in given.items()) / answered, 2)
    draft = PollResults(
        poll=poll,
        total_households=households,
        participated=dict(participated),
        units=units,
        totals=totals,
        ratings=ratings,
        free_text=free_text,
        outcome=outcome(poll, units, totals, households)
        if poll.kind == PollKind.DECISION
        else None,
        paper_tallies=tallies.paper,
        meetings=tallies.meetings,
        frozen=frozen,
        computed_at=computed_at,
        seal="",
    )
    return draft.model_copy(update={"seal": seal(draft)})


def seal(results: PollResults) -> str:
    """A digest of the counted numbers, printed with the sign-off: a copy of the
    results that was changed afterwards no longer matches it (Law 10/2022 Art 9:
    falsifying results is prohibited)."""
    body = results.model_dump(
        mode="json", exclude={"seal", "signed_off_by", "signed_off_at", "computed_at", "frozen"}
    )
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def public_view(results: PollResults) -> PollResults:
    """What residents see: no free text (it may name people), the rest as is."""
    return results.model_copy(update={"free_text": {}})
