"""Contracts of the training service: the commune's yearly training plan in
grassroots democracy (Law 10/2022 Art 8.1; the seed resolutions' measure 1, the
ward's target 2.1), its courses and sessions, registrations with real capacity and
an ordered waiting list, attendance, certificates anyone can verify, and the
year's coverage of the positions that must be trained (shared/contracts/positions.py).

Who registers is a person (`person_id`): an official by their sign-in, anyone else
by the personal code the commune sends them (`InvitationCode`).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from shared.contracts.common import Contract, Event, Text
from shared.contracts.notifications import Owner
from shared.contracts.positions import Person, PersonId, Position
from shared.contracts.staff import Username

RequestId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=150)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=3000)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


def _upper(value: object) -> object:
    return value.strip().upper().replace(" ", "") if isinstance(value, str) else value


# A personal code: "TH-" and eight letters and digits that cannot be mistaken for one
# another; it names a person of one commune (services/training/domain.py).
InvitationCode = Annotated[
    str, BeforeValidator(_upper), StringConstraints(pattern=r"^TH-[0-9A-Z]{8}$")
]
# A certificate's verification code: sixteen such characters in four groups, an HMAC
# under the commune's key (services/training/domain.py: certificate_code).
CertificateCode = Annotated[
    str,
    BeforeValidator(_upper),
    StringConstraints(pattern=r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"),
]
CAPACITY_MAX = 1000


# ---- the plan, courses and sessions ------------------------------------------------


class SavePlan(Contract):
    """`training.save_plan`: the commune's plan for a year (one per year)."""

    actor: Text
    commune_id: Text
    year: int = Field(ge=2020, le=2100)
    title: Title
    notes: Description = ""


class Plan(Contract):
    plan_id: str
    commune_id: str
    year: int
    title: str
    notes: str


class CompletionKind(StrEnum):
    ALL_SESSIONS = "all_sessions"  # attended every session
    AT_LEAST = "at_least"  # attended at least `minimum` of the sessions


class CompletionRule(Contract):
    kind: CompletionKind = CompletionKind.ALL_SESSIONS
    minimum: int | None = Field(default=None, ge=1, le=50)

    @model_validator(mode="after")
    def _minimum_given(self) -> "CompletionRule":
        if (self.kind == CompletionKind.AT_LEAST) != (self.minimum is not None):
            raise ValueError("“at least N sessions” needs N, and only it")
        return self


class CreateCourse(Contract):
    """`training.create_course`: a course of the year's plan. Registration is open from
    `registration_opens_on` to `registration_closes_on` (inclusive, Vietnam's days);
    a registration may be cancelled until `cancel_hours_before` hours before its
    session starts."""

    actor: Text
    request_id: RequestId
    commune_id: Text
    year: int = Field(ge=2020, le=2100)
    title: Title
    description: Description = ""
    positions: list[Position] = Field(min_length=1)
    completion: CompletionRule = CompletionRule()
    registration_opens_on: date
    registration_closes_on: date
    cancel_hours_before: int = Field(default=24, ge=0, le=24 * 30)

    @model_validator(mode="after")
    def _window(self) -> "CreateCourse":
        if self.registration_closes_on < self.registration_opens_on:
            raise ValueError("registration cannot close before it opens")
        return self


class AddSession(Contract):
    """`training.add_session`: one meeting of a course."""

    actor: Text
    request_id: RequestId
    course_id: Text
    starts_at: datetime
    ends_at: datetime
    place: Place
    online_link: (
        Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None
    ) = None
    trainer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
    capacity: int = Field(ge=1, le=CAPACITY_MAX)

    @model_validator(mode="after")
    def _order(self) -> "AddSession":
        if self.ends_at <= self.starts_at:
            raise ValueError("a session must end after it starts")
        return self


class ChangeCapacity(Contract):
    """`training.change_capacity`: a bigger room, or a smaller one; the first in line
    move into new places at once, and a session never shrinks below its seats taken."""

    actor: Text
    session_id: Text
    capacity: int = Field(ge=1, le=CAPACITY_MAX)


class Session(Contract):
    session_id: str
    course_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str | None
    trainer: str
    capacity: int
    seats_taken: int
    waiting: int  # how many are on its waiting list


class Course(Contract):
    course_id: str
    commune_id: str
    year: int
    title: str
    description: str
    positions: list[Position]
    completion: CompletionRule
    registration_opens_on: date
    registration_closes_on: date
    cancel_hours_before: int
    sessions: list[Session]
    completed: int  # people who completed it (certificates in force)


class ListCourses(Contract):
    """`training.list_courses`: a year's courses of a commune (public)."""

    commune_id: Text
    year: int


class Courses(Contract):
    plan: Plan | None
    courses: list[Course]


class CourseRef(Contract):
    """`training.get_course`."""

    course_id: Text


# ---- who registers -------------------------------------------------------------------


class Who(Contract):
    """Who is acting for themself: a signed-in official, or the holder of a personal
    code."""

    actor: Username | None = None
    code: InvitationCode | None = None

    @model_validator(mode="after")
    def _one(self) -> "Who":
        if (self.actor is None) == (self.code is None):
            raise ValueError("sign in, or give your personal code")
        return self


class Register(Contract):
    """`training.register`: a person registers themself for a session; a full session
    puts them on its waiting list."""

    who: Who
    session_id: Text


class RegisterPeople(Contract):
    """`training.register_people`: staff register people in bulk: the persons named,
    and every current holder of the positions named."""

    actor: Text
    session_id: Text
    person_ids: list[PersonId] = Field(default_factory=list, max_length=CAPACITY_MAX)
    positions: list[Position] = Field(default_factory=list)


class RegistrationStatus(StrEnum):
    SEATED = "seated"  # has a place
    WAITING = "waiting"  # on the waiting list, in order
    CANCELLED = "cancelled"


class Registration(Contract):
    registration_id: str
    session_id: str
    course_id: str
    person: Person
    status: RegistrationStatus
    place_in_line: int | None = None  # 1 for the first waiting
    registered_at: datetime
    attended: bool = False


class RegistrationOutcome(Contract):
    """What one registration did: a place, a place in line, or why not."""

    person: Person
    registration: Registration | None = None
    refused: str | None = None  # why, in Vietnamese


class RegistrationResults(Contract):
    outcomes: list[RegistrationOutcome]


class CancelRegistration(Contract):
    """`training.cancel_registration`, by the person (`who`) or by staff (`who.actor`)."""

    who: Who
    registration_id: Text


class SessionRef(Contract):
    """`training.session_roster` (staff): who is seated, waiting, and attended."""

    actor: Text
    session_id: Text


class SessionRoster(Contract):
    course: Course
    session: Session
    seated: list[Registration]
    waiting: list[Registration]
    certificates: list["Certificate"] = []  # of the course, for those seated here


class MyTraining(Contract):
    """`training.my_training`: a person's registrations and certificates, and the
    courses open to them."""

    who: Who


class PersonTraining(Contract):
    person: Person
    commune_id: str
    positions: list[Position]  # held today
    registrations: list[Registration]
    certificates: list["Certificate"]
    open_courses: list[Course]  # registration open, serving a position they hold


# ---- invitations ---------------------------------------------------------------------


class InvitePeople(Contract):
    """`training.invite`: send every current holder of a course's positions their
    personal link (through the notifications service); a person keeps one code."""

    actor: Text
    course_id: Text


class Invited(Contract):
    invited: int
    without_address: list[str]  # names of those with no household, phone or email


# ---- attendance --------------------------------------------------------------------


class MarkAttendance(Contract):
    """`training.mark_attendance`: the trainer's tap, present or not."""

    actor: Text
    session_id: Text
    person_id: PersonId
    present: bool = True


class CheckInCode(Contract):
    """`training.check_in_code` (staff): the signed code of the session's QR."""

    actor: Text
    session_id: Text


class CheckInToken(Contract):
    session_id: str
    token: str
    valid_from: datetime
    valid_to: datetime


class CheckIn(Contract):
    """`training.check_in`: an attendee scanned the session's QR code."""

    who: Who
    session_id: Text
    token: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{20}$")]


class Attendance(Contract):
    session_id: str
    person: Person
    attended: bool
    completed: bool  # the course's rule is now met
    certificate_code: str | None = None


# ---- certificates ------------------------------------------------------------------


class Certificate(Contract):
    certificate_id: str
    code: str
    commune_id: str
    commune_name: str
    course_id: str
    course_title: str
    year: int
    person: Person
    completed_on: date
    sessions_attended: int
    revoked: bool = False
    revoked_reason: str | None = None


class VerifyCertificate(Contract):
    """`training.verify_certificate`: anyone may check a code."""

    code: CertificateCode


class CertificateCheck(Contract):
    """What the public page shows: whose, which course, when; or not valid."""

    code: str
    valid: bool
    certificate: Certificate | None = None
    why_not: str | None = None


class CertificateRef(Contract):
    """`training.get_certificate`: the holder (`who`) or staff (`who.actor`)."""

    who: Who
    certificate_id: Text


class RevokeCertificate(Contract):
    actor: Text
    certificate_id: Text
    reason: Reason


# ---- coverage ----------------------------------------------------------------------


class Target(Contract):
    position: Position
    percent: int = Field(ge=0, le=100)


class SetTargets(Contract):
    """`training.set_targets`: the year's target share per position; the day they are
    set is the day the coverage rule counts from."""

    actor: Text
    commune_id: Text
    year: int = Field(ge=2020, le=2100)
    targets: list[Target] = Field(min_length=1)


class CoverageQuery(Contract):
    """`training.coverage` (staff and inspectors): the year's coverage, as of a day
    (today, or 31 December of a past year)."""

    actor: Text
    commune_id: Text
    year: int


class MissingPerson(Contract):
    person_id: str
    full_name: str


class CoverageRow(Contract):
    unit_id: str
    unit_name: str
    position: Position
    holders: int
    trained: int
    target_percent: int | None
    missing: list[MissingPerson]


class Coverage(Contract):
    commune_id: str
    year: int
    as_of: date
    targets_set_on: date | None
    targets: list[Target]
    rows: list[CoverageRow]  # per unit and position
    totals: list[CoverageRow]  # per position, the commune's (unit_id = the commune)


# ---- the notifications service's audience --------------------------------------------


class Participants(Contract):
    """`training.participants`: whom a message to "the participants of a course or
    session" reaches (those seated; waiting-list entries too if asked)."""

    course_id: Text
    session_id: str | None = None


class ParticipantList(Contract):
    commune_id: str
    people: list[Person]


# ---- events ------------------------------------------------------------------------


class AddressedEvent(Event):
    """To one person: an official by `username`, anyone else by their `household`'s
    inbox, else the phone or email staff entered for them."""

    commune_id: str
    username: Username | None = None
    household: str | None = None
    phone: str | None = None
    email: str | None = None
    full_name: str = ""


class RegistrationEvent(AddressedEvent):
    registration_id: str
    course_title: str
    session_starts_at: datetime
    place: str


class RegistrationConfirmed(RegistrationEvent):
    event_type: ClassVar[str] = "registration_confirmed"


class MovedOffWaitlist(RegistrationEvent):
    """A place freed up: the person waiting for it now has it."""

    event_type: ClassVar[str] = "moved_off_waitlist"


class RegistrationCancelled(RegistrationEvent):
    """Their place is given up: no reminder of the session."""

    event_type: ClassVar[str] = "registration_cancelled"


class CertificateIssued(AddressedEvent):
    event_type: ClassVar[str] = "certificate_issued"
    certificate_id: str
    course_title: str
    code: str
    link: str  # path of the public check, e.g. /chung-nhan/ABCD-...


class InvitedToTraining(AddressedEvent):
    """A person's personal link to register (`code`), for a course."""

    event_type: ClassVar[str] = "invited_to_training"
    invitation_id: str
    course_title: str
    code: str
    registration_closes_on: date


def recipient_of(event: AddressedEvent) -> Owner | None:
    """The inbox an event reaches, if the person has one."""
    if event.username:
        return Owner(username=event.username)
    if event.household:
        return Owner(household=event.household)
    return None


PersonTraining.model_rebuild()
SessionRoster.model_rebuild()
