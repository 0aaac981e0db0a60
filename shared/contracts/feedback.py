"""Events of the feedback service (petitions and feedback: phản ánh, kiến nghị),
as the notifications service consumes them. The feedback service itself is not
built yet; these contracts are what it will publish."""

from datetime import date, datetime
from typing import ClassVar

from shared.contracts.common import Event
from shared.contracts.notifications import Owner


class PetitionEvent(Event):
    petition_id: str
    commune_id: str
    petitioner: Owner  # who filed it: a household, or an official on a resident's behalf
    title: str


class PetitionReceived(PetitionEvent):
    event_type: ClassVar[str] = "petition_received"
    received_at: datetime
    answer_due: date  # the handling deadline the feedback service computed


class PetitionAnswered(PetitionEvent):
    event_type: ClassVar[str] = "petition_answered"
    answered_at: datetime
    answer: str  # the public answer, or its summary


class PetitionOverdue(PetitionEvent):
    event_type: ClassVar[str] = "petition_overdue"
    answer_due: date
