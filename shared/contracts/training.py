"""Events of the training service (courses for officials and board members), as
the notifications service consumes them. The training service itself is not
built yet; these contracts are what it will publish."""

from datetime import datetime
from typing import ClassVar

from shared.contracts.common import Event
from shared.contracts.staff import Username


class RegistrationEvent(Event):
    registration_id: str
    commune_id: str
    username: Username  # the official who registered
    course_title: str
    session_starts_at: datetime
    place: str


class RegistrationConfirmed(RegistrationEvent):
    event_type: ClassVar[str] = "registration_confirmed"


class MovedOffWaitlist(RegistrationEvent):
    """A place freed up: the official waiting for it now has it."""

    event_type: ClassVar[str] = "moved_off_waitlist"
