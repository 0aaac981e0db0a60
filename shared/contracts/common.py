"""Contracts that every service uses."""

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Contract(BaseModel):
    """Strict about unknown fields, so a typo in a caller fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(Contract):
    """Something that happened, published once it is stored.

    `event_id` lets every consumer ignore a redelivery (nameko delivers at
    least once).
    """

    # A tolerant reader: during a rolling upgrade a consumer of the previous release
    # gets events from a producer of this one, and must not drop one for a field it
    # does not know yet (README: Operations).
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_id: str
    occurred_at: datetime


class ServiceHealth(Contract):
    """What `<service>.health` answers."""

    service: str
    database_up: bool
