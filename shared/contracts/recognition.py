"""Events of the recognition service (commendations: khen thưởng), as the
notifications service consumes them. The recognition service itself is not
built yet; these contracts are what it will publish."""

from datetime import date
from typing import ClassVar

from shared.contracts.common import Event
from shared.contracts.notifications import Owner


class CommendationDecided(Event):
    event_type: ClassVar[str] = "commendation_decided"
    decision_id: str
    commune_id: str
    recipient: Owner  # the household or official commended
    form: str  # e.g. "Giấy khen của Chủ tịch Ủy ban nhân dân phường"
    reason: str
    decision_ref: str  # e.g. "Quyết định số 25/QĐ-UBND"
    decided_on: date
