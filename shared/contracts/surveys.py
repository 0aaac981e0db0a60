"""Contracts of the surveys service: consultations (lấy ý kiến, Law 10/2022 Art 25-28),
community decisions (biểu quyết, Art 15-21) and satisfaction surveys (Art 35), their
ballots from phone, paper and meeting, and their results.

A "poll" is any of the three. Answers travel as `{question_id: [values]}`: the chosen
option ids, or one text, or one rating "1".."5".
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text
from shared.contracts.households import HouseholdCode
from shared.i18n import N_

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
RequestId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
# What a resident types from a card: the household code, a dash, the card's check code.
CardCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
ReceiptCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Answers = dict[str, list[str]]

FREE_TEXT_MAX = 2000  # characters in one free-text answer
RATING_SCALE = ("1", "2", "3", "4", "5")


class PollKind(StrEnum):
    CONSULTATION = "consultation"  # lấy ý kiến (Art 25-28)
    DECISION = "decision"  # biểu quyết (Art 15-21)
    SATISFACTION = "satisfaction"  # khảo sát mức độ hài lòng (Art 35.2.a)


class Channel(StrEnum):
    """How a household took part (Art 17): online, a paper household ballot, or the
    meeting's roll entered by the group head."""

    ONLINE = "online"
    PAPER = "paper"
    MEETING = "meeting"


POLL_KIND_VI = {
    PollKind.CONSULTATION: N_("Lấy ý kiến"),
    PollKind.DECISION: N_("Biểu quyết"),
    PollKind.SATISFACTION: N_("Khảo sát mức độ hài lòng"),
}
# how a household took part, as in "Hộ đã tham gia trực tuyến"
TOOK_PART_VI = {
    Channel.ONLINE: N_("trực tuyến"),
    Channel.PAPER: N_("bằng phiếu giấy"),
    Channel.MEETING: N_("tại cuộc họp"),
}


class Matter(StrEnum):
    """The six matters residents decide (Law 10/2022 Art 15)."""

    INFRASTRUCTURE = "infrastructure"  # 1. policy on building public works, contributions
    COMMUNITY_FUND = "community_fund"  # 2. collecting and using community funds
    VILLAGE_CONVENTION = "village_convention"  # 3. hương ước, quy ước
    HEAD_ELECTION = "head_election"  # 4. electing or dismissing the thôn / TDP head
    BOARD_ELECTION = "board_election"  # 5. electing or dismissing BTTND / BGSĐTCĐ members
    OTHER = "other"  # 6. other self-management matters


MATTER_NAMES_VI = {
    Matter.INFRASTRUCTURE: N_("Chủ trương và mức đóng góp xây dựng công trình công cộng"),
    Matter.COMMUNITY_FUND: N_("Thu, chi các khoản đóng góp, quỹ do cộng đồng quản lý"),
    Matter.VILLAGE_CONVENTION: N_("Nội dung hương ước, quy ước"),
    Matter.HEAD_ELECTION: N_("Bầu, cho thôi làm trưởng thôn, tổ trưởng tổ dân phố"),
    Matter.BOARD_ELECTION: N_(
        "Bầu, cho thôi thành viên Ban Thanh tra nhân dân, Ban Giám sát đầu tư"
    ),
    Matter.OTHER: N_("Công việc tự quản khác"),
}


class QuestionType(StrEnum):
    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # any number of options
    TEXT = "text"  # free text
    RATING = "rating"  # 1 to 5


class PollStatus(StrEnum):
    SCHEDULED = "scheduled"  # created; opens at opens_at
    OPEN = "open"
    CLOSED = "closed"  # results frozen, waiting for sign-off
    FINALISED = "finalised"  # signed off (decision record / explanations done)


class Option(Contract):
    id: Slug
    label: Label


class Question(Contract):
    id: Slug
    type: QuestionType
    text: Label
    options: list[Option] = Field(default=[], max_length=30)
    required: bool = True


class CreatePoll(Contract):
    """`surveys.create_poll` by commune staff (`actor`), for the commune itself or
    one of its thôn / tổ dân phố. Idempotent by `request_id` (the form's)."""

    actor: Text
    request_id: RequestId
    kind: PollKind
    commune_id: Text
    unit_id: Text  # the commune, or one of its residential units
    title: Label
    description: LongText = ""
    matter: str | None = None  # decisions: one of Matter (Art 15)
    channels: list[Channel] = Field(min_length=1)
    secret: bool = False  # decisions: who took part and what they chose are kept apart
    public_results: bool = True  # residents may see the results page
    questions: list[Question] = Field(min_length=1, max_length=30)
    # decisions: the options that decide the matter if they reach the threshold
    # ("agree"; or each candidate of an election)
    deciding_options: list[Slug] = []
    noticed_on: date | None = None  # decisions: when the notice was posted (Art 18)
    opens_at: datetime
    closes_at: datetime
    # Decree 59 Art 5: households that opted in to voting online
    online_opt_in: int | None = Field(default=None, ge=0)
    meeting_fell_short: bool = False  # Art 19.1.b: a meeting was held and fell short


class ElectorateSummary(Contract):
    """The households that may take part, frozen when the poll opened."""

    as_of: date
    total: int
    by_unit: dict[str, int]  # unit id → households
    unit_names: dict[str, str]


class Poll(Contract):
    id: str
    kind: PollKind
    commune_id: str
    unit_id: str
    unit_name: str
    title: str
    description: str
    matter: str | None
    channels: list[Channel]
    secret: bool
    public_results: bool
    questions: list[Question]
    deciding_options: list[str]
    noticed_on: date | None
    opens_at: datetime
    closes_at: datetime
    online_opt_in: int | None
    meeting_fell_short: bool
    status: PollStatus
    created_by: str
    created_at: datetime
    electorate: ElectorateSummary | None = None


class PollRef(Contract):
    """`surveys.get_poll`, `surveys.close_poll` and other calls about one poll."""

    poll_id: Text
    actor: str | None = None


class HouseholdCodes(Contract):
    """What `surveys.poll_participants` answers."""

    poll_id: str
    commune_id: str
    household_codes: list[str]


class ListPolls(Contract):
    """`surveys.list_polls`: a commune's polls, newest first; residents see only
    those that opened."""

    commune_id: Text
    include_scheduled: bool = False


class PollList(Contract):
    polls: list[Poll]


# --- ballot cards ---------------------------------------------------------------


class IssueCards(Contract):
    """`surveys.issue_cards`: the ballot cards of one residential unit (all its
    households), or a new card for one household (`household_code`), which makes
    its old card stop working."""

    actor: Text
    poll_id: Text
    unit_id: Text
    household_code: HouseholdCode | None = None


class BallotCard(Contract):
    poll_id: str
    household_code: str
    unit_id: str
    card_code: str  # typed by people who cannot scan; the QR code opens /b/<card_code>
    version: int


class CardSheet(Contract):
    poll: Poll
    unit_name: str
    cards: list[BallotCard]


# --- the resident's ballot ------------------------------------------------------


class OpenBallot(Contract):
    """`surveys.open_ballot`: what a card's link shows."""

    card_code: CardCode


class BallotState(StrEnum):
    READY = "ready"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    ALREADY_VOTED = "already_voted"


class BallotView(Contract):
    poll: Poll
    household_code: str
    unit_name: str
    state: BallotState
    voted_by: Channel | None = None  # when ALREADY_VOTED
    voted_at: datetime | None = None


class CastBallot(Contract):
    """`surveys.cast_ballot`: one household's answers, once. `submission_id` comes
    with the confirmation form, so sending it twice records it once."""

    card_code: CardCode
    submission_id: RequestId
    answers: Answers


class BallotReceipt(Contract):
    poll_id: str
    receipt_code: str
    cast_at: datetime
    channel: Channel


class CheckReceipt(Contract):
    """`surveys.check_receipt`: was the ballot behind a receipt counted?"""

    receipt_code: ReceiptCode


class ReceiptStatus(Contract):
    """Everything the receipt page shows, in one answer (it is opened after every ballot)."""

    counted: bool
    poll_id: str
    poll_title: str
    poll_kind: PollKind
    poll_status: PollStatus
    secret: bool
    public_results: bool
    cast_on: date | None = None  # the day only: a secret ballot keeps no time


class AnswerSatisfaction(Contract):
    """`surveys.answer_satisfaction`: anyone, anonymous. `client_key` is a hash of the
    sender's address and the day, made by the gateway, for the abuse limit only."""

    poll_id: Text
    submission_id: RequestId
    client_key: Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{16,64}$")]
    answers: Answers


# --- paper and meeting ----------------------------------------------------------


class RecordPaperReturns(Contract):
    """`surveys.record_paper_returns`: households whose paper ballot came back, entered
    by the group head or commune staff. Each household is recorded once, whatever
    the channel; the answer lists which were refused and why."""

    actor: Text
    poll_id: Text
    unit_id: Text
    household_codes: list[HouseholdCode] = Field(min_length=1, max_length=2000)


class RecordMeeting(Contract):
    """`surveys.record_meeting`: the household meeting of a unit (Art 18, 20.2): who
    attended (the roll), and the show-of-hands result per option."""

    actor: Text
    poll_id: Text
    unit_id: Text
    held_at: datetime
    present_codes: list[HouseholdCode] = Field(min_length=1, max_length=5000)
    counts: dict[str, dict[str, int]]  # question → option → hands


class RolledCall(Contract):
    """What a roll entry did to each household code."""

    recorded: list[str]
    refused: dict[str, str]  # code → why (already voted online, not in the electorate...)


# The count minutes' photo: a JPEG or PNG of at most 5 MB, refused larger by the
# gateway before it is sent and by the surveys service before it is kept.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# The first bytes every file of the type starts with: the declared type is not trusted.
PHOTO_SIGNATURES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


class Photo(Contract):
    content_type: Annotated[str, StringConstraints(pattern=r"^image/(jpeg|png)$")]
    data_base64: Annotated[str, StringConstraints(max_length=8_000_000)]


class MinutesPhotoRef(Contract):
    """`surveys.get_minutes_photo`: the photo of a unit's count minutes, for the
    commune's staff, inspectors and group heads."""

    actor: Text
    poll_id: Text
    photo_id: Text


class RecordPaperTally(Contract):
    """`surveys.record_paper_tally`: the count minutes (biên bản kiểm phiếu, Decree 59
    Art 4, Form 04) of one unit's paper ballots. Entering it again replaces it."""

    actor: Text
    poll_id: Text
    unit_id: Text
    minutes_number: Label
    counted_at: datetime
    returned: int = Field(ge=0)
    valid: int = Field(ge=0)
    invalid: int = Field(ge=0)
    counts: dict[str, dict[str, int]]  # question → option → ballots
    photo: Photo


class PaperTally(Contract):
    unit_id: str
    minutes_number: str
    counted_at: datetime
    returned: int
    valid: int
    invalid: int
    counts: dict[str, dict[str, int]]
    recorded_by: str
    photo_id: str


class MeetingRecord(Contract):
    unit_id: str
    held_at: datetime
    present: int
    counts: dict[str, dict[str, int]]
    quorum_reached: bool  # more than half of the unit's households attended
    recorded_by: str


# --- results --------------------------------------------------------------------


class UnitResult(Contract):
    unit_id: str
    unit_name: str
    households: int
    participated: dict[Channel, int]
    # question → option → channel → count
    counts: dict[str, dict[str, dict[Channel, int]]]
    agrees: bool | None = None  # commune-wide money matters: did this unit agree?


class Outcome(Contract):
    """The pass rule of Art 21.1 applied with the law's denominator."""

    passes: bool
    deciding_option: str | None  # the option that reached the threshold
    counts: str  # "households" or "units"
    needed: int  # the smallest number that passes
    of_total: int  # all households (or units) of the scope
    rule_vi: str  # "ít nhất 2/3 tổng số hộ gia đình", ...


class PollResults(Contract):
    poll: Poll
    total_households: int
    participated: dict[Channel, int]
    units: list[UnitResult]
    totals: dict[str, dict[str, dict[Channel, int]]]
    ratings: dict[str, float]  # rating questions: mean on 1-5
    free_text: dict[str, list[str]]  # for staff only; empty for residents
    outcome: Outcome | None  # decisions only
    paper_tallies: list[PaperTally]
    meetings: list[MeetingRecord]
    frozen: bool  # computed once at closing, never again
    computed_at: datetime
    seal: str  # sha-256 of the frozen results, shown with the sign-off
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None


class ResultsQuery(Contract):
    """`surveys.get_results`: staff of the commune see everything at any time;
    anyone else only a public poll's results, without free text."""

    poll_id: Text
    actor: str | None = None


# --- after closing --------------------------------------------------------------


class Acceptance(StrEnum):
    ACCEPTED = "accepted"  # tiếp thu
    PARTLY = "partly"  # tiếp thu một phần
    NOT_ACCEPTED = "not_accepted"  # không tiếp thu, giải trình


ACCEPTANCE_VI = {
    Acceptance.ACCEPTED: N_("Tiếp thu"),
    Acceptance.PARTLY: N_("Tiếp thu một phần"),
    Acceptance.NOT_ACCEPTED: N_("Không tiếp thu, giải trình"),
}


class OpinionGroup(Contract):
    """One group of similar opinions and what the commune did with it (Art 28: the
    Chairman explains which opinions were accepted and why)."""

    question_id: Slug
    summary: Label
    count: int = Field(ge=0)
    acceptance: Acceptance
    explanation: Label


class RecordExplanations(Contract):
    """`surveys.record_explanations`: the table of opinion groups, replaced whole."""

    actor: Text
    poll_id: Text
    groups: list[OpinionGroup] = Field(max_length=200)


class DecisionRecord(Contract):
    """Biên bản (Art 20.2): every field the law lists. The numbers come from the
    results; people fill in the rest."""

    held_at: datetime
    content: Label
    form: str
    total_households: int
    present: int
    absent: int
    result: str
    decision: str
    head_name: Label  # trưởng thôn / tổ trưởng tổ dân phố
    front_head_name: Label  # trưởng ban công tác Mặt trận
    household_representatives: list[Label] = Field(min_length=2, max_length=2)
    send_by: date  # Art 20.3: to the People's Committee and the Front within 5 working days


class SignOff(Contract):
    """`surveys.finalise_poll`: the results signed off; for a decision, the record's
    fields people fill in; for a consultation, the explanations must exist first."""

    actor: Text
    poll_id: Text
    head_name: str = ""
    front_head_name: str = ""
    household_representatives: list[str] = []
    decision_text: str = ""


class PollSummary(Contract):
    """What `surveys.get_summary` publishes once a poll is finalised."""

    poll: Poll
    results: PollResults
    explanations: list[OpinionGroup]
    decision_record: DecisionRecord | None


# --- events ---------------------------------------------------------------------


class PollEvent(Event):
    poll_id: str
    kind: PollKind
    commune_id: str
    unit_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    public_results: bool = False  # residents may see the results (webhooks publish them)


class PollOpened(PollEvent):
    event_type: ClassVar[str] = "poll_opened"
    households: int


class PollClosingSoon(PollEvent):
    event_type: ClassVar[str] = "poll_closing_soon"


class PollClosed(PollEvent):
    event_type: ClassVar[str] = "poll_closed"
    participated: int
    households: int


class PollDecided(PollEvent):
    event_type: ClassVar[str] = "poll_decided"
    passes: bool | None  # None for a consultation
    seal: str | None = None  # the signed-off results' digest (PollResults.seal)
