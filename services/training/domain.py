"""The training rules, pure: who may register, when, what completes a course, the
codes people hold, and how the year's coverage is counted.

The duty: train those who carry out grassroots democracy on a yearly plan (Law
10/2022 Art 8.1; Resolution of the province, measure 1; the ward's target 2.1:
officials, People's Inspection Board and Community Investment Supervision Board
members, heads of thôn / tổ dân phố and of the Front work committees, the teams
drafting village conventions).
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.calendar import vietnam_day
from shared.contracts.positions import Holding, Position
from shared.contracts.training import CompletionKind, CompletionRule
from shared.i18n import N_, _
from shared.ids import CODE_ALPHABET, new_code

CHECK_IN_EARLY = timedelta(minutes=30)  # the QR code works from half an hour before
CHECK_IN_LATE = timedelta(minutes=0)  # ... until the session ends
CERTIFICATE_CHARS = 16
TOKEN_HEX = 20


def new_invitation_code() -> str:
    """A person's personal code: "TH-" and 8 characters, about 2^40 codes."""
    return "TH-" + new_code(8)


def new_registration_code() -> str:
    """A registration's receipt: "DK-" and 8 characters, about 2^40 codes."""
    return "DK-" + new_code(8)


def _signed(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def certificate_code(key: bytes, certificate_id: str) -> str:
    """The certificate's verification code: an HMAC of its id under the commune's key
    (32^16 ≈ 10^24 codes), so it can be neither guessed nor made up."""
    digest = _signed(key, f"certificate|{certificate_id}")
    chars = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CERTIFICATE_CHARS])
    return "-".join(chars[i : i + 4] for i in range(0, CERTIFICATE_CHARS, 4))


def code_is_genuine(key: bytes, certificate_id: str, code: str) -> bool:
    return hmac.compare_digest(certificate_code(key, certificate_id), code)


def check_in_token(key: bytes, session_id: str, starts_at: datetime) -> str:
    """What the session's QR code carries: an HMAC of the session and its time, so a
    moved session's old code stops working."""
    return _signed(key, f"check-in|{session_id}|{starts_at.isoformat()}").hex()[:TOKEN_HEX]


def check_in_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    return starts_at - CHECK_IN_EARLY, ends_at + CHECK_IN_LATE


def check_in_refusal(
    key: bytes, session_id: str, starts_at: datetime, ends_at: datetime, token: str, now: datetime
) -> str | None:
    """Why a QR check-in is refused, or None: the code must be the session's own and
    used during the session."""
    if not hmac.compare_digest(check_in_token(key, session_id, starts_at), token):
        return _("Mã QR điểm danh không đúng: hãy quét lại mã đang chiếu trong lớp.")
    opens, closes = check_in_window(starts_at, ends_at)
    if now < opens:
        return _("Chưa đến giờ điểm danh của buổi học này.")
    if now > closes:
        return _("Buổi học đã kết thúc: không còn điểm danh được.")
    return None


def registration_refusal(
    opens_on: date, closes_on: date, starts_at: datetime, now: datetime
) -> str | None:
    """Why nobody may register for this session now, or None: registration opens
    and closes on the days the clerk set, and never after the session started."""
    today = vietnam_day(now)
    if starts_at <= now:
        return _("Buổi học này đã bắt đầu hoặc đã qua: không đăng ký được nữa.")
    if today < opens_on:
        return _("Khóa học mở đăng ký từ ngày {day}.").format(day=f"{opens_on:%d/%m/%Y}")
    if today > closes_on:
        return _("Khóa học đã hết hạn đăng ký (ngày {day}).").format(day=f"{closes_on:%d/%m/%Y}")
    return None


def cancellation_refusal(starts_at: datetime, hours_before: int, now: datetime) -> str | None:
    cutoff = starts_at - timedelta(hours=hours_before)
    if now >= cutoff and hours_before == 0:
        return _("Buổi học đã bắt đầu: không hủy đăng ký được nữa. Xin liên hệ cán bộ phụ trách.")
    if now >= cutoff:
        return _(
            "Đã quá hạn hủy đăng ký (chậm nhất {hours} giờ trước khi buổi học "
            "bắt đầu). Xin liên hệ cán bộ phụ trách."
        ).format(hours=hours_before)
    return None


def eligible_positions(
    holdings: Iterable[Holding], course_positions: Iterable[Position], day: date
) -> set[Position]:
    """The course's positions a person holds on `day`: a person who left a position
    no longer counts for it from the day they left (issue #15, point 1)."""
    wanted = set(course_positions)
    return {h.position for h in holdings if h.position in wanted and h.held_on(day)}


NOT_ELIGIBLE = N_(
    "Người này không giữ chức danh nào mà khóa học hướng tới, nên không đăng ký được."
)


def completed(rule: CompletionRule, sessions: int, attended: int) -> bool:
    """Whether attending `attended` of a course's `sessions` completes it."""
    if sessions == 0:
        return False
    if rule.kind == CompletionKind.ALL_SESSIONS:
        return attended >= sessions
    return attended >= min(rule.minimum or sessions, sessions)


# ---- coverage ----------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """One holding counted for the year: the person is trained or still missing."""

    unit_id: str
    position: Position
    person_id: str
    full_name: str
    trained: bool


def counted_holdings(
    holdings: Iterable[Holding],
    trained_on: dict[tuple[str, Position], date],
    counted_from: date,
    as_of: date,
) -> list[Counted]:
    """Who counts for each unit and position in a year, as of `as_of`.

    The rule (issue #15, point 6; said on the coverage page): a person counts for a
    position if they held it on the day the year's targets were set (`counted_from`)
    or took it up since; one who left it before `as_of` still counts only if they
    completed a course serving it before they left (the commune trained them), and
    otherwise no longer (they need not be trained for it: point 1).
    `trained_on[(person, position)]` is the first day in the year the person
    completed a course serving the position. A person is counted once per unit and
    position, whatever their holdings there.
    """
    seen: dict[tuple[str, Position, str], Counted] = {}
    for holding in holdings:
        if holding.starts_on > as_of:
            continue
        if holding.ends_on is not None and holding.ends_on <= counted_from:
            continue  # left before the year's targets: not this year's to train
        day = trained_on.get((holding.person.person_id, holding.position))
        left = holding.ends_on is not None and holding.ends_on <= as_of
        if left and (day is None or day > holding.ends_on):
            continue
        key = (holding.unit_id, holding.position, holding.person.person_id)
        trained = day is not None and day <= as_of
        if key not in seen or trained:
            seen[key] = Counted(
                holding.unit_id,
                holding.position,
                holding.person.person_id,
                holding.person.full_name,
                trained,
            )
    return list(seen.values())


def share(trained: int, holders: int) -> float | None:
    return None if holders == 0 else trained / holders
