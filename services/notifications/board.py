"""The rules of the commune's public notice board (công khai), Law 10/2022 Art 11-13;
its deadline and posting periods, which the gateway's form shows too, are in
shared/disclosure_periods.py. Pure: no I/O. Every refusal names the form field and
the article it comes from."""

from datetime import date, datetime, timedelta

from shared.calendar import vietnam_day
from shared.contracts.disclosures import (
    Disclosure,
    DisclosureCategory,
    DisclosureForm,
    PostDisclosure,
)
from shared.disclosure_periods import (
    MIN_LOUDSPEAKER_DAYS,
    MIN_POSTING_DAYS,
    deadline,
    is_late,
    late_warning,
)
from shared.errors import InvalidInput
from shared.i18n import _, format_day

C = DisclosureCategory
# Art 12.3: items 4 and 13 are posted permanently (niêm yết thường xuyên), updated on change
PERMANENT_CATEGORIES = frozenset({C.DEMOCRACY_REGULATION, C.ADMINISTRATIVE_PROCEDURES})
# Art 12.3: items 1-3 and 5-12 are posted for at least MIN_POSTING_DAYS consecutive days
TIMED_POSTING_CATEGORIES = frozenset(C(n) for n in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12))
# Art 12.3: items 7-12 also go out by loudspeaker, for at least MIN_LOUDSPEAKER_DAYS
# consecutive days, and through the thôn / tổ dân phố heads
LOUDSPEAKER_CATEGORIES = frozenset(C(n) for n in range(7, 13))
GROUP_HEAD_CATEGORIES = LOUDSPEAKER_CATEGORIES
# Art 12.3: items 1-13 are posted at the commune office and the community points
POSTED_CATEGORIES = TIMED_POSTING_CATEGORIES | PERMANENT_CATEGORIES


def is_permanent(category: DisclosureCategory) -> bool:
    return category in PERMANENT_CATEGORIES


def posting_days(posted_from: date, posted_to: date) -> int:
    """Consecutive days on the board, the first and the last included."""
    return (posted_to - posted_from).days + 1


def with_portal(forms: list[DisclosureForm]) -> list[DisclosureForm]:
    """Art 12.3: where the commune has a portal, everything goes on it, and this
    system is the portal. In the order of Art 12.1, each form once."""
    chosen = {*forms, DisclosureForm.PORTAL}
    return [form for form in DisclosureForm if form in chosen]


def check_posting(command: PostDisclosure, today: date) -> None:
    """Refuse a posting the law does not allow; `today` is the day it is entered."""
    errors = {**_check_dates(command), **_check_forms(command)}
    late = "posted_from" not in errors and is_late(
        command.decision_date, command.posted_from, today
    )
    if late and command.late_reason is None:
        errors["late_reason"] = late_warning(command.decision_date, command.posted_from, today)
    if errors:
        raise InvalidInput(fields=errors)


def _check_dates(command: PostDisclosure) -> dict[str, str]:
    errors: dict[str, str] = {}
    if command.posted_from < command.decision_date:
        errors["posted_from"] = _("Ngày bắt đầu công khai không được trước ngày ra quyết định.")
    if is_permanent(command.category):
        if command.posted_to is not None:
            errors["posted_to"] = _(
                "Mục {number} được niêm yết vĩnh viễn (thường xuyên): để trống ngày kết thúc "
                "(Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
            ).format(number=command.category.value)
    elif command.posted_to is None:
        errors["posted_to"] = _("Vui lòng nhập ngày kết thúc niêm yết.")
    elif command.posted_to < command.posted_from:
        errors["posted_to"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    elif command.category in TIMED_POSTING_CATEGORIES and (
        posting_days(command.posted_from, command.posted_to) < MIN_POSTING_DAYS
    ):
        last = command.posted_from + timedelta(days=MIN_POSTING_DAYS - 1)
        errors["posted_to"] = _(
            "Niêm yết ít nhất {days} ngày liên tục, tức là đến ngày {last} trở đi "
            "(Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
        ).format(days=MIN_POSTING_DAYS, last=format_day(last))
    return errors


def _check_forms(command: PostDisclosure) -> dict[str, str]:
    errors: dict[str, str] = {}
    forms = set(command.forms)
    number = command.category.value
    if command.category in POSTED_CATEGORIES and DisclosureForm.POSTING not in forms:
        errors["forms"] = _(
            "Mục {number} phải được niêm yết tại trụ sở Ủy ban nhân dân xã và điểm sinh hoạt "
            "cộng đồng (Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
        ).format(number=number)
    elif command.category in GROUP_HEAD_CATEGORIES and DisclosureForm.VIA_GROUP_HEAD not in forms:
        errors["forms"] = _(
            "Mục {number} còn phải được thông báo qua trưởng thôn, tổ trưởng tổ dân phố "
            "(Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
        ).format(number=number)
    if DisclosureForm.LOUDSPEAKER in forms:
        if (command.loudspeaker_days or 0) < MIN_LOUDSPEAKER_DAYS:
            errors["loudspeaker_days"] = _(
                "Thông báo trên hệ thống truyền thanh ít nhất {days} ngày liên tục "
                "(Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
            ).format(days=MIN_LOUDSPEAKER_DAYS)
    elif command.category in LOUDSPEAKER_CATEGORIES:
        errors["loudspeaker_days"] = _(
            "Mục {number} phải được thông báo trên hệ thống truyền thanh ít nhất {days} ngày "
            "liên tục (Luật Thực hiện dân chủ ở cơ sở, Điều 12 khoản 3)."
        ).format(number=number, days=MIN_LOUDSPEAKER_DAYS)
    elif command.loudspeaker_days is not None:
        errors["loudspeaker_days"] = _("Chọn hình thức truyền thanh, hoặc để trống số ngày.")
    return errors


def disclosure_from(command: PostDisclosure, posted_at: datetime) -> Disclosure:
    """The disclosure to store, once the law allows it; `late` if it came after the
    deadline, with the reason given (Art 13)."""
    today = vietnam_day(posted_at)
    check_posting(command, today)
    late = is_late(command.decision_date, command.posted_from, today)
    return Disclosure(
        id=command.request_id,
        **command.model_dump(exclude={"actor", "request_id", "forms", "late_reason"}),
        forms=with_portal(command.forms),
        late_reason=command.late_reason if late else None,
        permanent=is_permanent(command.category),
        deadline=deadline(command.decision_date),
        late=late,
        posted_by=command.actor,
        posted_at=posted_at,
    )


def check_replacement(old: Disclosure | None, command: PostDisclosure) -> None:
    """Only a permanent disclosure still on the board is updated, by one of the same
    commune and item (Art 12.3: items 4 and 13 are posted permanently and updated
    whenever they change)."""
    problem = None
    if old is None or old.commune_id != command.commune_id:
        problem = _("Không tìm thấy nội dung công khai cần cập nhật.")
    elif not old.permanent or old.category != command.category:
        problem = _("Chỉ cập nhật nội dung niêm yết vĩnh viễn, bằng nội dung cùng mục.")
    elif old.replaced_by is not None:
        problem = _("Nội dung này đã được cập nhật; hãy cập nhật bản mới nhất.")
    if problem:
        raise InvalidInput(fields={"replaces": problem})


def ended_by_update(update: Disclosure) -> date:
    """The last day an updated disclosure stays on the board: the day before its update
    starts, so the board never shows two versions of one regulation (an update the day
    it was posted leaves it ending before it began: never on the board again)."""
    return update.posted_from - timedelta(days=1)


def is_current(disclosure: Disclosure, on: date) -> bool:
    """On the board on day `on`: started, and permanent or not yet ended."""
    ended = disclosure.posted_to is not None and disclosure.posted_to < on
    return disclosure.posted_from <= on and not ended


def is_archived(disclosure: Disclosure, on: date) -> bool:
    """Its posting ended before `on`: kept in the archive (a permanent one only once an
    update took its place)."""
    return disclosure.posted_to is not None and disclosure.posted_to < on
