"""The feedback service's rules: pure functions, no I/O, each citing its source
(`../shared/domain/law-brief.md` §5 and §1.6).

Deadlines are dates in Vietnam. "Working days" (ngày làm việc) skip weekends,
public holidays and the days given off in their place, and count the Saturdays
worked in exchange (shared/calendar.py). A period counted in calendar days that
ends on a day off ends on the next working day (Civil Code 2015 Art 148.5).
"""

import secrets
from datetime import date, timedelta

from shared.calendar import add_working_days, is_working_day
from shared.contracts.feedback import (
    DEADLINE_VI,
    CaseStatus,
    CaseType,
    Category,
    Complexity,
    Deadline,
)
from shared.errors import Conflict
from shared.i18n import N_, _

DUE_SOON_WORKING_DAYS = 3  # the dashboard's "due soon"
FILINGS_PER_SOURCE_PER_HOUR = 10  # from one address, household or phone
REOPENS_ALLOWED = 1  # a filer not satisfied with the answer may reopen the case once
MAX_EXTENSIONS = {Complexity.NORMAL: 0, Complexity.COMPLEX: 1, Complexity.VERY_COMPLEX: 2}
EXTENSION_DAYS = 30  # Denunciation Law 2018 Art 30.1
# Types published on the public list of answered cases: complaints and denunciations
# concern named people (Denunciation Law 2018 Art 47) and stay between the filer and
# the commune.
PUBLIC_TYPES = frozenset({CaseType.FEEDBACK, CaseType.INSPECTION_RECOMMENDATION})

DEFAULT_CATEGORIES = (
    Category(key="roads", name=N_("Đường sá, giao thông")),
    Category(key="lighting", name=N_("Chiếu sáng công cộng")),
    Category(key="environment", name=N_("Môi trường, vệ sinh")),
    Category(key="security", name=N_("An ninh, trật tự")),
    Category(key="land", name=N_("Đất đai, xây dựng")),
    Category(key="public_services", name=N_("Dịch vụ công, thủ tục hành chính")),
    Category(key="officials_conduct", name=N_("Thái độ, hành vi của cán bộ")),
    Category(key="other", name=N_("Khác")),
)

# Letters and digits a resident cannot mistake for one another (no I, L, O, U, 0, 1).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_code() -> str:
    """A receipt code: "PA-" and 8 characters, about 2^39 codes, not guessable."""
    return "PA-" + "".join(secrets.choice(CODE_ALPHABET) for _position in range(8))


def period_end(start: date, days: int) -> date:
    """The last day of a period of `days` calendar days from `start`; if it falls on
    a day off, the next working day (Civil Code 2015 Art 148.5)."""
    end = start + timedelta(days=days)
    while not is_working_day(end):
        end += timedelta(days=1)
    return end


def inform_due(received: date) -> date:
    """Tell the citizen whether the case is accepted, being verified, refused or
    transferred, within 10 working days (Citizen Reception Law 2013 Art 28)."""
    return add_working_days(received, 10)


def transfer_due(received: date) -> date:
    """Send a case the commune may not decide to the competent body within 5
    working days (Denunciation Law 2018 Art 24.2; Decree 20/2008 Art 9)."""
    return add_working_days(received, 5)


def complaint_accept_due(received: date) -> date:
    """Accept (thụ lý) a complaint within 10 days of receiving it (Complaints Law
    2011 Art 27; counted in working days, law-brief §5)."""
    return add_working_days(received, 10)


def complaint_decision_due(accepted: date, complexity: Complexity, remote_area: bool) -> date:
    """First-instance decision within 30 days of acceptance, 45 if complex; in
    remote areas 45, or 60 if complex (Complaints Law 2011 Art 28)."""
    complex_case = complexity != Complexity.NORMAL
    days = (60 if complex_case else 45) if remote_area else (45 if complex_case else 30)
    return period_end(accepted, days)


def denunciation_check_due(received: date) -> date:
    """Log and check a denunciation within 7 working days of receiving it
    (Denunciation Law 2018 Art 24.1)."""
    return add_working_days(received, 7)


def denunciation_resolution_due(accepted: date, extensions: int) -> date:
    """Resolve within 30 days of acceptance, each extension adding 30 days
    (Denunciation Law 2018 Art 30.1)."""
    return period_end(accepted, 30 + EXTENSION_DAYS * extensions)


def feedback_answer_due(accepted: date) -> date:
    """Answer a resident's feedback or petition within 10 working days (Circular
    05/2021/TT-TTCP; law-brief §5 marks the article UNCONFIRMED)."""
    return add_working_days(accepted, 10)


def recommendation_answer_due(received: date) -> date:
    """The People's Committee answers the People's Inspection Board's recommendation
    within 15 days (Law 10/2022 Art 40.1.c)."""
    return period_end(received, 15)


def deadlines_on_receipt(received: date) -> dict[Deadline, date]:
    """What runs from the day a case arrives, before anyone has triaged it."""
    return {Deadline.INFORM: inform_due(received)}


def deadlines_of(
    case_type: CaseType,
    received: date,
    accepted: date | None,
    complexity: Complexity = Complexity.NORMAL,
    remote_area: bool = False,
    extensions: int = 0,
) -> dict[Deadline, date]:
    """Every deadline of a case of `case_type`: the ones from receipt, and once it
    is accepted (`accepted`), its resolution."""
    deadlines = deadlines_on_receipt(received)
    match case_type:
        case CaseType.FEEDBACK:
            if accepted:
                deadlines[Deadline.RESOLVE] = feedback_answer_due(accepted)
        case CaseType.COMPLAINT:
            deadlines[Deadline.ACCEPT] = complaint_accept_due(received)
            if accepted:
                deadlines[Deadline.RESOLVE] = complaint_decision_due(
                    accepted, complexity, remote_area
                )
        case CaseType.DENUNCIATION:
            deadlines[Deadline.ACCEPT] = denunciation_check_due(received)
            if accepted:
                deadlines[Deadline.RESOLVE] = denunciation_resolution_due(accepted, extensions)
        case CaseType.INSPECTION_RECOMMENDATION:
            deadlines[Deadline.RESOLVE] = recommendation_answer_due(received)
    return deadlines


def check_no_deadline_shortened(
    running: dict[Deadline, date], proposed: dict[Deadline, date]
) -> None:
    """A change of type or complexity must not shorten a deadline already running:
    the filer was told it (Citizen Reception Law Art 28), and handlers plan on it."""
    for deadline, due in running.items():
        if deadline in proposed and proposed[deadline] < due:
            raise Conflict(
                _(
                    "Không thể đổi như vậy: hạn “{deadline}” đang chạy đến {due} "
                    "sẽ bị rút ngắn còn {shortened}."
                ).format(
                    deadline=DEADLINE_VI[deadline],
                    due=f"{due:%d/%m/%Y}",
                    shortened=f"{proposed[deadline]:%d/%m/%Y}",
                )
            )


def deadlines_met(status: CaseStatus, transferred_out: bool) -> set[Deadline]:
    """Which deadlines a case in `status` has met: accepting, transferring or
    answering tells the citizen how it is handled; an answer resolves it."""
    met: set[Deadline] = set()
    if status != CaseStatus.RECEIVED:
        met |= {Deadline.INFORM, Deadline.ACCEPT}
    if transferred_out:
        met |= {Deadline.TRANSFER, Deadline.RESOLVE}
    if status in (CaseStatus.ANSWERED, CaseStatus.CLOSED):
        met |= set(Deadline)
    return met


def next_due(deadlines: dict[Deadline, date], met: set[Deadline]) -> tuple[Deadline, date] | None:
    """The earliest deadline not met yet."""
    running = [(due, deadline) for deadline, due in deadlines.items() if deadline not in met]
    if not running:
        return None
    due, deadline = min(running)
    return deadline, due


def is_overdue(due: date | None, today: date) -> bool:
    """Overdue from the day after the deadline: the deadline's day itself is in time."""
    return due is not None and today > due


def is_due_soon(due: date | None, today: date) -> bool:
    """Due today or within DUE_SOON_WORKING_DAYS working days, and not overdue."""
    return due is not None and today <= due <= add_working_days(today, DUE_SOON_WORKING_DAYS)


def check_extension(case_type: CaseType | None, complexity: Complexity, extensions: int) -> None:
    """A denunciation's resolution may be extended once if complex, twice if
    especially complex, each by 30 days (Denunciation Law 2018 Art 30.1); no
    other type is extended this way."""
    if case_type != CaseType.DENUNCIATION:
        raise Conflict(_("Chỉ gia hạn giải quyết tố cáo (Luật Tố cáo 2018 Điều 30)."))
    if extensions >= MAX_EXTENSIONS[complexity]:
        allowed = MAX_EXTENSIONS[complexity]
        raise Conflict(
            _(
                "Không thể gia hạn thêm: vụ việc không phức tạp không được gia hạn "
                "(Luật Tố cáo 2018 Điều 30)."
            )
            if allowed == 0
            else _(
                "Không thể gia hạn thêm: vụ việc chỉ được gia hạn {allowed} lần "
                "(Luật Tố cáo 2018 Điều 30)."
            ).format(allowed=allowed)
        )


# Which actions each status allows (the public timeline's order: received →
# accepted → transferred / in progress → answered → closed; a reopened case is in
# progress again).
ALLOWED_FROM = {
    "triage": {CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS},
    "split": {CaseStatus.RECEIVED},
    "transfer": {CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS},
    "start": {CaseStatus.ACCEPTED, CaseStatus.TRANSFERRED},
    "extend": {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS},
    "answer": {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.TRANSFERRED},
    "close": {CaseStatus.ANSWERED, CaseStatus.TRANSFERRED},
    "rate": {CaseStatus.ANSWERED},
    "reopen": {CaseStatus.ANSWERED, CaseStatus.CLOSED},
}
REFUSED_VI = {
    "triage": N_("Vụ việc đã được trả lời hoặc đã kết thúc, không phân loại lại được."),
    "split": N_("Chỉ tách đơn khi chưa thụ lý."),
    "transfer": N_("Vụ việc đã được trả lời hoặc đã kết thúc, không chuyển được."),
    "start": N_("Vụ việc chưa được thụ lý hoặc đã được trả lời."),
    "extend": N_("Chỉ gia hạn vụ việc đang giải quyết."),
    "answer": N_("Cần thụ lý vụ việc trước khi trả lời, hoặc vụ việc đã được trả lời."),
    "close": N_("Chỉ kết thúc vụ việc đã được trả lời hoặc đã chuyển đi."),
    "rate": N_("Chỉ đánh giá được khi vụ việc đã có trả lời."),
    "reopen": N_("Chỉ mở lại được vụ việc đã có trả lời."),
}


def check_action(action: str, status: CaseStatus) -> None:
    if status not in ALLOWED_FROM[action]:
        raise Conflict(REFUSED_VI[action])


def check_triage(case_type: CaseType, anonymous: bool) -> None:
    """An anonymous filing is feedback, never a denunciation: a denunciation needs
    an identified denouncer (Denunciation Law 2018 Art 2.1, 23)."""
    if anonymous and case_type == CaseType.DENUNCIATION:
        raise Conflict(
            _(
                "Đơn ẩn danh không được xử lý là tố cáo (Luật Tố cáo 2018 Điều 23): "
                "hãy xử lý là phản ánh, kiến nghị."
            )
        )


def may_rate(status: CaseStatus, rated: bool) -> bool:
    """The filer rates each answer once (Law 10/2022 Art 35.2.a)."""
    return status == CaseStatus.ANSWERED and not rated


def check_reopen(status: CaseStatus, satisfied: bool | None, reopened: int) -> None:
    """A filer not satisfied with the answer may reopen the case once."""
    check_action("reopen", status)
    if satisfied is not False:
        raise Conflict(_("Chỉ mở lại khi bạn đã đánh giá chưa hài lòng với câu trả lời."))
    if reopened >= REOPENS_ALLOWED:
        raise Conflict(_("Vụ việc đã được mở lại một lần; không mở lại thêm được."))


def may_reopen(status: CaseStatus, satisfied: bool | None, reopened: int) -> bool:
    try:
        check_reopen(status, satisfied, reopened)
    except Conflict:
        return False
    return True


def handling_days(received: date, answered: date) -> int:
    """Calendar days from receipt to answer, for the figures."""
    return (answered - received).days


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values kept as {value: how many}, e.g. handling days."""
    total = sum(histogram.values())
    if total == 0:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    seen, lower = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            return (lower + value) / 2
    raise AssertionError("unreachable")
