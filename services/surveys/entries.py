"""What people enter after counting, checked and worded: why a household cannot be
put on a roll, the count minutes' photo, the decision record (Law 10/2022 Art 20.2).
Pure, no I/O."""

import base64
import binascii
from datetime import datetime

from services.surveys import domain
from shared.calendar import VIETNAM, vietnam_time
from shared.contracts.surveys import (
    PHOTO_MAX_BYTES,
    PHOTO_SIGNATURES,
    Channel,
    DecisionRecord,
    Photo,
    Poll,
    PollResults,
    SignOff,
)
from shared.errors import InvalidInput, parse
from shared.i18n import N_, _

PHOTO_REFUSED = N_("Ảnh biên bản phải là tệp JPG hoặc PNG, tối đa 5 MB.")
NOT_AN_ELECTOR = N_("Hộ không có trong danh sách hộ của tổ, thôn này.")


def refusal(channel: str, at: datetime | None, secret: bool) -> str:
    """Why a household that already took part cannot be recorded again (Art 21:
    one household, one vote). A secret ballot's time is not shown, only its day."""
    match channel:
        case Channel.ONLINE if at is None:
            return _("Hộ đã biểu quyết trực tuyến.")
        case Channel.ONLINE if secret:
            day = at.astimezone(VIETNAM).strftime("%d/%m/%Y")
            return _("Hộ đã biểu quyết trực tuyến ngày {day}.").format(day=day)
        case Channel.ONLINE:
            moment = vietnam_time(at)  # 08:00 ngày 05/06/2026
            return _("Hộ đã biểu quyết trực tuyến lúc {moment}.").format(moment=moment)
        case Channel.PAPER:
            return _("Hộ đã có trong danh sách nộp phiếu giấy.")
        case _:
            return _("Hộ đã dự họp và biểu quyết tại cuộc họp.")


def photo_bytes(photo: Photo) -> bytes:
    """The photo's bytes, if they really are a JPEG or PNG of at most 5 MB."""
    try:
        data = base64.b64decode(photo.data_base64, validate=True)
    except binascii.Error:
        data = b""
    if not data or len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(PHOTO_REFUSED, {"photo": PHOTO_REFUSED})
    if not data.startswith(PHOTO_SIGNATURES[photo.content_type]):
        raise InvalidInput(PHOTO_REFUSED, {"photo": PHOTO_REFUSED})
    return data


def percent(part: int, whole: int) -> str:
    """ "68,7%": one decimal, with the Vietnamese decimal comma."""
    share = 100 * part / whole if whole else 0.0
    return f"{share:.1f}".replace(".", ",") + "%"


def result_text(poll: Poll, results: PollResults) -> str:
    """ "Tán thành: 412/600 hộ (68,7%); ...": every option against ALL households
    (Art 21.1), then what the rule needed."""
    question = poll.questions[0]
    total = results.total_households
    parts = []
    for option in question.options:
        n = sum(results.totals.get(question.id, {}).get(option.id, {}).values())
        parts.append(
            _("{option}: {count}/{total} hộ ({share})").format(
                option=option.label, count=n, total=total, share=percent(n, total)
            )
        )
    outcome = results.outcome
    if outcome is not None:
        if outcome.counts == "units":
            agreeing = sum(1 for unit in results.units if unit.agrees)
            parts.append(
                _("số thôn, tổ dân phố tán thành: {count}/{total}").format(
                    count=agreeing, total=outcome.of_total
                )
            )
        needed = (
            _("cần {rule}: {needed}/{total} thôn, tổ dân phố")
            if outcome.counts == "units"
            else _("cần {rule}: {needed}/{total} hộ")
        )
        parts.append(
            needed.format(rule=outcome.rule_vi, needed=outcome.needed, total=outcome.of_total)
        )
    return "; ".join(parts) + "."


def form_text(poll: Poll, results: PollResults) -> str:
    """The forms of Art 17 households actually took part by, in Vietnamese."""
    used = [c for c in poll.channels if results.participated.get(c)] or poll.channels
    text = ", ".join(domain.FORM_NAMES_VI[domain.CHANNEL_FORMS[c]] for c in used)
    return text[:1].upper() + text[1:]


def decision_record(command: SignOff, poll: Poll, results: PollResults) -> DecisionRecord:
    """The biên bản of Art 20.2, every field: the numbers from the results, the
    names from the person signing off; due at the commune within 5 working days
    of the vote (Art 20.3)."""
    errors: dict[str, str] = {}
    representatives = [name.strip() for name in command.household_representatives]
    if not command.head_name.strip():
        errors["head_name"] = _("Vui lòng nhập họ tên trưởng thôn, tổ trưởng tổ dân phố.")
    if not command.front_head_name.strip():
        errors["front_head_name"] = _("Vui lòng nhập họ tên trưởng ban công tác Mặt trận.")
    if len(representatives) != 2 or not all(representatives):
        errors["household_representatives"] = _(
            "Vui lòng nhập họ tên đúng 2 đại diện hộ gia đình "
            "(Luật Thực hiện dân chủ ở cơ sở, Điều 20 khoản 2)."
        )
    if errors:
        raise InvalidInput(_("Biên bản chưa đủ thông tin."), errors)
    present = sum(results.participated.values())
    outcome = results.outcome
    decision = command.decision_text.strip() or (
        _("Thông qua") if outcome is not None and outcome.passes else _("Không thông qua")
    )
    return parse(
        DecisionRecord,
        {
            "held_at": poll.closes_at,
            "content": poll.title,
            "form": form_text(poll, results),
            "total_households": results.total_households,
            "present": present,
            "absent": max(results.total_households - present, 0),
            "result": result_text(poll, results),
            "decision": decision,
            "head_name": command.head_name,
            "front_head_name": command.front_head_name,
            "household_representatives": representatives,
            "send_by": domain.decision_record_due(poll.closes_at.astimezone(VIETNAM).date()),
        },
    )
