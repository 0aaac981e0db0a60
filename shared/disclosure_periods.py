"""By when a decision is disclosed on the commune's notice board and how long it is
posted (công khai, Law 10/2022 Art 12.3, Art 13): the notifications service refuses
a posting that breaks them, the gateway's form shows them before it is sent.
Pure: no I/O."""

from datetime import date, timedelta

from shared.calendar import add_working_days
from shared.i18n import N_, _, format_day

LAW = N_("Luật Thực hiện dân chủ ở cơ sở")
# Art 13: disclosed within 5 working days of the decision (unless a sector law says otherwise)
DEADLINE_WORKING_DAYS = 5
# Art 12.3: items 1-3 and 5-12 are posted for at least 30 consecutive days
MIN_POSTING_DAYS = 30
# Art 12.3: items 7-12 also go out by loudspeaker, for at least 3 consecutive days
MIN_LOUDSPEAKER_DAYS = 3


def deadline(decision_date: date) -> date:
    """The last day to disclose a decision (Art 13: within 5 working days)."""
    return add_working_days(decision_date, DEADLINE_WORKING_DAYS)


def portal_day(posted_from: date, today: date) -> date:
    """When it reaches the portal (this system): not before the day it is entered,
    so a posting entered late cannot be made on time by backdating it (Art 9)."""
    return max(posted_from, today)


def is_late(decision_date: date, posted_from: date, today: date) -> bool:
    return portal_day(posted_from, today) > deadline(decision_date)


def late_warning(decision_date: date, posted_from: date, today: date) -> str:
    start = portal_day(posted_from, today)
    return _(
        "Quá hạn công khai: quyết định ngày {decided} phải được công khai chậm nhất ngày "
        "{deadline} (trong {days} ngày làm việc, Luật Thực hiện dân chủ ở cơ sở, Điều 13), "
        "nhưng đến ngày {start} mới công khai. Vui lòng ghi lý do công khai muộn."
    ).format(
        decided=format_day(decision_date),
        deadline=format_day(deadline(decision_date)),
        days=DEADLINE_WORKING_DAYS,
        start=format_day(start),
    )


def default_period(today: date) -> tuple[date, date]:
    """What the form offers: from today, for the shortest posting Art 12.3 allows."""
    return today, today + timedelta(days=MIN_POSTING_DAYS - 1)
