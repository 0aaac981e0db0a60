"""What Law 10/2022 and Decree 59/2023 require of community decisions and
consultations: pure rules, no I/O (law brief §1.3, §1.4, §6).

Every number the law sets is here, in one place, cited, and tested; the service
wires these rules to storage and messaging.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from shared.calendar import add_working_days
from shared.contracts.surveys import (
    Channel,
    CreatePoll,
    Matter,
    PollKind,
    Question,
    QuestionType,
)
from shared.errors import InvalidInput
from shared.i18n import N_, _


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


# --- polls: what a new consultation, decision or survey must satisfy -------------

SATISFACTION_MAX_QUESTIONS = 5  # Art 35.2.a: short enough to answer at the counter
SATISFACTION_PER_CLIENT_PER_DAY = 3  # abuse limit of the anonymous survey
CLOSING_SOON = timedelta(hours=24)  # when "closing soon" is announced
FORM_NAMES_VI = {
    Form.MEETING: N_("họp cộng đồng dân cư"),
    Form.BALLOT: N_("phát phiếu lấy ý kiến hộ gia đình"),
    Form.ONLINE: N_("biểu quyết trực tuyến"),
}
# The channel a household took part by, as the form of Art 17 it belongs to.
CHANNEL_FORMS = {"online": Form.ONLINE, "paper": Form.BALLOT, "meeting": Form.MEETING}


def check_new_poll(command: CreatePoll, households: int) -> None:
    """Refuse a poll the law does not allow, naming the form field and the article.

    `households`: all households of the poll's scope today (for the online opt-in).
    """
    errors: dict[str, str] = {}
    if command.closes_at <= command.opens_at:
        errors["closes_at"] = _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
    errors.update(_check_questions(command))
    if command.kind == PollKind.CONSULTATION:
        if command.closes_at.date() < earliest_close(command.opens_at.date()):
            errors["closes_at"] = _(
                "Lấy ý kiến phải kéo dài ít nhất {days} ngày kể từ khi "
                "công bố (Luật Thực hiện dân chủ ở cơ sở, Điều 27-28)."
            ).format(days=CONSULTATION_MIN_DAYS)
        if not command.public_results:  # Art 28: the summary and explanations are published
            errors["public_results"] = _(
                "Kết quả tổng hợp và giải trình ý kiến phải được công khai "
                "(Luật Thực hiện dân chủ ở cơ sở, Điều 28)."
            )
    elif command.kind == PollKind.DECISION:
        errors.update(_check_decision(command, households))
    else:
        errors.update(_check_satisfaction(command))
    if errors:
        raise InvalidInput(fields=errors)


def _check_questions(command: CreatePoll) -> dict[str, str]:
    ids = [question.id for question in command.questions]
    if len(set(ids)) != len(ids):
        return {"questions": _("Mỗi câu hỏi cần một mã riêng.")}
    for question in command.questions:
        option_ids = [option.id for option in question.options]
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            if len(option_ids) < 2 or len(set(option_ids)) != len(option_ids):
                return {
                    "questions": _("Câu “{question}” cần ít nhất 2 lựa chọn khác nhau.").format(
                        question=question.text
                    )
                }
        elif option_ids:
            return {
                "questions": _("Câu “{question}” không có lựa chọn.").format(question=question.text)
            }
    return {}


def _check_decision(command: CreatePoll, households: int) -> dict[str, str]:
    try:
        matter = Matter(command.matter or "")
    except ValueError:
        return {"matter": _("Vui lòng chọn một trong sáu nội dung của Điều 15.")}
    errors: dict[str, str] = {}
    question = command.questions[0]
    if len(command.questions) != 1 or question.type != QuestionType.SINGLE:
        errors["questions"] = _("Biểu quyết có đúng một câu hỏi, chọn một phương án.")
    elif not command.deciding_options or not set(command.deciding_options) <= {
        option.id for option in question.options
    }:
        errors["deciding_options"] = _("Vui lòng chọn phương án được tính là tán thành.")
    opted_in = online_opt_in_reached(command.online_opt_in or 0, households)
    allowed = allowed_forms(matter, command.meeting_fell_short, opted_in)
    for channel in command.channels:
        form = CHANNEL_FORMS[channel]
        if form in allowed:
            continue
        if form == Form.ONLINE and matter != Matter.OTHER:
            errors["channels"] = _(
                "Chỉ biểu quyết trực tuyến đối với công việc tự quản khác "
                "(Điều 15 khoản 6, Điều 17; Nghị định 59/2023, Điều 5)."
            )
        elif form == Form.ONLINE:
            errors["online_opt_in"] = _(
                "Cần trên 50% tổng số hộ ({needed}/{households}) đồng ý biểu "
                "quyết trực tuyến (Nghị định 59/2023, Điều 5)."
            ).format(needed=households // 2 + 1, households=households)
        else:
            errors["channels"] = _(
                "Nội dung này phải được quyết định tại cuộc họp; chỉ phát phiếu khi cuộc "
                "họp không đạt tỷ lệ (Điều 17, Điều 19 khoản 1 điểm b)."
            )
    noticed = command.noticed_on
    if noticed is None or command.opens_at.date() < earliest_vote(noticed):
        errors["noticed_on"] = _(
            "Phải thông báo ít nhất {days} ngày trước khi biểu quyết "
            "(Điều 18; Nghị định 59/2023, Điều 3-4)."
        ).format(days=NOTICE_DAYS)
    return errors


def _check_satisfaction(command: CreatePoll) -> dict[str, str]:
    if len(command.questions) > SATISFACTION_MAX_QUESTIONS:
        return {
            "questions": _("Khảo sát hài lòng tối đa {count} câu hỏi.").format(
                count=SATISFACTION_MAX_QUESTIONS
            )
        }
    if command.secret or command.channels != [Channel.ONLINE]:
        return {"channels": _("Khảo sát hài lòng là trực tuyến và ẩn danh.")}
    return {}


# --- meetings and paper ---------------------------------------------------------


def meeting_quorum(present: int, households: int) -> bool:
    """Decree 61/2023 Art 10 (and Art 18's procedural votes): a meeting decides when
    more than half of ALL household representatives of the unit attend; otherwise
    the household ballot is used."""
    return households > 0 and 2 * present > households


def check_counts(
    questions: list[Question], counts: dict[str, dict[str, int]], most: int, what: str
) -> None:
    """Counts entered by hand: known options only, none negative, and for a one-choice
    question no more in total than `most` (ballots valid, or households present)."""
    known = {q.id: {o.id for o in q.options} for q in questions if q.options}
    for question_id, by_option in counts.items():
        if question_id not in known or not set(by_option) <= known[question_id]:
            raise InvalidInput(fields={"counts": _("Có phương án không có trong phiếu.")})
        if any(value < 0 for value in by_option.values()):
            raise InvalidInput(fields={"counts": _("Số phiếu không được âm.")})
    for question in questions:
        if (
            question.type == QuestionType.SINGLE
            and sum(counts.get(question.id, {}).values()) > most
        ):
            raise InvalidInput(
                fields={
                    "counts": _("Tổng số của câu “{question}” vượt quá {what} ({most}).").format(
                        question=question.text, what=what, most=most
                    )
                }
            )


def check_paper_tally(
    questions: list[Question],
    returned: int,
    valid: int,
    invalid: int,
    counts: dict[str, dict[str, int]],
    returns_recorded: int,
) -> None:
    """Decree 59 Art 4 (count minutes, Form 04): ballots returned are the valid plus
    the invalid ones, and match the households recorded as having returned theirs."""
    if valid + invalid != returned:
        raise InvalidInput(
            fields={"returned": _("Số phiếu thu về phải bằng số phiếu hợp lệ cộng không hợp lệ.")}
        )
    if returned != returns_recorded:
        raise InvalidInput(
            fields={
                "returned": _(
                    "Đã ghi nhận {recorded} hộ nộp phiếu giấy; biên bản ghi {returned}. "
                    "Vui lòng nhập đủ mã hộ đã nộp phiếu trước."
                ).format(recorded=returns_recorded, returned=returned)
            }
        )
    check_counts(questions, counts, valid, _("số phiếu hợp lệ"))
