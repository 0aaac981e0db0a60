"""The rules of commendation and discipline, each a pure function citing its source
(../shared/domain/law-brief.md §3 and §4). The numbers that may change, or that the
brief marks UNCONFIRMED, come from the commune's rule book (rules.py); what is here
is the shape of each rule. No I/O.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from services.recognition.rules import PUBLIC_EMPLOYEES_2026, REFORM_2025, Book
from shared.calendar import add_working_days
from shared.contracts.recognition import (
    FORM_NAMES_VI,
    RECIPIENT_KINDS_VI,
    RULE_SET_NAMES_VI,
    TITLE_NAMES_VI,
    TITLE_RECIPIENTS,
    Award,
    CaseStatus,
    Clock,
    CouncilVote,
    DisciplineForm,
    Gravity,
    Pause,
    Recipient,
    RecipientKind,
    RuleSet,
    StaffType,
    Step,
    StepKind,
    Subject,
    Title,
    Violation,
)
from shared.errors import Conflict, InvalidInput
from shared.i18n import _

DUE_SOON_DAYS = 14  # the dashboard's "due soon"


# ---- commendations (law brief §3) ------------------------------------------------


def check_recipient(title: Title, recipient: Recipient) -> None:
    """Each title is for individuals, households or collectives (Law 06/2022 Art 80;
    Decree 86/2023 for the cultured family and village)."""
    if recipient.kind not in TITLE_RECIPIENTS[title]:
        raise InvalidInput(
            fields={
                "recipient.kind": _(
                    "Danh hiệu “{title}” không dành cho {kind} "
                    "(Luật Thi đua, khen thưởng 2022, Điều 80)."
                ).format(
                    title=TITLE_NAMES_VI[title], kind=RECIPIENT_KINDS_VI[recipient.kind].lower()
                )
            }
        )


def normalised(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: the same words typed
    twice compare equal."""
    dless = text.replace("đ", "d").replace("Đ", "d")  # i18n-exempt: the letter đ is data
    plain = unicodedata.normalize("NFD", dless)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def recipient_key(recipient: Recipient) -> str:
    """Who is rewarded, the same however their name is typed when known by code."""
    if recipient.username:
        return f"account:{recipient.username}"
    if recipient.kind == RecipientKind.HOUSEHOLD and recipient.household:
        return f"household:{recipient.household}"
    return f"{recipient.kind.value}:{normalised(recipient.name)}|{normalised(recipient.unit)}"


def achievement_key(recipient: Recipient, year: int, achievement: str) -> str:
    return f"{recipient_key(recipient)}|{year}|{normalised(achievement)}"


def check_rewarded_once(
    title: Title, year: int, achievement: str, others: list[dict], recipient: Recipient
) -> None:
    """One achievement is rewarded once, and a yearly title is given once a year
    (Law 06/2022 Art 5: principles of commendation). `others`: the recipient's other
    nominations that still stand (not rejected, not revoked)."""
    key = achievement_key(recipient, year, achievement)
    for other in others:
        if other["achievement_key"] == key:
            raise Conflict(
                _(
                    "Thành tích này đã được đề nghị hoặc khen thưởng ({title} năm {year}): "
                    "một thành tích chỉ được khen thưởng một lần "
                    "(Luật Thi đua, khen thưởng 2022, Điều 5)."
                ).format(title=TITLE_NAMES_VI[Title(other["title"])], year=other["year"])
            )
        if other["title"] == title.value and other["year"] == year:
            raise Conflict(
                _(
                    "Đã có đề nghị “{title}” năm {year} cho đối tượng này: "
                    "một danh hiệu chỉ xét một lần mỗi năm "
                    "(Luật Thi đua, khen thưởng 2022, Điều 5)."
                ).format(title=TITLE_NAMES_VI[title], year=year)
            )


def check_fighter_quota(has_advanced_worker: bool, advanced: int, fighters: int, cap: int) -> None:
    """Chiến sĩ thi đua cơ sở: the person has Lao động tiên tiến of the same year, and
    the unit's fighters, this one included, are at most `cap` % of its Lao động tiên
    tiến recipients (law brief §3: the long-standing 15%, a rule of the book)."""
    if not has_advanced_worker:
        raise InvalidInput(
            fields={
                "title": _(
                    "Chiến sĩ thi đua cơ sở chỉ xét cho cá nhân đã đạt danh hiệu Lao động "
                    "tiên tiến cùng năm (Nghị định 98/2023/NĐ-CP; tiêu chuẩn danh hiệu)."
                )
            }
        )
    if (fighters + 1) * 100 > advanced * cap:
        allowed = advanced * cap // 100
        raise Conflict(
            _(
                "Đơn vị có {advanced} Lao động tiên tiến năm này, nên có tối đa {allowed} "
                "Chiến sĩ thi đua cơ sở ({cap}% — Nghị định 98/2023/NĐ-CP); đã có {fighters}."
            ).format(advanced=advanced, allowed=allowed, cap=cap, fighters=fighters)
        )


def award(multiple: float, base_salary: int) -> Award:
    """The title's multiple of the base salary in force on the decision day, to the
    đồng (Decree 152/2025)."""
    amount = (Decimal(str(multiple)) * base_salary).quantize(Decimal(1), ROUND_HALF_UP)
    return Award(multiple=multiple, base_salary=base_salary, amount=int(amount))


def council_approves(vote: CouncilVote, pass_percent: int) -> bool:
    """The council agrees when the votes for exceed `pass_percent` % of its members
    (a rule of the book: "more than half" by default, UNCONFIRMED)."""
    return vote.votes_for * 100 > vote.members * pass_percent


def check_council_date(met_on: date, comment_until: date | None, today: date) -> None:
    """The council reviews the list once the public has had its days to comment."""
    if comment_until is None:
        raise Conflict(_("Danh sách đề nghị chưa được niêm yết lấy ý kiến Nhân dân."))
    if met_on <= comment_until:
        raise InvalidInput(
            fields={
                "met_on": _("Hội đồng họp sau khi hết thời gian lấy ý kiến ({day}).").format(
                    day=f"{comment_until:%d/%m/%Y}"
                )
            }
        )
    if met_on > today:
        raise InvalidInput(fields={"met_on": _("Ngày họp không được sau hôm nay.")})


def check_decision_day(decided_on: date, council_met_on: date, today: date) -> None:
    if decided_on < council_met_on:
        raise InvalidInput(
            fields={
                "decided_on": _("Quyết định không được trước ngày Hội đồng họp ({day}).").format(
                    day=f"{council_met_on:%d/%m/%Y}"
                )
            }
        )
    if decided_on > today:
        raise InvalidInput(fields={"decided_on": _("Ngày quyết định không được sau hôm nay.")})


def decision_key(authority: str, year: int, number: str) -> str:
    """A decision number is unique for its issuing authority and year (Decree 30/2020
    on clerical work: documents are numbered per issuer, from 1 each year)."""
    return f"{normalised(authority)}|{year}|{normalised(number)}"


def duplicate_number(number: str, authority: str, year: int) -> Conflict:
    return Conflict(
        _(
            "Số quyết định {number} của {authority} năm {year} đã được dùng: số văn bản là duy "
            "nhất theo cơ quan ban hành và năm (Nghị định 30/2020/NĐ-CP)."
        ).format(number=number, authority=authority, year=year)
    )


# ---- discipline (law brief §4) -----------------------------------------------------


def rule_set_for(staff_type: StaffType, violation_on: date) -> RuleSet:
    """Decree 172/2025 for cadres and civil servants from 1 Jul 2025; Decree 234/2026
    for public employees from 1 Jul 2026; before, Decree 112/2020 as amended by
    71/2023. Chosen by the violation's date."""
    if staff_type == StaffType.PUBLIC_EMPLOYEE:
        return (
            RuleSet.DECREE_234 if violation_on >= PUBLIC_EMPLOYEES_2026 else RuleSet.DECREE_112_71
        )
    return RuleSet.DECREE_172 if violation_on >= REFORM_2025 else RuleSet.DECREE_112_71


F = DisciplineForm
# The forms of each rule set by staff type (law brief §4): demotion and salary-step
# reduction were removed in 2025.
R, S = RuleSet, StaffType
AFTER_2025 = (F.REPRIMAND, F.WARNING, F.REMOVAL, F.FORCED_DISMISSAL)
CADRE_FORMS = (F.REPRIMAND, F.WARNING, F.REMOVAL, F.DISMISSAL_FROM_ELECTED_OFFICE)
FORMS = {
    (R.DECREE_112_71, S.CADRE): CADRE_FORMS,
    (R.DECREE_112_71, S.CIVIL_SERVANT): (
        F.REPRIMAND, F.WARNING, F.SALARY_STEP_REDUCTION, F.DEMOTION, F.REMOVAL, F.FORCED_DISMISSAL,
    ),
    (R.DECREE_112_71, S.PUBLIC_EMPLOYEE): AFTER_2025,
    (R.DECREE_172, S.CADRE): CADRE_FORMS,
    (R.DECREE_172, S.CIVIL_SERVANT): AFTER_2025,
    (R.DECREE_234, S.PUBLIC_EMPLOYEE): AFTER_2025,
}  # fmt: skip
# Forms for a post: removal and demotion only from a leading or managing post, the
# salary step only of one who holds none, dismissal only from an elected office.
LEADERS_ONLY = frozenset({F.REMOVAL, F.DEMOTION})


def allowed_forms(rule_set: RuleSet, subject: Subject) -> list[DisciplineForm]:
    allowed = []
    for form in FORMS[(rule_set, subject.staff_type)]:
        if form in LEADERS_ONLY and not subject.leader_or_manager:
            continue
        if form == F.SALARY_STEP_REDUCTION and subject.leader_or_manager:
            continue
        if form == F.DISMISSAL_FROM_ELECTED_OFFICE and not subject.elected:
            continue
        allowed.append(form)
    return allowed


def check_form(rule_set: RuleSet, subject: Subject, form: DisciplineForm) -> None:
    if form not in allowed_forms(rule_set, subject):
        allowed = ", ".join(FORM_NAMES_VI[f] for f in allowed_forms(rule_set, subject))
        raise InvalidInput(
            fields={
                "decision.form": _(
                    "{rule_set} không cho phép hình thức “{form}” với người này; "
                    "được áp dụng: {allowed}."
                ).format(
                    rule_set=RULE_SET_NAMES_VI[rule_set], form=FORM_NAMES_VI[form], allowed=allowed
                )
            }
        )


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February → 28 February)."""
    return day + relativedelta(years=years)


def limitation_ends(
    violation: Violation, later_violations: list[date], years: int | None
) -> date | None:
    """The last day the violation may still be disciplined: `years` from the
    violation, restarted by a new violation within the period; None for the
    violations no limitation protects (law brief §4)."""
    if violation.without_limitation is not None or years is None:
        return None
    ends = add_years(violation.committed_on, years)
    for later in sorted(later_violations):
        if violation.committed_on < later <= ends:
            ends = add_years(later, years)
    return ends


def limitation_years(book: Book, rule_set: RuleSet, violation: Violation) -> int:
    key = f"limitation.{rule_set.value}.{violation.gravity.value}"
    return int(book.needed(key, violation.committed_on, "violation.committed_on"))


def paused_days(pauses: list[Pause], since: date, today: date) -> int:
    """Calendar days the handling clock stood still: each pause from its first day to
    its last (`ends_on`), or to today while it lasts; overlaps counted once, and only
    the days from `since` (the discovery: before it no clock ran)."""
    days: set[date] = set()
    for pause in pauses:
        first, last = max(pause.starts_on, since), pause.ends_on or today
        days.update(first + timedelta(n) for n in range((last - first).days + 1))
    return len(days)


def handling_due(discovered_on: date, days: int, pauses: list[Pause], today: date) -> date:
    """The handling deadline: `days` calendar days (90, or 150 if complex) from the
    discovery, plus the days paused for serious illness, maternity or prosecution
    (Decree 112/2020; Decree 172/2025). Calendar days: a holiday changes nothing."""
    return discovered_on + timedelta(days=days + paused_days(pauses, discovered_on, today))


def effect_ends(decided_on: date, months: int) -> date:
    """The last day a decision is in effect: the corresponding day `months` later (12
    months, law brief §4; a period in months ends on the corresponding day, Civil Code
    2015 Art 148: 31/01 → 31/01 a year later, 31/01 + 1 month → 28 or 29/02). It
    lapses the day after."""
    return decided_on + relativedelta(months=months)


def is_recidivism(committed_on: date, earlier: list[tuple[date, date]]) -> bool:
    """A violation committed while an earlier decision was in effect
    (earlier: its decision day and the day its effect ended)."""
    return any(decided <= committed_on <= ends for decided, ends in earlier)


def check_step(step: Step, steps: list[Step], book: Book, rule_set: RuleSet, today: date) -> None:
    """A step of the procedure: skipped only on a ground the law gives (Decree 112
    Art 32; Decree 172 Art 16: a prior conclusion, a conviction, Party discipline);
    the council of 3 or 5 meets with at least 3 present, its chair and secretary among
    them, summoned at least the book's working days before; its vote is secret and
    counted here only as numbers."""
    if step.held_on is not None and step.held_on > today:
        raise InvalidInput(fields={"step.held_on": _("Ngày không được sau hôm nay.")})
    if step.skipped is not None and step.kind == StepKind.RECOMMENDATION:
        raise InvalidInput(
            fields={"step.skipped": _("Chỉ được bỏ qua họp kiểm điểm hoặc Hội đồng kỷ luật.")}
        )
    if step.kind != StepKind.COUNCIL or step.skipped is not None:
        return
    errors = {}
    if step.members not in (3, 5):
        errors["step.members"] = _(
            "Hội đồng kỷ luật có 03 hoặc 05 thành viên (Nghị định 112/2020)."
        )
    if (step.present or 0) < 3 or not (step.chair_present and step.secretary_present):
        errors["step.present"] = _(
            "Hội đồng chỉ họp khi có ít nhất 03 thành viên, trong đó có Chủ tịch và Thư ký "
            "Hội đồng (Nghị định 112/2020)."
        )
    elif step.members is not None and (step.present or 0) > step.members:
        errors["step.present"] = _("Số thành viên có mặt nhiều hơn số thành viên Hội đồng.")
    if step.proposed_form is None or step.ballot_for is None or step.ballot_against is None:
        errors["step.ballot_for"] = _("Ghi hình thức đề xuất và kết quả bỏ phiếu kín.")
    elif step.ballot_for + step.ballot_against > (step.present or 0):
        errors["step.ballot_for"] = _("Số phiếu nhiều hơn số thành viên có mặt.")
    notice_days = int(
        book.needed(f"council_notice_wd.{rule_set.value}", step.held_on, "step.notice_sent_on")
    )
    if (
        step.notice_sent_on is None
        or add_working_days(step.notice_sent_on, notice_days) > step.held_on
    ):
        errors["step.notice_sent_on"] = _(
            "Giấy triệu tập phải gửi ít nhất {days} ngày làm việc trước cuộc họp ({rule_set})."
        ).format(days=notice_days, rule_set=RULE_SET_NAMES_VI[rule_set])
    if errors:
        raise InvalidInput(fields=errors)


def check_decision(
    violation: Violation,
    limitation: date | None,
    decided_on: date,
    steps: list[Step],
    today: date,
) -> None:
    """A decision comes after the violation, within its limitation period, after the
    steps it follows, and not in the future."""
    if decided_on < violation.committed_on:
        raise InvalidInput(
            fields={
                "decision.decided_on": _(
                    "Quyết định kỷ luật không thể có ngày trước ngày vi phạm ({day})."
                ).format(day=f"{violation.committed_on:%d/%m/%Y}")
            }
        )
    if limitation is not None and decided_on > limitation:
        raise Conflict(
            _(
                "Đã hết thời hiệu xử lý kỷ luật ngày {day}: không thể ra quyết định kỷ luật "
                "(thời hiệu tính từ ngày vi phạm, hoặc từ vi phạm mới trong thời hiệu)."
            ).format(day=f"{limitation:%d/%m/%Y}")
        )
    held = [s.held_on for s in steps if s.held_on is not None]
    if held and decided_on < max(held):
        raise InvalidInput(
            fields={
                "decision.decided_on": _(
                    "Quyết định không được trước bước đã thực hiện ngày {day}."
                ).format(day=f"{max(held):%d/%m/%Y}")
            }
        )
    if decided_on > today:
        raise InvalidInput(
            fields={"decision.decided_on": _("Ngày quyết định không được sau hôm nay.")}
        )


@dataclass(frozen=True)
class CaseFacts:
    subject: Subject
    violation: Violation
    later_violations: list[date]
    discovered_on: date
    complex: bool
    steps: list[Step]
    pauses: list[Pause]
    decided_on: date | None
    closed: bool
    earlier_decisions: list[tuple[date, date]]  # the same person's, for recidivism


def _next_step(
    facts: CaseFacts, book: Book, rule_set: RuleSet, due: date, today: date
) -> tuple[str | None, date | None]:
    """What the procedure needs next, and by when (the sub-deadlines in working days,
    moved by the days paused since the step they follow, never later than the
    handling deadline)."""
    if facts.decided_on is not None or facts.closed:
        return None, None
    done = {s.kind: s for s in facts.steps}

    def wd(name: str, day: date) -> date:
        days = int(book.needed(f"{name}.{rule_set.value}", day, "step"))
        return add_working_days(day, days) + timedelta(paused_days(facts.pauses, day, today))

    review = done.get(StepKind.REVIEW_MEETING)
    council = done.get(StepKind.COUNCIL)
    recommendation = done.get(StepKind.RECOMMENDATION)
    if review is None:
        return _("Họp kiểm điểm"), due
    if council is None:
        by = wd("review_report_wd", review.held_on) if review.held_on else due
        return _("Báo cáo kiểm điểm, triệu tập Hội đồng kỷ luật"), min(by, due)
    if council.skipped is None and recommendation is None:
        return _("Hội đồng kỷ luật gửi văn bản kiến nghị"), min(
            wd("recommendation_wd", council.held_on), due
        )
    after = recommendation.held_on if recommendation is not None else None
    return _("Quyết định kỷ luật"), min(wd("decision_wd", after), due) if after else due


def clock(facts: CaseFacts, book: Book, today: date) -> Clock:
    """Every date of a case as the rules in force give them."""
    rule_set = rule_set_for(facts.subject.staff_type, facts.violation.committed_on)
    years = (
        None
        if facts.violation.without_limitation
        else limitation_years(book, rule_set, facts.violation)
    )
    days_key = "handling_days_complex" if facts.complex else "handling_days"
    days = int(book.needed(days_key, facts.discovered_on, "discovered_on"))
    due = handling_due(facts.discovered_on, days, facts.pauses, today)
    effect = None
    if facts.decided_on is not None:
        months = int(book.needed(f"effect_months.{rule_set.value}", facts.decided_on, "decision"))
        effect = effect_ends(facts.decided_on, months)
    recidivism_applies = book.value(
        f"recidivism.{facts.subject.staff_type.value}", facts.violation.committed_on
    )
    step, step_due = _next_step(facts, book, rule_set, due, today)
    return Clock(
        rule_set=rule_set,
        allowed_forms=allowed_forms(rule_set, facts.subject),
        limitation_ends_on=limitation_ends(facts.violation, facts.later_violations, years),
        handling_due_on=due,
        paused_days=paused_days(facts.pauses, facts.discovered_on, today),
        effect_ends_on=effect,
        recidivism=bool(recidivism_applies)
        and is_recidivism(facts.violation.committed_on, facts.earlier_decisions),
        next_step=step,
        next_step_due_on=step_due,
    )


def status(
    decided_on: date | None, effect_ends_on: date | None, closed: bool, today: date
) -> CaseStatus:
    if closed:
        return CaseStatus.CLOSED
    if decided_on is None:
        return CaseStatus.OPEN
    return (
        CaseStatus.LAPSED
        if effect_ends_on is not None and today > effect_ends_on
        else CaseStatus.DECIDED
    )


def is_overdue(case_clock: Clock, case_status: CaseStatus, today: date) -> bool:
    if case_status != CaseStatus.OPEN:
        return False
    due = min(d for d in (case_clock.handling_due_on, case_clock.next_step_due_on) if d)
    return today > due


def is_due_soon(case_clock: Clock, case_status: CaseStatus, today: date) -> bool:
    if case_status != CaseStatus.OPEN or is_overdue(case_clock, case_status, today):
        return False
    due = min(d for d in (case_clock.handling_due_on, case_clock.next_step_due_on) if d)
    return (due - today).days <= DUE_SOON_DAYS


def check_violation(violation: Violation, discovered_on: date, today: date) -> None:
    errors = {}
    if violation.committed_on > today:
        errors["violation.committed_on"] = _("Ngày vi phạm không được sau hôm nay.")
    if discovered_on < violation.committed_on:
        errors["discovered_on"] = _("Ngày phát hiện không được trước ngày vi phạm.")
    elif discovered_on > today:
        errors["discovered_on"] = _("Ngày phát hiện không được sau hôm nay.")
    if violation.gravity == Gravity.REPRIMAND_LEVEL and violation.without_limitation:
        errors["violation.without_limitation"] = _(
            "Vi phạm không áp dụng thời hiệu không phải là vi phạm mức khiển trách."
        )
    if errors:
        raise InvalidInput(fields=errors)
