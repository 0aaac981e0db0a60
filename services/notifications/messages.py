"""What messages to people say, who they go to, and when a failed delivery is tried
again: pure rules, no I/O.

Each event of another service becomes one or more drafts; a draft's id comes
from the event's id, so a redelivered event yields the same message and
nothing is sent twice (nameko delivers at least once).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from services.notifications import board
from shared.calendar import VIETNAM, vietnam_time
from shared.contracts.common import Event
from shared.contracts.disclosures import CATEGORY_NAMES_VI, Disclosure, DisclosurePosted
from shared.contracts.feedback import (
    PetitionAnswered,
    PetitionEvent,
    PetitionOverdue,
    PetitionReceived,
)
from shared.contracts.notifications import (
    AUDIENCE_FIELD,
    AUDIENCE_OPTIONAL_FIELDS,
    Audience,
    AudienceKind,
    Channel,
    DeliveryStatus,
    Language,
    Owner,
)
from shared.contracts.positions import Person
from shared.contracts.recognition import CommendationDecided
from shared.contracts.staff import Role
from shared.contracts.surveys import (
    POLL_KIND_VI,
    PollClosingSoon,
    PollDecided,
    PollEvent,
    PollKind,
    PollOpened,
)
from shared.contracts.training import (
    AddressedEvent,
    CertificateIssued,
    InvitedToTraining,
    MovedOffWaitlist,
    RegistrationCancelled,
    RegistrationEvent,
    recipient_of,
)
from shared.i18n import N_, _

MESSAGE_IDS = uuid.UUID("5b0c3d4e-6a71-4f0e-9f51-2f8a8c3e0d11")  # uuid5 namespace
REMINDER_BEFORE = timedelta(hours=24)  # a training session's reminder, a day before
RETRY_CAP = timedelta(hours=1)  # the longest wait between two tries of a delivery
CODE_MISSES_PER_DAY = 20  # wrong household codes typed from one sender before it must wait

POLL_KIND_EN = {
    PollKind.CONSULTATION: "consultation",
    PollKind.DECISION: "vote",
    PollKind.SATISFACTION: "satisfaction survey",
}

# (title, body) per language; {fields} come from the event's facts (see `facts`).
TEMPLATES: dict[str, dict[Language, tuple[str, str]]] = {
    "poll_opened": {
        Language.VI: (
            N_("Mời hộ gia đình cho ý kiến: {title}"),
            N_(
                "{kind_vi} mở đến {closes_at_vi}. Mỗi hộ cho ý kiến một lần: bằng điện thoại "
                "với mã trên phiếu của hộ, hoặc bằng phiếu giấy qua tổ trưởng, trưởng thôn."
            ),
        ),
        Language.EN: (
            "Your household's say: {title}",
            "The {kind_en} is open until {closes_at_en}. Each household answers once: by "
            "phone with the code on its card, or on paper through the group head.",
        ),
    },
    "satisfaction_opened": {
        Language.VI: (
            N_("Mời đánh giá: {title}"),
            N_(
                "Khảo sát mức độ hài lòng mở đến {closes_at_vi}. Không cần mã, không ghi tên "
                "người trả lời: {survey_link}"
            ),
        ),
        Language.EN: (
            "Tell us how we did: {title}",
            "The satisfaction survey is open until {closes_at_en}. No code is needed and "
            "answers are anonymous: {survey_link}",
        ),
    },
    "poll_closing_soon": {
        Language.VI: (
            N_("Sắp kết thúc: {title}"),
            N_("{kind_vi} kết thúc lúc {closes_at_vi}. Hộ chưa cho ý kiến xin gửi trước giờ này."),
        ),
        Language.EN: (
            "Closing soon: {title}",
            "The {kind_en} closes at {closes_at_en}. Households that have not answered yet "
            "should do so before then.",
        ),
    },
    "poll_decided": {
        Language.VI: (
            N_("Kết quả: {title}"),
            N_("{kind_vi}: {verdict_vi} Kết quả chi tiết: {link}"),
        ),
        Language.EN: ("Result: {title}", "The {kind_en}: {verdict_en} Full results: {link}"),
    },
    "petition_received": {
        Language.VI: (
            N_("Đã tiếp nhận phản ánh, kiến nghị: {title}"),
            N_(
                "Phản ánh, kiến nghị của bạn đã được tiếp nhận lúc {received_at_vi}, mã "
                "{petition_id}. Hạn trả lời: {answer_due_vi}."
            ),
        ),
        Language.EN: (
            "Petition received: {title}",
            "Your petition was received at {received_at_en}, reference {petition_id}. "
            "It must be answered by {answer_due_en}.",
        ),
    },
    "petition_answered": {
        Language.VI: (N_("Đã trả lời phản ánh, kiến nghị: {title}"), N_("Trả lời: {answer}")),
        Language.EN: ("Your petition was answered: {title}", "Answer: {answer}"),
    },
    "petition_overdue": {
        Language.VI: (
            N_("Quá hạn trả lời: {title}"),
            N_(
                "Phản ánh, kiến nghị “{title}” (mã {petition_id}) đã quá hạn trả lời "
                "ngày {answer_due_vi} mà chưa được trả lời."
            ),
        ),
        Language.EN: (
            "Overdue: {title}",
            "The petition “{title}” (reference {petition_id}) was due to be answered "
            "by {answer_due_en} and has not been.",
        ),
    },
    # {whom_vi}, {whom_en}: the person by name (a household's inbox is read by all of
    # it), or "bạn" / "you"
    "registration_confirmed": {
        Language.VI: (
            N_("Đã xác nhận đăng ký: {course_title}"),
            N_(
                "Đã có chỗ cho {whom_vi} trong lớp. Buổi học bắt đầu lúc {starts_at_vi} "
                "tại {place}."
            ),
        ),
        Language.EN: (
            "Registration confirmed: {course_title}",
            "A place is kept for {whom_en}. The session starts at {starts_at_en} at {place}.",
        ),
    },
    "moved_off_waitlist": {
        Language.VI: (
            N_("Đã có chỗ trong lớp: {course_title}"),
            N_(
                "Một chỗ đã trống: {whom_vi} được chuyển từ danh sách chờ vào lớp. Buổi học bắt "
                "đầu lúc {starts_at_vi} tại {place}."
            ),
        ),
        Language.EN: (
            "A place in the class: {course_title}",
            "A place came free: {whom_en} moved off the waiting list. The session starts at "
            "{starts_at_en} at {place}.",
        ),
    },
    "registration_cancelled": {
        Language.VI: (
            N_("Đã hủy đăng ký: {course_title}"),
            N_(
                "Đã hủy chỗ của {whom_vi} ở buổi học lúc {starts_at_vi} tại {place}; sẽ không có "
                "tin nhắc lịch buổi này."
            ),
        ),
        Language.EN: (
            "Registration cancelled: {course_title}",
            "The place of {whom_en} in the session at {starts_at_en} at {place} is cancelled; "
            "there will be no reminder of it.",
        ),
    },
    "session_reminder": {
        Language.VI: (
            N_("Nhắc lịch học: {course_title}"),
            N_("Buổi học của {whom_vi} bắt đầu lúc {starts_at_vi} tại {place}."),
        ),
        Language.EN: (
            "Reminder: {course_title}",
            "The session for {whom_en} starts at {starts_at_en} at {place}.",
        ),
    },
    "certificate_issued": {
        Language.VI: (
            N_("Giấy chứng nhận: {course_title}"),
            N_(
                "{full_name} đã hoàn thành khóa tập huấn “{course_title}”. Mã xác minh giấy "
                "chứng nhận: {code}. Ai cũng kiểm tra được tại {link}"
            ),
        ),
        Language.EN: (
            "Certificate: {course_title}",
            "{full_name} completed the training course “{course_title}”. The certificate's "
            "verification code is {code}; anyone can check it at {link}",
        ),
    },
    "training_invitation": {
        Language.VI: (
            N_("Mời đăng ký tập huấn: {course_title}"),
            N_(
                "Kính mời {full_name} đăng ký khóa tập huấn “{course_title}”, hạn đăng ký đến "
                "hết ngày {registration_closes_on_vi}. Đăng ký tại đường dẫn riêng của {full_name} "
                "(xin đừng chia sẻ): {link}"
            ),
        ),
        Language.EN: (
            "Invitation to training: {course_title}",
            "{full_name} is invited to register for the training course “{course_title}” "
            "by {registration_closes_on_en}. Register through this personal link (please "
            "do not share it): {link}",
        ),
    },
    # a disclosure posted for a time; one posted permanently says so (the next template)
    "disclosure_posted": {
        Language.VI: (
            N_("Công khai: {title}"),
            N_(
                "{category_vi}. Theo {decision_ref} ngày {decision_date_vi}. Niêm yết từ "
                "{posted_from_vi} đến {posted_to_vi}. Xem toàn văn: {link}"
            ),
        ),
        Language.EN: (
            "Public disclosure: {title}",
            "Item {category} of the disclosure list (Law 10/2022 Art 11), by {decision_ref} of "
            "{decision_date_en}; posted from {posted_from_en} to {posted_to_en}. "
            "Full text: {link}",
        ),
    },
    "disclosure_posted_permanently": {
        Language.VI: (
            N_("Công khai: {title}"),
            N_(
                "{category_vi}. Theo {decision_ref} ngày {decision_date_vi}. Niêm yết vĩnh viễn. "
                "Xem toàn văn: {link}"
            ),
        ),
        Language.EN: (
            "Public disclosure: {title}",
            "Item {category} of the disclosure list (Law 10/2022 Art 11), by {decision_ref} of "
            "{decision_date_en}; posted permanently. Full text: {link}",
        ),
    },
    "commendation_decided": {
        Language.VI: (
            N_("Khen thưởng: {form}"),
            N_("Theo {decision_ref} ngày {decided_on_vi}: {form}, vì {reason}."),
        ),
        Language.EN: (
            "Commendation: {form}",
            "By {decision_ref} of {decided_on_en}: {form}, for {reason}.",
        ),
    },
}

VERDICT_VI = {
    True: N_("Thông qua."),
    False: N_("Không thông qua."),
    None: N_("Đã công bố kết quả."),
}
VERDICT_EN = {True: "Passed.", False: "Not passed.", None: "The results are published."}


class TemplateError(ValueError):
    """A template names a fact its event does not give: recorded, never sent."""


@dataclass(frozen=True)
class Draft:
    """A message before it reaches anyone: what it says in each language, to whom."""

    id: str
    commune_id: str
    kind: str  # "staff", or the template it was made from
    audience: Audience
    texts: dict[Language, tuple[str, str]]
    link: str | None = None
    official: bool = False  # the law requires it (Law 10/2022 Art 11): it stays in the inbox
    error: str | None = None  # why it could not be written (a dead letter for staff)


def message_id(event_id: str, purpose: str) -> str:
    """The same event and purpose give the same id, on every redelivery."""
    return str(uuid.uuid5(MESSAGE_IDS, f"{event_id}:{purpose}"))


def render(template: dict[Language, tuple[str, str]], facts: dict[str, Any]) -> dict:
    """Each language's (title, body), or TemplateError naming the missing fact."""
    try:
        return {
            lang: (t.format_map(facts), b.format_map(facts)) for lang, (t, b) in template.items()
        }
    except KeyError as missing:
        raise TemplateError(
            _("mẫu tin thiếu thông tin {missing}").format(missing=missing)
        ) from None


def facts(event: Event, public_url: str) -> dict[str, Any]:
    """An event's fields, with its dates and moments written for each language."""
    values = event.model_dump()
    if isinstance(event, DisclosurePosted):  # its facts are the disclosure's
        values = {**values, **values.pop("disclosure")}
    written: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            written[f"{name}_vi"] = vietnam_time(value)
            written[f"{name}_en"] = value.astimezone(VIETNAM).strftime("%H:%M on %d/%m/%Y")
        elif isinstance(value, date):
            written[f"{name}_vi"] = written[f"{name}_en"] = value.strftime("%d/%m/%Y")
    if isinstance(event, DisclosurePosted):
        written.update(_disclosure_facts(event.disclosure, public_url))
    if isinstance(event, RegistrationEvent):
        written["starts_at_vi"] = written["session_starts_at_vi"]
        written["starts_at_en"] = written["session_starts_at_en"]
        written["whom_vi"] = event.full_name or N_("bạn")
        written["whom_en"] = event.full_name or "you"
    if isinstance(event, CertificateIssued):
        written["link"] = f"{public_url}{event.link}"  # the public check of the code
    if isinstance(event, InvitedToTraining):
        written["link"] = f"{public_url}/tap-huan/ma/{event.code}"  # theirs alone
    if isinstance(event, PollEvent):
        written["kind_vi"] = POLL_KIND_VI[event.kind]
        written["kind_en"] = POLL_KIND_EN[event.kind]
        written["link"] = f"{public_url}/communes/{event.commune_id}"
        written["survey_link"] = f"{public_url}/s/{event.poll_id}"
    if isinstance(event, PetitionEvent):
        written["link"] = f"{public_url}/feedback/{event.petition_id}"  # the filer's case page
    if isinstance(event, PollDecided):
        written["verdict_vi"] = VERDICT_VI[event.passes]
        written["verdict_en"] = VERDICT_EN[event.passes]
    return {**values, **written}


def _disclosure_facts(disclosure: Disclosure, public_url: str) -> dict[str, Any]:
    return {
        "category": int(disclosure.category),
        "category_vi": CATEGORY_NAMES_VI[disclosure.category],
        "link": f"{public_url}/communes/{disclosure.commune_id}/cong-khai/{disclosure.id}",
    }


def draft(
    event: Event, purpose: str, audience: Audience, public_url: str, official: bool = False
) -> Draft:
    """The message `purpose` (a template's name) makes of `event` for `audience`."""
    known = facts(event, public_url)
    commune_id = known["commune_id"]
    template = purpose
    if purpose == "disclosure_posted" and known.get("permanent"):
        template = "disclosure_posted_permanently"
    try:
        texts, error = render(TEMPLATES[template], known), None
    except TemplateError as failed:
        texts, error = {}, str(failed)
    return Draft(
        id=message_id(event.event_id, f"{purpose}:{audience.kind}:{_audience_value(audience)}"),
        commune_id=commune_id,
        kind=purpose,
        audience=audience,
        texts=texts,
        link=known.get("link"),
        official=official,
        error=error,
    )


def _audience_value(audience: Audience) -> str:
    if audience.kind == AudienceKind.CONTACT:
        return f"{audience.phone or ''}|{audience.email or ''}"
    fields = (AUDIENCE_FIELD[audience.kind], *AUDIENCE_OPTIONAL_FIELDS.get(audience.kind, ()))
    return "|".join(str(getattr(audience, field) or "") for field in fields)


def contact_preferences(audience: Audience, available: list[Channel]) -> dict[str, Any]:
    """What `deliveries_for` needs of a contact with no inbox: SMS to the phone and
    email to the address it left, over the channels this deployment has, in
    Vietnamese."""
    wanted = [(Channel.SMS, audience.phone), (Channel.EMAIL, audience.email)]
    channels = [channel.value for channel, address in wanted if address and channel in available]
    return {
        "_id": f"c:{audience.phone or audience.email}",
        "channels": channels,
        "phone": audience.phone,
        "email": audience.email,
        "language": Language.VI.value,
    }


def audience_of(owner: Owner) -> Audience:
    if owner.household:
        return Audience(kind=AudienceKind.HOUSEHOLD, household=owner.household)
    return Audience(kind=AudienceKind.PERSON, username=owner.username)


def drafts_for_poll(event: PollEvent, public_url: str) -> list[Draft]:
    """Every household of the poll's unit hears that it opened, closes within a day,
    and what it decided (Law 10/2022 Art 11 item 11: consultation plans and results
    are disclosed)."""
    purpose = {PollOpened: "poll_opened", PollClosingSoon: "poll_closing_soon"}.get(
        type(event), "poll_decided"
    )
    if purpose == "poll_opened" and event.kind == PollKind.SATISFACTION:
        purpose = "satisfaction_opened"  # anonymous (Art 35): no card, no household code
    households = Audience(kind=AudienceKind.UNIT, unit_id=event.unit_id)
    return [draft(event, purpose, households, public_url, official=True)]


def drafts_for_petition(event: PetitionEvent, public_url: str) -> list[Draft]:
    """The petitioner hears of each step, if they may be reached (never a denouncer:
    Denunciation Law 2018 Art 47); an overdue petition also goes to the
    commune's administrators, who must answer it, and to its People's Inspection
    Board, which supervises how petitions are handled (Law 10/2022 Art 36)."""
    purpose = {PetitionReceived: "petition_received", PetitionAnswered: "petition_answered"}.get(
        type(event), "petition_overdue"
    )
    drafts = []
    if event.petitioner is not None:  # None: anonymous, or a denouncer (protected)
        drafts.append(draft(event, purpose, audience_of(event.petitioner), public_url))
    elif event.reply_to is not None:  # no household: the phone or email left for replies
        contact = Audience(
            kind=AudienceKind.CONTACT, phone=event.reply_to.phone, email=event.reply_to.email
        )
        drafts.append(draft(event, purpose, contact, public_url))
    if isinstance(event, PetitionOverdue):
        for role in (Role.COMMUNE_ADMIN, Role.INSPECTOR):
            drafts.append(
                draft(event, purpose, Audience(kind=AudienceKind.ROLE, role=role), public_url)
            )
    return drafts


def person_audience(
    event: AddressedEvent,
) -> Audience | None:
    """How a training event reaches its person: an official's or their household's
    inbox, else the phone or email they gave (no inbox); None if they gave none."""
    owner = recipient_of(event)
    if owner is not None:
        return audience_of(owner)
    if event.phone or event.email:
        return Audience(kind=AudienceKind.CONTACT, phone=event.phone, email=event.email)
    return None


def _to_the_person(event: AddressedEvent, purpose: str, public_url: str) -> list[Draft]:
    audience = person_audience(event)
    return [] if audience is None else [draft(event, purpose, audience, public_url)]


def drafts_for_registration(event: RegistrationEvent, public_url: str) -> list[Draft]:
    """The person hears that they have a place, or that it is cancelled."""
    if isinstance(event, RegistrationCancelled):
        purpose = "registration_cancelled"
    elif isinstance(event, MovedOffWaitlist):
        purpose = "moved_off_waitlist"
    else:
        purpose = "registration_confirmed"
    return _to_the_person(event, purpose, public_url)


def drafts_for_certificate(event: CertificateIssued, public_url: str) -> list[Draft]:
    return _to_the_person(event, "certificate_issued", public_url)


def drafts_for_invitation(event: InvitedToTraining, public_url: str) -> list[Draft]:
    """A person's personal link to register: how those without an account get it."""
    return _to_the_person(event, "training_invitation", public_url)


def participant_recipients(
    people: list[Person],
) -> tuple[list[str], list[Audience], dict[str, str]]:
    """Where a message to a course's participants goes: the inbox keys of those with an
    account or a household (once per inbox), the contacts of those with only a phone
    or email, and those who cannot be reached (key → why)."""
    keys: dict[str, None] = {}
    contacts: dict[str, Audience] = {}
    unreachable: dict[str, str] = {}
    for person in people:
        if person.username:
            keys[Owner(username=person.username).key] = None
        elif person.household:
            keys[Owner(household=person.household).key] = None
        elif person.phone or person.email:
            contact = Audience(kind=AudienceKind.CONTACT, phone=person.phone, email=person.email)
            contacts[_audience_value(contact)] = contact
        else:
            unreachable[f"p:{person.person_id}"] = _(
                "{name} không có tài khoản, mã hộ, số điện thoại hay thư điện tử."
            ).format(name=person.full_name)
    return list(keys), list(contacts.values()), unreachable


def start_of(day: date, now: datetime) -> datetime:
    """The moment `day` begins in Vietnam, or now if it has begun already."""
    return max(datetime.combine(day, time(), VIETNAM), now)


def reminder_due(event: RegistrationEvent, now: datetime) -> datetime | None:
    """When to remind of the session: a day before, at once if that has passed, never
    once it has started."""
    if event.session_starts_at <= now:
        return None
    return max(event.session_starts_at - REMINDER_BEFORE, now)


def reminder_job(registration_id: str) -> str:
    """A registration's reminder: one job, whichever event scheduled it, so that its
    cancellation finds it."""
    return message_id(f"registration:{registration_id}", "reminder")


def draft_reminder(event: RegistrationEvent, public_url: str) -> list[Draft]:
    """The day-before reminder, to whom the registration's own message went."""
    return _to_the_person(event, "session_reminder", public_url)


def drafts_for_disclosure(event: DisclosurePosted, public_url: str) -> list[Draft]:
    """Every household of the commune is told of a disclosure (this system being the
    commune's portal, Law 10/2022 Art 12.3); items 7-12 also go to the heads of its
    thôn and tổ dân phố, who pass them on (Art 12.3)."""
    disclosure = event.disclosure
    commune = Audience(kind=AudienceKind.UNIT, unit_id=disclosure.commune_id)
    drafts = [draft(event, "disclosure_posted", commune, public_url, official=True)]
    if disclosure.category in board.GROUP_HEAD_CATEGORIES:
        heads = Audience(kind=AudienceKind.ROLE, role=Role.GROUP_HEAD)
        drafts.append(draft(event, "disclosure_posted", heads, public_url, official=True))
    return drafts


def drafts_for_commendation(event: CommendationDecided, public_url: str) -> list[Draft]:
    if event.recipient is None:  # a collective, or someone with no inbox: the honour board
        return []
    return [draft(event, "commendation_decided", audience_of(event.recipient), public_url)]


def staff_draft(
    request_id: str, commune_id: str, audience: Audience, title: str, body: str
) -> Draft:
    """A message staff wrote: in Vietnamese only, shown as written to every reader."""
    return Draft(
        id=message_id(f"{commune_id}:{request_id}", "staff"),
        commune_id=commune_id,
        kind="staff",
        audience=audience,
        texts={Language.VI: (title, body)},
    )


def draft_of(message: dict[str, Any]) -> Draft:
    """The draft a stored message was made from, to finish its fan-out after a crash."""
    return Draft(
        id=message["_id"],
        commune_id=message["commune_id"],
        kind=message["kind"],
        audience=Audience.model_validate(message["audience"]),
        texts=stored_texts(message),
        link=message.get("link"),
        official=message.get("official", False),
        error=message.get("error"),
    )


def stored_texts(document: dict[str, Any]) -> dict[Language, tuple[str, str]]:
    """A stored message's or inbox item's (title, body) per language."""
    return {Language(lang): (title, body) for lang, (title, body) in document["texts"].items()}


def text_in(texts: dict[Language, tuple[str, str]], language: Language) -> tuple[str, str]:
    """The reader's language if the message has it, else Vietnamese."""
    return texts.get(language) or texts[Language.VI]


# ---- inbox keys: whose inbox a message lands in ----


def owner_keys(owner: Owner, unit_id: str | None, commune_id: str | None) -> list[str]:
    """The keys whose messages an inbox shows: its own, and for a household, those
    sent to every household of its thôn / tổ dân phố and of its commune."""
    return [owner.key, *(unit_key(unit) for unit in (unit_id, commune_id) if unit)]


def unit_key(unit_id: str) -> str:
    return f"u:{unit_id}"


# ---- deliveries ----


def next_try(attempts: int, first_wait: float, now: datetime) -> datetime:
    """After the `attempts`-th failure: wait `first_wait` seconds, twice as long after
    each further failure, at most RETRY_CAP, so an outage of minutes costs minutes."""
    wait = min(timedelta(seconds=first_wait * 2 ** (attempts - 1)), RETRY_CAP)
    return now + wait


ADDRESS_FIELD = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.ZALO: "zalo_user_id"}


def deliveries_for(
    message: dict[str, Any], preferences: dict[str, Any], public_url: str
) -> list[dict[str, Any]]:
    """One delivery per channel the person chose, in the language they chose, linking
    to what the message is about or else to the inbox (a cut SMS ends with it); the
    inbox needs none (the message is in it already)."""
    language = Language(preferences.get("language") or Language.VI)
    title, body = text_in(stored_texts(message), language)
    link = message.get("link") or _inbox_link(preferences["_id"], public_url)
    return [
        _delivery(message, preferences["_id"], Channel(channel), title, body)
        | {"address": preferences[ADDRESS_FIELD[Channel(channel)]], "link": link}
        for channel in preferences.get("channels", [])
        if preferences.get(ADDRESS_FIELD[Channel(channel)])
    ]


def _inbox_link(key: str, public_url: str) -> str | None:
    """Where the recipient of `key` reads their inbox; a bare contact has none."""
    if key.startswith("c:"):
        return None
    return f"{public_url}/hop-thu" if key.startswith("h:") else f"{public_url}/can-bo/hop-thu"


def undeliverable(message: dict[str, Any], recipient: str, reason: str) -> dict[str, Any]:
    """A dead letter for a recipient who cannot be found, or a message that could not
    be written, so that staff see it and why."""
    title = (message["texts"].get(Language.VI.value) or ["", ""])[0]
    return _delivery(message, recipient, None, title, "") | {
        "status": DeliveryStatus.GIVEN_UP.value,
        "last_error": reason,
        "last_failed_at": message["created_at"],
        "next_attempt_at": None,
    }


def _delivery(
    message: dict[str, Any], recipient: str, channel: Channel | None, title: str, body: str
) -> dict[str, Any]:
    return {
        "_id": f"{message['_id']}|{recipient}|{channel.value if channel else '-'}",
        "message_id": message["_id"],
        "commune_id": message["commune_id"],
        "recipient": recipient,
        "channel": channel.value if channel else None,
        "address": None,
        "title": title,
        "subject": title,
        "text": body,
        "link": message.get("link"),
        "status": DeliveryStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": message["created_at"],
        "last_error": None,
    }
