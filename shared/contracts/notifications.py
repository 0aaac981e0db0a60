"""Contracts of the notifications service."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from shared.contracts.common import Contract, Text
from shared.contracts.households import HouseholdCode, normalize_phone
from shared.contracts.staff import Role, Username
from shared.i18n import N_

# Enough to catch a typo; the mail server is the judge of the rest.
EmailAddress = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
]


class StaffNotice(Contract):
    """A line in a commune's staff notice feed."""

    id: str
    commune_id: str
    title: str
    body: str
    created_at: datetime


class ListStaffNotices(Contract):
    """`notifications.list_staff_notices`."""

    commune_id: Text
    limit: int = Field(default=20, ge=1, le=100)


class StaffNoticeList(Contract):
    notices: list[StaffNotice]


# ---- Messages to people: inboxes, audiences, channels, deliveries ----


class Channel(StrEnum):
    """Ways a message reaches a person besides the inbox, which every message reaches."""

    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"


CHANNEL_NAMES_VI = {
    Channel.EMAIL: N_("thư điện tử"),
    Channel.SMS: N_("tin nhắn SMS"),
    Channel.ZALO: "Zalo",
}


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class Owner(Contract):
    """Whose inbox: a household (by its code) or an official (by username)."""

    household: HouseholdCode | None = None
    username: Username | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Owner":
        if (self.household is None) == (self.username is None):
            raise ValueError("an inbox belongs to a household or to an official")
        return self

    @property
    def key(self) -> str:
        return f"h:{self.household}" if self.household else f"s:{self.username}"


class AudienceKind(StrEnum):
    PERSON = "person"  # one official, by username
    HOUSEHOLD = "household"  # one household, by code
    UNIT = "unit"  # every household of a residential group, or of the whole commune
    ROLE = "role"  # every holder of a role in the commune (all group heads, all inspectors)
    POLL_PARTICIPANTS = "poll_participants"  # the households that took part in a poll
    # the people registered for a training course, or for one of its sessions; those
    # with no account or household are reached at their phone or email
    TRAINING_PARTICIPANTS = "training_participants"
    # a phone number or an email address a resident left for replies, with no
    # household or account (e.g. a petition's filer); only services' events use it
    CONTACT = "contact"


AUDIENCE_FIELD = {
    AudienceKind.PERSON: "username",
    AudienceKind.HOUSEHOLD: "household",
    AudienceKind.UNIT: "unit_id",
    AudienceKind.ROLE: "role",
    AudienceKind.POLL_PARTICIPANTS: "poll_id",
    AudienceKind.TRAINING_PARTICIPANTS: "course_id",
}
# Fields an audience kind may narrow itself with besides the one it needs.
AUDIENCE_OPTIONAL_FIELDS = {AudienceKind.TRAINING_PARTICIPANTS: ("session_id",)}


class Audience(Contract):
    """Who a message is for; the field its kind names must be given."""

    kind: AudienceKind
    username: Username | None = None
    household: HouseholdCode | None = None
    unit_id: Text | None = None
    role: Role | None = None
    poll_id: Text | None = None
    course_id: Text | None = None
    session_id: Text | None = None  # one session of the course; None: all of them
    phone: str | None = None  # a contact's
    email: str | None = None

    @model_validator(mode="after")
    def _names_its_recipients(self) -> "Audience":
        if self.kind == AudienceKind.CONTACT:
            if not (self.phone or self.email):
                raise ValueError("a contact audience needs a phone number or an email address")
        elif getattr(self, AUDIENCE_FIELD[self.kind]) is None:
            raise ValueError(f"a {self.kind} audience needs {AUDIENCE_FIELD[self.kind]}")
        if self.session_id is not None and self.kind != AudienceKind.TRAINING_PARTICIPANTS:
            raise ValueError("only the participants of a course may be narrowed to a session")
        return self


Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class SendMessage(Contract):
    """`notifications.send_message` by `actor`, staff of the commune; idempotent by
    `request_id` (a form sent twice sends one message)."""

    actor: Text
    commune_id: Text
    request_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    audience: Audience
    title: Subject
    body: Body

    @model_validator(mode="after")
    def _to_people_the_commune_knows(self) -> "SendMessage":
        if self.audience.kind == AudienceKind.CONTACT:
            raise ValueError(N_("Chỉ gửi cho hộ, cán bộ, đơn vị hoặc vai trò trong xã."))
        return self


class MessageSent(Contract):
    """The receipt for a message: how many inboxes and channel deliveries it made."""

    message_id: str
    inboxes: int = Field(ge=0)
    deliveries: int = Field(ge=0)
    unknown_recipients: int = Field(ge=0)


class InboxItem(Contract):
    id: str
    title: str
    body: str
    link: str | None = None
    official: bool = False  # a notice the law requires (it always reaches the inbox)
    # written by staff (in Vietnamese only), shown as written; else written by the
    # service from a template, which the gateway shows in the reader's language
    by_staff: bool = False
    created_at: datetime
    read_at: datetime | None = None


class OpenInbox(Contract):
    """`notifications.open_inbox`: the newest messages of an inbox, in the language its
    owner chose, with how many are unread."""

    owner: Owner
    limit: int = Field(default=50, ge=1, le=200)
    # the gateway's keyed hash of the sender and the day, when a code is typed in:
    # wrong codes are counted against it, so codes cannot be guessed by the thousand
    client_key: str | None = None


class Inbox(Contract):
    owner: Owner
    unread: int = Field(ge=0)
    items: list[InboxItem]


class ReadItem(Contract):
    """`notifications.read_item`: one message of an inbox, marked as read."""

    owner: Owner
    item_id: Text  # the message's id (InboxItem.id)


class MarkAllRead(Contract):
    """`notifications.mark_all_read`."""

    owner: Owner


class Preferences(Contract):
    """How a person wants to be reached besides the inbox; what
    `notifications.save_preferences` takes."""

    owner: Owner
    channels: list[Channel] = []
    email: EmailAddress | None = None
    phone: str | None = None
    zalo_user_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{5,32}$")] | None = None
    language: Language = Language.VI

    @field_validator("phone", mode="before")
    @classmethod
    def _normalize_phone(cls, value: object) -> object:
        return normalize_phone(value) if isinstance(value, str) and value.strip() else None

    @field_validator("email", "zalo_user_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value.strip() or None if isinstance(value, str) else value

    @model_validator(mode="after")
    def _each_channel_has_an_address(self) -> "Preferences":
        needs = {
            Channel.EMAIL: self.email,
            Channel.SMS: self.phone,
            Channel.ZALO: self.zalo_user_id,
        }
        missing = [channel for channel in self.channels if not needs[channel]]
        if missing:
            raise ValueError(f"no address for {', '.join(missing)}")
        return self


class PreferencesForm(Contract):
    """What `notifications.get_preferences` answers: what a person chose, and the
    channels this commune's deployment can send by (only those may be chosen)."""

    preferences: Preferences
    available: list[Channel]


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by the sender; due again if it died meanwhile
    SENT = "sent"
    FAILED = "failed"  # a temporary failure: tried again later
    GIVEN_UP = "given_up"  # a dead letter: staff may send it again


DELIVERY_STATUS_VI = {
    DeliveryStatus.QUEUED: N_("đang chờ gửi"),
    DeliveryStatus.SENDING: N_("đang gửi"),
    DeliveryStatus.SENT: N_("đã gửi"),
    DeliveryStatus.FAILED: N_("lỗi tạm thời, sẽ gửi lại"),
    DeliveryStatus.GIVEN_UP: N_("không gửi được"),
}


class DeliveryRecord(Contract):
    id: str
    message_id: str
    title: str
    recipient: str  # the owner key, e.g. "h:HA7K2M" or "s:minh"
    channel: Channel | None  # None: the recipient itself could not be found
    address: str | None = None
    status: DeliveryStatus
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


class SentMessage(Contract):
    id: str
    title: str
    audience: Audience | None  # None for messages made from another service's event
    kind: str  # "staff" or the event type it was made from
    created_at: datetime
    inboxes: int
    statuses: dict[DeliveryStatus, int]


class ListMessages(Contract):
    """`notifications.list_messages` and `list_dead_letters`: for the commune's staff
    and People's Inspection Board."""

    actor: Text
    commune_id: Text
    limit: int = Field(default=50, ge=1, le=200)


class MessageList(Contract):
    messages: list[SentMessage]


class DeliveryList(Contract):
    deliveries: list[DeliveryRecord]


class RetryDelivery(Contract):
    """`notifications.retry_delivery`: a dead letter queued once more by staff."""

    actor: Text
    commune_id: Text
    delivery_id: Text
