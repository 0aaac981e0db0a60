"""Contracts of the feedback service: what residents send the commune (phản ánh,
kiến nghị), complaints (khiếu nại), denunciations (tố cáo) and the People's
Inspection Board's recommendations, handled on the law's deadlines and answered
in public (Law 10/2022 Art 35.2.a; Citizen Reception Law 2013; Complaints Law
2011; Denunciation Law 2018; deadlines in services/feedback/domain.py).

A "case" is one of them. The resident follows it with its receipt code. Who filed
it (name, phone, email, household code) travels only in `Identity`, which the
feedback service hands to the roles that handle the case and, for a denunciation,
writes every view of to the audit log (Denunciation Law 2018 Art 47-48): it is in
no public contract and in no event.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from shared.contracts.common import Contract, Event, Text
from shared.contracts.households import HouseholdCode, OptionalPhone, PersonName
from shared.contracts.notifications import Owner
from shared.contracts.staff import Username
from shared.errors import reason_vi
from shared.i18n import N_

RequestId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=150)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
# The code a resident follows a case with: "PA-" and eight letters and digits that
# cannot be mistaken for one another (services/feedback/domain.py: new_case_code).
CaseCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^PA-[0-9A-Z]{8}$"),
]

PHOTOS_PER_CASE = 3  # a filing's photos at most
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # one photo as uploaded, before it is re-encoded
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")  # checked by decoding, not by name
ATTACHMENTS_PER_ANSWER = 3


class CaseType(StrEnum):
    """The legal type staff give a case when they triage it."""

    FEEDBACK = "feedback"  # phản ánh, kiến nghị (Circular 05/2021/TT-TTCP; Decree 20/2008)
    COMPLAINT = "complaint"  # khiếu nại (Complaints Law 2011)
    DENUNCIATION = "denunciation"  # tố cáo (Denunciation Law 2018)
    INSPECTION_RECOMMENDATION = "inspection_recommendation"  # kiến nghị của BTTND (Art 40.1.c)


CASE_TYPE_VI = {
    CaseType.FEEDBACK: N_("Phản ánh, kiến nghị"),
    CaseType.COMPLAINT: N_("Khiếu nại"),
    CaseType.DENUNCIATION: N_("Tố cáo"),
    CaseType.INSPECTION_RECOMMENDATION: N_("Kiến nghị của Ban Thanh tra nhân dân"),
}


class CaseStatus(StrEnum):
    """The public timeline's steps, in order (a case may skip some)."""

    RECEIVED = "received"  # tiếp nhận
    ACCEPTED = "accepted"  # thụ lý
    TRANSFERRED = "transferred"  # chuyển đơn (to another body, or another unit/assignee)
    IN_PROGRESS = "in_progress"  # đang giải quyết
    ANSWERED = "answered"  # đã trả lời
    CLOSED = "closed"  # kết thúc


CASE_STATUS_VI = {
    CaseStatus.RECEIVED: N_("Đã tiếp nhận"),
    CaseStatus.ACCEPTED: N_("Đã thụ lý"),
    CaseStatus.TRANSFERRED: N_("Đã chuyển"),
    CaseStatus.IN_PROGRESS: N_("Đang giải quyết"),
    CaseStatus.ANSWERED: N_("Đã trả lời"),
    CaseStatus.CLOSED: N_("Đã kết thúc"),
}


class Complexity(StrEnum):
    """How long the law lets a complaint or denunciation take (Complaints Law 2011
    Art 28; Denunciation Law 2018 Art 30)."""

    NORMAL = "normal"
    COMPLEX = "complex"  # phức tạp
    VERY_COMPLEX = "very_complex"  # đặc biệt phức tạp (denunciations: a second extension)


class Deadline(StrEnum):
    """The deadlines a case can carry (services/feedback/domain.py computes each)."""

    INFORM = "inform"  # tell the citizen how it will be handled (Citizen Reception Law Art 28)
    ACCEPT = "accept"  # accept a complaint (Complaints Law Art 27) / check a denunciation (Art 24)
    TRANSFER = "transfer"  # send to the competent body (Denunciation Law Art 24; Decree 20 Art 9)
    RESOLVE = "resolve"  # answer or decide (by type)


DEADLINE_VI = {
    Deadline.INFORM: N_("Thông báo cho người gửi"),
    Deadline.ACCEPT: N_("Thụ lý / kiểm tra"),
    Deadline.TRANSFER: N_("Chuyển đến cơ quan có thẩm quyền"),
    Deadline.RESOLVE: N_("Trả lời / giải quyết"),
}


class Category(Contract):
    """A commune's category of cases, as residents choose it."""

    key: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    active: bool = True  # a retired category stays on old cases, not on the form


class Place(Contract):
    """Where the problem is: an address, a residential group, or coordinates (typed,
    or from the phone's location if the browser gives it). All optional."""

    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    unit_id: Text | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self) -> "Place":
        if (self.latitude is None) != (self.longitude is None):
            raise reason_vi(N_("Cần cả vĩ độ và kinh độ."))
        return self


class Contact(Contract):
    """Who filed, if they say: kept apart from the case (see the module's docstring)."""

    name: PersonName | None = None
    phone: OptionalPhone = None
    email: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
            ),
        ]
        | None
    ) = None


class Upload(Contract):
    """A photo or an answer's attachment as sent: its bytes in base64. The feedback
    service decodes a photo, re-encodes it without its metadata, and keeps that."""

    filename: Annotated[str, StringConstraints(max_length=200)] = ""
    data_base64: Annotated[str, StringConstraints(max_length=7_000_000)]


class FileCase(Contract):
    """`feedback.file_case`: a resident from a phone (no account), or an official
    (`actor`) on a resident's behalf, e.g. at a citizen reception (`reception_id`).
    Idempotent by `request_id` (the form's): sent twice, one case, one receipt."""

    request_id: RequestId
    commune_id: Text
    category: Slug
    title: Title
    text: Body
    place: Place = Place()
    photos: list[Upload] = Field(default_factory=list, max_length=PHOTOS_PER_CASE)
    household: HouseholdCode | None = None
    contact: Contact | None = None
    anonymous: bool = False  # then feedback only, never a denunciation (Denunciation Law Art 2)
    wants_type: CaseType | None = None  # what the filer says it is; staff decide
    actor: Username | None = None
    reception_id: Text | None = None
    source: Annotated[str, StringConstraints(max_length=100)] = ""  # for the filing rate limit

    @model_validator(mode="after")
    def _anonymous_gives_no_identity(self) -> "FileCase":
        if self.anonymous and (self.household or self.contact):
            raise reason_vi(N_("Đơn ẩn danh không ghi mã hộ hay thông tin liên hệ."))
        if self.anonymous and self.wants_type == CaseType.DENUNCIATION:
            raise reason_vi(
                N_("Tố cáo phải ghi rõ họ tên, địa chỉ người tố cáo (Luật Tố cáo 2018).")
            )
        return self


class CaseReceipt(Contract):
    case_id: str
    code: CaseCode
    received_at: datetime
    inform_due: date


class TimelineStep(Contract):
    """One step of a case's public timeline: dated, signed by a role, not a name."""

    status: CaseStatus
    at: datetime
    by_role: str  # e.g. "Cán bộ tiếp công dân", "Chủ tịch UBND xã"
    note: str = ""  # public words, personal data masked


class PublicAnswer(Contract):
    text: str  # masked
    at: datetime
    by_role: str
    attachments: list[str] = Field(default_factory=list)  # attachment ids


class Rating(Contract):
    satisfied: bool
    reason: str = ""
    at: datetime


class PublicCase(Contract):
    """What the resident sees with the receipt code, and anyone on the public list:
    no identity, personal data masked in every text."""

    case_id: str
    # None on the public list: the code is the filer's key to rate and reopen the case
    code: CaseCode | None
    commune_id: str
    category: str
    category_name: str
    type: CaseType | None
    title: str
    text: str
    unit_id: str | None
    status: CaseStatus
    received_at: datetime
    due: date | None  # the next deadline not met yet
    timeline: list[TimelineStep]
    answer: PublicAnswer | None
    rating: Rating | None
    may_rate: bool
    may_reopen: bool
    photo_ids: list[str] = Field(default_factory=list)  # only on the filer's own page


class TrackCase(Contract):
    code: CaseCode


class RateAnswer(Contract):
    """The filer rates the answer (Law 10/2022 Art 35.2.a: residents rate the commune);
    not satisfied needs a reason."""

    code: CaseCode
    satisfied: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""

    @model_validator(mode="after")
    def _reason_when_unhappy(self) -> "RateAnswer":
        if not self.satisfied and len(self.reason) < 3:
            raise reason_vi(N_("Xin cho biết vì sao bạn chưa hài lòng."))
        return self


class ReopenCase(Contract):
    """Once, after an answer the filer was not satisfied with."""

    code: CaseCode
    reason: Reason


class ListPublicCases(Contract):
    """Answered feedback and Inspection Board recommendations of a commune (complaints
    and denunciations concern named people and are not listed)."""

    commune_id: Text
    category: Slug | None = None
    unit_id: Text | None = None
    page: int = Field(default=1, ge=1, le=1000)


class PublicCaseList(Contract):
    cases: list[PublicCase]
    page: int
    more: bool


class PhotoRef(Contract):
    """`feedback.get_file`: a case's photo or an answer's attachment: by the filer's
    code; for staff (`actor`) by case id; for anyone, an attachment of an answer on
    the public list, by case id."""

    photo_id: Text
    code: CaseCode | None = None
    case_id: Text | None = None
    actor: Username | None = None


class StoredFile(Contract):
    content_type: str
    data_base64: str
    filename: str = ""


# --- staff ---


class CaseRef(Contract):
    actor: Username
    case_id: Text


class ExtensionRecord(Contract):
    at: datetime
    by: str
    reason: str
    until: date


class TransferRecord(Contract):
    at: datetime
    by: str
    to_unit_id: str | None
    to_assignee: str | None
    to_body: str | None  # a body outside the commune, if sent out
    reason: str


class CaseSummary(Contract):
    case_id: str
    code: CaseCode
    commune_id: str
    unit_id: str | None
    handling_unit_id: str | None
    assignee: str | None
    category: str
    type: CaseType | None
    title: str
    status: CaseStatus
    received_at: datetime
    due: date | None
    due_deadline: Deadline | None
    overdue: bool
    confidential: bool  # a denunciation: who filed it is protected


class StaffCase(CaseSummary):
    """Everything staff handle, except who filed it (`view_identity`)."""

    text: str
    place: Place
    deadlines: dict[Deadline, date]
    complexity: Complexity
    remote_area: bool
    extensions: list[ExtensionRecord]
    transfers: list[TransferRecord]
    timeline: list[TimelineStep]
    answer: PublicAnswer | None
    answer_text: str | None  # as staff wrote it, before masking
    rating: Rating | None
    reopened: int
    parent_id: str | None
    children: list[str]
    photo_ids: list[str]
    anonymous: bool
    has_identity: bool
    filed_by: str | None  # the official who filed on a resident's behalf
    reception_id: str | None
    escalated: bool


class Identity(Contract):
    """Who filed a case. Only for the roles that handle it; each view of a
    denouncer's is in the audit log."""

    case_id: str
    household: str | None
    contact: Contact | None


class ListCases(Contract):
    actor: Username
    commune_id: Text
    unit_id: Text | None = None
    status: CaseStatus | None = None
    type: CaseType | None = None
    assignee: Text | None = None
    due: Literal["soon", "overdue"] | None = None
    page: int = Field(default=1, ge=1, le=1000)


class CaseList(Contract):
    cases: list[CaseSummary]
    page: int
    more: bool


class DashboardQuery(Contract):
    actor: Username
    commune_id: Text
    unit_id: Text | None = None


class AssigneeLoad(Contract):
    assignee: str  # "" for cases nobody has yet
    open: int
    due_soon: int
    overdue: int


class Dashboard(Contract):
    """A unit's open cases by deadline: what to do first."""

    commune_id: str
    unit_id: str | None
    today: date
    untriaged: list[CaseSummary]
    due_soon: list[CaseSummary]  # due within DUE_SOON_WORKING_DAYS
    overdue: list[CaseSummary]
    by_assignee: list[AssigneeLoad]


class TriageCase(Contract):
    """Give a case its legal type, handling unit and assignee; `accept` accepts it
    (thụ lý) and starts the type's deadlines."""

    actor: Username
    case_id: Text
    type: CaseType
    complexity: Complexity = Complexity.NORMAL
    remote_area: bool = False
    handling_unit_id: Text | None = None
    assignee: Username | None = None
    accept: bool = True
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class CasePart(Contract):
    type: CaseType
    title: Title
    text: Body


class SplitCase(Contract):
    """A letter mixing types becomes one case per type, linked to it (law-brief §5)."""

    actor: Username
    case_id: Text
    parts: list[CasePart] = Field(min_length=2, max_length=5)


class SplitResult(Contract):
    case_ids: list[str]


class TransferCase(Contract):
    """To another unit or assignee of the commune, or out to the competent body
    (`to_body`; within 5 working days, Denunciation Law Art 24, Decree 20/2008 Art 9).
    A transfer needs a reason."""

    actor: Username
    case_id: Text
    to_unit_id: Text | None = None
    to_assignee: Username | None = None
    to_body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    reason: Reason

    @model_validator(mode="after")
    def _somewhere(self) -> "TransferCase":
        if not (self.to_unit_id or self.to_assignee or self.to_body):
            raise reason_vi(N_("Cần ghi chuyển đến đơn vị, người xử lý hoặc cơ quan nào."))
        return self


class ExtendCase(Contract):
    """A denunciation's resolution extended by 30 days, at most twice, with a reason
    (Denunciation Law 2018 Art 30); the extension is on the public timeline."""

    actor: Username
    case_id: Text
    reason: Reason


class AnswerCase(Contract):
    actor: Username
    case_id: Text
    text: Body
    attachments: list[Upload] = Field(default_factory=list, max_length=ATTACHMENTS_PER_ANSWER)


class CloseCase(Contract):
    actor: Username
    case_id: Text
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class CommuneQuery(Contract):
    """A commune's categories (`feedback.list_categories`) or reception schedule
    (`feedback.get_reception_schedule`): public."""

    commune_id: Text


class Categories(Contract):
    commune_id: str
    categories: list[Category]


class SaveCategories(Contract):
    actor: Username
    commune_id: Text
    categories: list[Category] = Field(min_length=1, max_length=40)


# --- citizen reception (tiếp công dân) ---

Weekday = Annotated[int, Field(ge=0, le=6)]  # Monday = 0


class ReceptionSlot(Contract):
    weekday: Weekday
    starts: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    ends: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    by_chairman: bool  # the Chairman receives in person (Citizen Reception Law Art 15)
    receiver: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""


class ReceptionSchedule(Contract):
    """The commune's published reception days: the Chairman at least one day a week
    (Citizen Reception Law 2013 Art 15)."""

    commune_id: str
    slots: list[ReceptionSlot]
    updated_at: datetime | None = None


class SaveReceptionSchedule(Contract):
    actor: Username
    commune_id: Text
    slots: list[ReceptionSlot] = Field(min_length=1, max_length=20)


class RecordReception(Contract):
    """A reception session held: who received, how many citizens came."""

    actor: Username
    request_id: RequestId
    commune_id: Text
    day: date
    received_by: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ]
    by_chairman: bool
    citizens_seen: int = Field(ge=0, le=10_000)
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class ReceptionSession(Contract):
    reception_id: str
    commune_id: str
    day: date
    received_by: str
    by_chairman: bool
    citizens_seen: int
    notes: str
    case_ids: list[str]


class ListReceptions(Contract):
    actor: Username
    commune_id: Text
    year: int = Field(ge=2020, le=2100)


class Receptions(Contract):
    sessions: list[ReceptionSession]


# --- figures ---


class FiguresQuery(Contract):
    """Public: a commune's figures for a year, or one month of it."""

    commune_id: Text
    year: int = Field(ge=2020, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)


class FiguresRow(Contract):
    unit_id: str  # "" for cases with no unit
    category: str
    received: int
    answered: int
    answered_on_time: int
    median_days: float | None  # received → answered, calendar days
    rated: int
    satisfied: int
    reopened: int

    @property
    def on_time_rate(self) -> float | None:
        return self.answered_on_time / self.answered if self.answered else None

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.answered if self.answered else None


class Figures(Contract):
    commune_id: str
    year: int
    month: int | None
    rows: list[FiguresRow]
    total: FiguresRow  # unit_id "", category "" : the commune as a whole


# --- events (the notifications service consumes these) ---


class PetitionEvent(Event):
    petition_id: str
    commune_id: str
    # The filer's household, or the official who filed, if notifications may reach
    # them; None for an anonymous filing and ALWAYS for a denunciation (its
    # denouncer is protected: Denunciation Law 2018 Art 47).
    petitioner: Owner | None = None
    # The phone or email a filer with no household left for replies; never a
    # denouncer's (None then, as petitioner).
    reply_to: Contact | None = None
    title: str


class PetitionReceived(PetitionEvent):
    event_type: ClassVar[str] = "petition_received"
    received_at: datetime
    answer_due: date  # the handling deadline the feedback service computed


class PetitionAnswered(PetitionEvent):
    event_type: ClassVar[str] = "petition_answered"
    answered_at: datetime
    answer: str  # the public answer, masked
    case_id: str | None = None  # the id public pages show (petition_id is the filer's code)
    public: bool = False  # on the public list of answered cases (not a complaint, a denunciation)


class PetitionOverdue(PetitionEvent):
    event_type: ClassVar[str] = "petition_overdue"
    answer_due: date
