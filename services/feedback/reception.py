"""Citizen reception days (tiếp công dân): pure rules, no I/O."""

from shared.contracts.feedback import ReceptionSlot
from shared.errors import InvalidInput
from shared.i18n import _


def check_schedule(slots: list[ReceptionSlot]) -> None:
    """The commune's Chairman receives citizens in person at least one day a week
    (Citizen Reception Law 2013 Art 15.1), and each slot ends after it starts."""
    for slot in slots:
        if slot.ends <= slot.starts:
            raise InvalidInput(fields={"slots": _("Giờ kết thúc phải sau giờ bắt đầu.")})
    if not any(slot.by_chairman for slot in slots):
        raise InvalidInput(
            fields={
                "slots": _(
                    "Chủ tịch Ủy ban nhân dân xã tiếp công dân ít nhất một ngày mỗi tuần "
                    "(Luật Tiếp công dân 2013 Điều 15)."
                )
            }
        )
