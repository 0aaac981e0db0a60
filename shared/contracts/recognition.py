"""Contracts of the recognition service: the commune's commendations (khen thưởng:
Law 06/2022 on Emulation and Commendation, Decree 98/2023, Decree 152/2025) and the
discipline of its cadres, civil servants and public employees (xử lý kỷ luật:
Decree 112/2020 as amended by 71/2023, Decree 172/2025, Decree 234/2026); the
seed resolutions' measure 4. The rules are in services/recognition/domain.py; the
points the law brief marks UNCONFIRMED are dated rules a commune administrator
sees and changes with a reason (`RuleBook`).

A commendation goes: proposed (with the review meeting's minutes) → posted for
public comment on the notice board → reviewed by the commune's commendation
council → decided (with its award) or rejected → perhaps revoked. A discipline
case goes: opened (the violation) → review meeting → disciplinary council →
decision, each step with its dates, some lawfully skipped; its clocks (limitation,
handling deadline with pauses, the decision's effect) come from the rule set in
force for the staff type on the violation's date. Every change of a case is a new
version with a reason; nothing is rewritten.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.common import Contract, Event, Text
from shared.contracts.disclosures import PostDisclosure
from shared.contracts.feedback import Upload
from shared.contracts.households import HouseholdCode, PersonName
from shared.contracts.notifications import Owner
from shared.contracts.staff import Username
from shared.i18n import N_

RequestId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=3000)
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
DecisionNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
]  # e.g. "25/QĐ-UBND"
Year = Annotated[int, Field(ge=2000, le=2100)]
RuleValue = bool | int | float | str


# ---- configurable rules ------------------------------------------------------------


class RuleVersion(Contract):
    """One value of a rule, in force from `valid_from` until the next version's."""

    value: RuleValue
    valid_from: date
    reason: str  # why: the source for a default, the administrator's reason for a change
    set_by: str  # "DânBàn" for a default
    set_at: datetime | None = None  # None for a default


class Rule(Contract):
    key: str
    name: str  # in Vietnamese
    kind: str  # "number", "money", "percent", "days", "months", "years", "text", "yes_no"
    source: str  # the article it rests on
    confirmed: bool  # False: the law brief marks it UNCONFIRMED
    value: RuleValue | None  # in force on the book's day; None before any version
    versions: list[RuleVersion]  # oldest first


class ListRules(Contract):
    """`recognition.list_rules`: the commune's rules as in force `on` (today if None)."""

    actor: Text
    commune_id: Text
    on: date | None = None


class RuleBook(Contract):
    commune_id: str
    on: date
    rules: list[Rule]


class SetRule(Contract):
    """`recognition.set_rule` by a commune administrator: a new version of a rule from
    `valid_from`; earlier versions stay and still decide what came before."""

    actor: Text
    commune_id: Text
    key: Text
    value: RuleValue
    valid_from: date
    reason: Reason


# ---- commendations -----------------------------------------------------------------


class RecipientKind(StrEnum):
    INDIVIDUAL = "individual"
    HOUSEHOLD = "household"
    COLLECTIVE = "collective"  # a thôn / tổ dân phố, an agency or its department


RECIPIENT_KINDS_VI = {
    RecipientKind.INDIVIDUAL: N_("Cá nhân"),
    RecipientKind.HOUSEHOLD: N_("Hộ gia đình"),
    RecipientKind.COLLECTIVE: N_("Tập thể"),
}


class Title(StrEnum):
    """The forms and titles a commune gives or proposes (Law 06/2022 Art 80)."""

    CERTIFICATE_OF_MERIT = "giay_khen"  # Giấy khen của Chủ tịch UBND xã
    ADVANCED_WORKER = "lao_dong_tien_tien"  # Lao động tiên tiến
    GRASSROOTS_EMULATION_FIGHTER = "chien_si_thi_dua_co_so"  # Chiến sĩ thi đua cơ sở
    CULTURED_FAMILY = "gia_dinh_van_hoa"  # Gia đình văn hóa (Decree 86/2023)
    CULTURED_VILLAGE = "thon_to_dan_pho_van_hoa"  # Thôn, Tổ dân phố văn hóa
    ADVANCED_COLLECTIVE = "tap_the_lao_dong_tien_tien"  # Tập thể lao động tiên tiến
    OUTSTANDING_COLLECTIVE = "tap_the_lao_dong_xuat_sac"  # Tập thể lao động xuất sắc


TITLE_NAMES_VI = {
    Title.CERTIFICATE_OF_MERIT: N_("Giấy khen"),
    Title.ADVANCED_WORKER: N_("Lao động tiên tiến"),
    Title.GRASSROOTS_EMULATION_FIGHTER: N_("Chiến sĩ thi đua cơ sở"),
    Title.CULTURED_FAMILY: N_("Gia đình văn hóa"),
    Title.CULTURED_VILLAGE: N_("Thôn, Tổ dân phố văn hóa"),
    Title.ADVANCED_COLLECTIVE: N_("Tập thể lao động tiên tiến"),
    Title.OUTSTANDING_COLLECTIVE: N_("Tập thể lao động xuất sắc"),
}

# Who each title is for.
TITLE_RECIPIENTS = {
    Title.CERTIFICATE_OF_MERIT: frozenset(RecipientKind),
    Title.ADVANCED_WORKER: frozenset({RecipientKind.INDIVIDUAL}),
    Title.GRASSROOTS_EMULATION_FIGHTER: frozenset({RecipientKind.INDIVIDUAL}),
    Title.CULTURED_FAMILY: frozenset({RecipientKind.HOUSEHOLD}),
    Title.CULTURED_VILLAGE: frozenset({RecipientKind.COLLECTIVE}),
    Title.ADVANCED_COLLECTIVE: frozenset({RecipientKind.COLLECTIVE}),
    Title.OUTSTANDING_COLLECTIVE: frozenset({RecipientKind.COLLECTIVE}),
}


class ProposedBy(StrEnum):
    COMMUNE = "commune"  # an agency or unit of the commune, through its staff
    YEAR_END_CONFERENCE = "year_end_conference"  # the thôn / TDP's conference (Law 10/2022 Art 33)
    INSPECTION_BOARD = "inspection_board"  # the People's Inspection Board (Law 10/2022 Art 38.5)


PROPOSED_BY_VI = {
    ProposedBy.COMMUNE: N_("Cơ quan, đơn vị của xã"),
    ProposedBy.YEAR_END_CONFERENCE: N_("Hội nghị cộng đồng dân cư cuối năm (Điều 33 Luật 10/2022)"),
    ProposedBy.INSPECTION_BOARD: N_("Ban Thanh tra nhân dân (khoản 5 Điều 38 Luật 10/2022)"),
}


class NominationStatus(StrEnum):
    PROPOSED = "proposed"
    POSTED = "posted"  # on the notice board for comment
    REVIEWED = "reviewed"  # the council has voted
    DECIDED = "decided"
    REJECTED = "rejected"
    REVOKED = "revoked"


STATUS_NAMES_VI = {
    NominationStatus.PROPOSED: N_("Đã đề nghị"),
    NominationStatus.POSTED: N_("Đang lấy ý kiến"),
    NominationStatus.REVIEWED: N_("Hội đồng đã xét"),
    NominationStatus.DECIDED: N_("Đã quyết định khen thưởng"),
    NominationStatus.REJECTED: N_("Không khen thưởng"),
    NominationStatus.REVOKED: N_("Đã hủy bỏ"),
}


class Recipient(Contract):
    kind: RecipientKind
    name: PersonName  # the person, the household's head, or the collective
    unit: ShortText  # where they work or live: "Tổ dân phố 3", "Văn phòng UBND phường"
    household: HouseholdCode | None = None  # for the household's inbox
    username: Username | None = None  # an official's, for their inbox

    @property
    def owner(self) -> Owner | None:
        """Whose inbox hears of the decision, if anyone's."""
        if self.username:
            return Owner(username=self.username)
        if self.household:
            return Owner(household=self.household)
        return None


class ProposeCommendation(Contract):
    """`recognition.propose`: commune staff; an inspector for the People's Inspection
    Board; a group head for their unit's year-end conference. The minutes of the
    meeting that reviewed the proposal are attached (a PDF or a photo). Idempotent by
    `request_id`."""

    actor: Text
    request_id: RequestId
    commune_id: Text
    year: Year
    title: Title
    recipient: Recipient
    achievement: Description
    proposed_by: ProposedBy = ProposedBy.COMMUNE
    minutes: Upload


class CouncilVote(Contract):
    """The commune commendation council's vote on a nomination."""

    met_on: date
    members: int = Field(ge=3, le=30)
    present: int = Field(ge=1, le=30)
    votes_for: int = Field(ge=0, le=30)
    votes_against: int = Field(ge=0, le=30)
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""

    @model_validator(mode="after")
    def _counts(self) -> "CouncilVote":
        if self.present > self.members:
            raise ValueError("more members present than the council has")
        if self.votes_for + self.votes_against > self.present:
            raise ValueError("more votes than members present")
        return self


class Award(Contract):
    """The cash that goes with a title: its multiple of the base salary in force on
    the decision date (Decree 152/2025), rounded to the đồng."""

    multiple: float
    base_salary: int
    amount: int


class HistoryEntry(Contract):
    at: datetime
    actor: str
    action: str  # "proposed", "posted", "reviewed", "decided", "rejected", "revoked", "photo"
    note: str = ""


class Nomination(Contract):
    nomination_id: str
    commune_id: str
    year: int
    title: Title
    recipient: Recipient
    achievement: str
    proposed_by: ProposedBy
    status: NominationStatus
    minutes_filename: str
    posting_id: str | None = None
    comment_until: date | None = None
    comments: int = 0
    council: CouncilVote | None = None
    authority: str | None = None  # who decides this title (a rule)
    decision_number: str | None = None
    decided_on: date | None = None
    award: Award | None = None
    certificate_code: str | None = None
    rejected_reason: str | None = None
    revoked_reason: str | None = None
    has_photo: bool = False
    history: list[HistoryEntry]


class NominationRef(Contract):
    """`recognition.get_nomination`, `recognition.nomination_minutes` (staff)."""

    actor: Text
    nomination_id: Text


class ListNominations(Contract):
    """`recognition.list_nominations`: staff and inspectors."""

    actor: Text
    commune_id: Text
    year: Year
    status: NominationStatus | None = None


class Nominations(Contract):
    nominations: list[Nomination]


class PostNominees(Contract):
    """`recognition.post_nominees`: the list of proposed nominees goes on the notice
    board for comment for `days` days (the commune's rule if None), from `posted_on`:
    today, or the day a list already posted at the commune office on paper went up."""

    actor: Text
    request_id: RequestId
    commune_id: Text
    nomination_ids: list[Text] = Field(min_length=1, max_length=500)
    days: int | None = Field(default=None, ge=1, le=90)
    posted_on: date | None = None


class Posting(Contract):
    posting_id: str
    commune_id: str
    year: int
    posted_on: date
    comment_until: date
    nominations: list[Nomination]


class OpenPostings(Contract):
    """`recognition.open_postings`: public; the lists open for comment `on` that day."""

    commune_id: Text
    on: date


class Postings(Contract):
    postings: list[Posting]


class CommentOnNominees(Contract):
    """`recognition.comment`: anyone, while the list is open. Idempotent by `request_id`."""

    request_id: RequestId
    posting_id: Text
    nomination_id: Text | None = None  # about one nominee, or the list
    name: PersonName
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    text: Description


class CommentReceipt(Contract):
    receipt: str  # "YK-XXXXXXXX"
    posting_id: str
    received_at: datetime


class Comment(Contract):
    receipt: str
    nomination_id: str | None
    name: str
    contact: str
    text: str
    received_at: datetime


class PostingComments(Contract):
    """`recognition.posting_comments` (staff): what `comments` answers."""

    posting_id: str
    comments: list[Comment]


class PostingRef(Contract):
    actor: Text
    posting_id: Text


class RecordCouncilVote(Contract):
    """`recognition.record_council_vote`: after the comment period has ended."""

    actor: Text
    nomination_id: Text
    vote: CouncilVote


class DecideCommendation(Contract):
    """`recognition.decide`: the decision of the title's authority."""

    actor: Text
    nomination_id: Text
    decision_number: DecisionNumber
    decided_on: date


class ReasonedChange(Contract):
    """`recognition.reject`, `recognition.revoke`: with a reason kept in the history."""

    actor: Text
    nomination_id: Text
    reason: Reason


class SetPhoto(Contract):
    """`recognition.set_photo`: a photo for the honour board (decoded, made upright and
    small, re-encoded without its metadata), or none to remove it."""

    actor: Text
    nomination_id: Text
    photo: Upload | None = None


class PhotoRef(Contract):
    """`recognition.honour_photo`: public, for a commendation on the honour board."""

    nomination_id: Text


class HonourQuery(Contract):
    """`recognition.honour_board`: public. Decided, not revoked."""

    commune_id: Text
    year: Year | None = None  # the newest year with a commendation if None
    title: Title | None = None
    unit: ShortText | None = None


class HonourEntry(Contract):
    """What the public sees of a commendation: no household code, no account."""

    nomination_id: str
    year: int
    title: Title
    recipient_kind: RecipientKind
    name: str
    unit: str
    achievement: str
    decision_number: str
    decided_on: date
    authority: str
    has_photo: bool


class HonourBoard(Contract):
    commune_id: str
    year: int | None
    years: list[int]
    units: list[str]
    entries: list[HonourEntry]


class CertificateQuery(Contract):
    """`recognition.certificate`: public; what the certificate's QR code opens."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40)]


class CommendationCertificate(Contract):
    entry: HonourEntry
    commune_id: str
    award: Award | None
    code: str
    revoked_reason: str | None = None


class CommendationDecided(Event):
    """Published when a commendation is decided; the notifications service tells the
    recipient's inbox, if they have one (a collective has none)."""

    event_type: ClassVar[str] = "commendation_decided"
    decision_id: str
    commune_id: str
    recipient: Owner | None  # the household or official commended
    form: str  # e.g. "Giấy khen của Chủ tịch Ủy ban nhân dân phường"
    reason: str
    decision_ref: str  # e.g. "Quyết định số 25/QĐ-UBND"
    decided_on: date


class DisclosureRequested(Event):
    """Published when the recognition service puts something on the commune's notice
    board: a nominee list for comment, a discipline result (Law 10/2022 Art 11 item
    10). The notifications service posts `disclosure` (idempotent by its request id)."""

    event_type: ClassVar[str] = "recognition_disclosure_requested"
    disclosure: PostDisclosure


# ---- discipline --------------------------------------------------------------------


class StaffType(StrEnum):
    CADRE = "cadre"  # cán bộ
    CIVIL_SERVANT = "civil_servant"  # công chức
    PUBLIC_EMPLOYEE = "public_employee"  # viên chức


STAFF_TYPE_NAMES_VI = {
    StaffType.CADRE: N_("Cán bộ"),
    StaffType.CIVIL_SERVANT: N_("Công chức"),
    StaffType.PUBLIC_EMPLOYEE: N_("Viên chức"),
}


class RuleSet(StrEnum):
    DECREE_112_71 = "decree_112_2020"  # Nghị định 112/2020/NĐ-CP, sửa đổi bởi 71/2023/NĐ-CP
    DECREE_172 = "decree_172_2025"  # Nghị định 172/2025/NĐ-CP (cán bộ, công chức, từ 01/7/2025)
    DECREE_234 = "decree_234_2026"  # Nghị định 234/2026/NĐ-CP (viên chức, từ 01/7/2026)


RULE_SET_NAMES_VI = {
    RuleSet.DECREE_112_71: N_("Nghị định 112/2020/NĐ-CP (sửa đổi bởi Nghị định 71/2023/NĐ-CP)"),
    RuleSet.DECREE_172: N_("Nghị định 172/2025/NĐ-CP"),
    RuleSet.DECREE_234: N_("Nghị định 234/2026/NĐ-CP"),
}


class DisciplineForm(StrEnum):
    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    SALARY_STEP_REDUCTION = "salary_step_reduction"  # hạ bậc lương
    DEMOTION = "demotion"  # giáng chức
    REMOVAL = "removal"  # cách chức
    DISMISSAL_FROM_ELECTED_OFFICE = "dismissal_from_elected_office"  # bãi nhiệm
    FORCED_DISMISSAL = "forced_dismissal"  # buộc thôi việc


FORM_NAMES_VI = {
    DisciplineForm.REPRIMAND: N_("Khiển trách"),
    DisciplineForm.WARNING: N_("Cảnh cáo"),
    DisciplineForm.SALARY_STEP_REDUCTION: N_("Hạ bậc lương"),
    DisciplineForm.DEMOTION: N_("Giáng chức"),
    DisciplineForm.REMOVAL: N_("Cách chức"),
    DisciplineForm.DISMISSAL_FROM_ELECTED_OFFICE: N_("Bãi nhiệm"),
    DisciplineForm.FORCED_DISMISSAL: N_("Buộc thôi việc"),
}


class Gravity(StrEnum):
    """Which limitation period a violation has."""

    REPRIMAND_LEVEL = "reprimand_level"  # would be disciplined by a reprimand
    OTHER = "other"


class WithoutLimitation(StrEnum):
    """Violations no limitation period protects."""

    PARTY_EXPULSION = "party_expulsion"  # the Party has expelled for it
    POLITICAL_PROTECTION = "political_protection"  # internal political protection
    NATIONAL_INTEREST = "national_interest"  # harm to national defence, security, foreign affairs
    FAKE_DIPLOMA = "fake_diploma"  # fake or unlawful diplomas and certificates


WITHOUT_LIMITATION_VI = {
    WithoutLimitation.PARTY_EXPULSION: N_("Đã bị kỷ luật khai trừ khỏi Đảng"),
    WithoutLimitation.POLITICAL_PROTECTION: N_("Vi phạm quy định về bảo vệ chính trị nội bộ"),
    WithoutLimitation.NATIONAL_INTEREST: (
        N_("Xâm hại lợi ích quốc gia trong quốc phòng, an ninh, đối ngoại")
    ),
    WithoutLimitation.FAKE_DIPLOMA: N_("Sử dụng văn bằng, chứng chỉ giả hoặc không hợp pháp"),
}


class Subject(Contract):
    """Who is disciplined."""

    full_name: PersonName
    position: ShortText  # "Công chức Tư pháp - Hộ tịch", "Phó Chủ tịch UBND phường"
    staff_type: StaffType
    leader_or_manager: bool = False  # holds a leading or managing post
    elected: bool = False  # holds an elected office (cán bộ)
    username: Username | None = None  # their account, if any


class Violation(Contract):
    description: Description
    committed_on: date
    gravity: Gravity = Gravity.OTHER
    without_limitation: WithoutLimitation | None = None


class PauseGround(StrEnum):
    ILLNESS = "illness"
    MATERNITY = "maternity"
    PROSECUTION = "prosecution"


class Pause(Contract):
    """A period that does not count towards the handling deadline (Decree 112 Art 3;
    Decree 172): serious illness, pregnancy or maternity, prosecution."""

    ground: PauseGround
    starts_on: date
    ends_on: date | None = None  # None while it lasts


PAUSE_GROUNDS_VI = {
    PauseGround.ILLNESS: N_("Đang điều trị bệnh hiểm nghèo, ốm nặng"),
    PauseGround.MATERNITY: N_("Đang mang thai, nghỉ thai sản, nuôi con dưới 12 tháng tuổi"),
    PauseGround.PROSECUTION: N_("Đang bị khởi tố, tạm giữ, tạm giam chờ kết luận"),
}


class StepKind(StrEnum):
    REVIEW_MEETING = "review_meeting"  # họp kiểm điểm
    COUNCIL = "council"  # Hội đồng kỷ luật
    RECOMMENDATION = "recommendation"  # the council's written recommendation


STEP_NAMES_VI = {
    StepKind.REVIEW_MEETING: N_("Họp kiểm điểm"),
    StepKind.COUNCIL: N_("Họp Hội đồng kỷ luật"),
    StepKind.RECOMMENDATION: N_("Hội đồng kỷ luật gửi văn bản kiến nghị"),
}


class SkipGround(StrEnum):
    """When a step may lawfully be skipped (Decree 112 Art 32; Decree 172 Art 16)."""

    PRIOR_CONCLUSION = "prior_conclusion"  # a competent body's conclusion of the violation
    CONVICTION = "conviction"  # a court's judgment
    PARTY_DISCIPLINE = "party_discipline"  # already disciplined by the Party


SKIP_GROUNDS_VI = {
    SkipGround.PRIOR_CONCLUSION: N_("Đã có kết luận về hành vi vi phạm của cơ quan có thẩm quyền"),
    SkipGround.CONVICTION: N_("Đã có bản án có hiệu lực pháp luật"),
    SkipGround.PARTY_DISCIPLINE: N_("Đã bị xử lý kỷ luật đảng"),
}


class Step(Contract):
    kind: StepKind
    held_on: date | None = None  # None when skipped
    skipped: SkipGround | None = None
    # the council's: its size, who came, its secret ballot on the proposed form
    members: int | None = Field(default=None, ge=3, le=5)
    present: int | None = Field(default=None, ge=0, le=5)
    chair_present: bool = False
    secretary_present: bool = False
    proposed_form: DisciplineForm | None = None
    ballot_for: int | None = Field(default=None, ge=0, le=5)
    ballot_against: int | None = Field(default=None, ge=0, le=5)
    notice_sent_on: date | None = None  # the council's summons
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""

    @model_validator(mode="after")
    def _held_or_skipped(self) -> "Step":
        if (self.held_on is None) == (self.skipped is None):
            raise ValueError("a step is held on a day or skipped on a ground")
        return self


class CaseStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"  # the decision is in effect
    LAPSED = "lapsed"  # its effect period is over
    CLOSED = "closed"  # ended without discipline


CASE_STATUS_VI = {
    CaseStatus.OPEN: N_("Đang xử lý"),
    CaseStatus.DECIDED: N_("Đã quyết định, đang có hiệu lực"),
    CaseStatus.LAPSED: N_("Đã hết hiệu lực"),
    CaseStatus.CLOSED: N_("Kết thúc, không kỷ luật"),
}


class Decision(Contract):
    form: DisciplineForm
    number: DecisionNumber
    decided_on: date


class Clock(Contract):
    """A case's dates as the rules give them."""

    rule_set: RuleSet
    allowed_forms: list[DisciplineForm]
    limitation_ends_on: date | None  # None: no limitation
    handling_due_on: date  # the discovery + 90 or 150 days + paused days
    paused_days: int
    effect_ends_on: date | None  # the last day the decision is in effect; None before one
    recidivism: bool  # a new violation within an earlier decision's effect
    next_step: str | None  # what is due next and by when, in Vietnamese
    next_step_due_on: date | None


class OpenCase(Contract):
    """`recognition.open_case`: a commune leader opens a discipline case. Idempotent
    by `request_id`."""

    actor: Text
    request_id: RequestId
    commune_id: Text
    subject: Subject
    violation: Violation
    discovered_on: date  # when the violation came to light: the handling clock starts
    complex: bool = False


class CaseChange(Contract):
    """`recognition.change_case`: every change of a case, each with its reason; one
    field group at a time. The case's earlier versions stay as they were."""

    actor: Text
    case_id: Text
    version: int = Field(ge=1)  # the version the change was made on (refused if stale)
    reason: Reason
    subject: Subject | None = None
    violation: Violation | None = None
    discovered_on: date | None = None
    complex: bool | None = None
    later_violation_on: date | None = None  # a new violation: the limitation restarts
    step: Step | None = None
    pause: Pause | None = None  # a new pause, or the open one ended (same starts_on)
    decision: Decision | None = None
    closed: bool | None = None  # ends the case without discipline


class CaseRef(Contract):
    """`recognition.get_case`: `version` None for the newest."""

    actor: Text
    case_id: Text
    version: int | None = Field(default=None, ge=1)


class DisciplineCase(Contract):
    case_id: str
    commune_id: str
    version: int
    versions: int  # how many there are
    changed_at: datetime
    changed_by: str
    reason: str  # of this version
    subject: Subject
    violation: Violation
    later_violations: list[date]
    discovered_on: date
    complex: bool
    steps: list[Step]
    pauses: list[Pause]
    decision: Decision | None
    status: CaseStatus
    clock: Clock
    disclosed_on: date | None = None


class ListCases(Contract):
    """`recognition.list_cases`: the commune's cases, with what is due."""

    actor: Text
    commune_id: Text
    year: Year | None = None  # opened that year; every open case if None


class CaseSummary(Contract):
    case_id: str
    full_name: str
    position: str
    staff_type: StaffType
    status: CaseStatus
    form: DisciplineForm | None
    discovered_on: date
    handling_due_on: date
    limitation_ends_on: date | None
    next_step: str | None
    next_step_due_on: date | None
    overdue: bool
    due_soon: bool  # within DUE_SOON_DAYS


class CaseList(Contract):
    cases: list[CaseSummary]


class DiscloseResult(Contract):
    """`recognition.disclose_result`: the decision on the commune's notice board (Law
    10/2022 Art 11 item 10), with only what may be public."""

    actor: Text
    request_id: RequestId
    case_id: Text
    public_summary: Description
    late_reason: Reason | None = None


# ---- reports and audit -------------------------------------------------------------


class ReportQuery(Contract):
    """`recognition.commendation_report`, `recognition.discipline_report`. Audit:
    `recognition.list_audit` takes shared.contracts.staff.ListAudit."""

    actor: Text
    commune_id: Text
    year: Year | None = None  # every year if None


class ReportRow(Contract):
    year: int
    group: str  # title and unit; form and status
    detail: str
    count: int
    amount: int = 0  # commendations: the awards' total in đồng


class Report(Contract):
    commune_id: str
    rows: list[ReportRow]
