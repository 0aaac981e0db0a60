"""Contracts of the commune's public notice board (bảng công khai): what the commune
must disclose (Law 10/2022 Art 11), in which forms (Art 12), within which time
(Art 13), and the quarterly index of everything disclosed."""

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text
from shared.i18n import N_

RequestId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
DecisionRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class DisclosureCategory(IntEnum):
    """What the commune must disclose: the items of Art 11, by their number."""

    SOCIO_ECONOMIC_PLAN = 1
    BUDGET = 2
    INVESTMENT_AND_LAND = 3
    DEMOCRACY_REGULATION = 4
    FUNDS_AND_CONTRIBUTIONS = 5
    PUBLIC_ASSETS = 6
    SOCIAL_SUPPORT = 7
    RELIEF = 8
    CALL_UP_LISTS = 9
    INSPECTION_AND_DISCIPLINE = 10
    CONSULTATIONS = 11
    FEES_AND_CHARGES = 12
    ADMINISTRATIVE_PROCEDURES = 13
    OTHER = 14


CATEGORY_NAMES_VI = {
    DisclosureCategory.SOCIO_ECONOMIC_PLAN: N_(
        "Kế hoạch phát triển kinh tế - xã hội và kết quả thực hiện"
    ),
    DisclosureCategory.BUDGET: N_(
        "Dự toán, tình hình thực hiện, quyết toán ngân sách; kiến nghị của Kiểm toán nhà nước"
    ),
    DisclosureCategory.INVESTMENT_AND_LAND: N_(
        "Dự án đầu tư, tiến độ thực hiện; thu hồi đất, bồi thường, tái định cư; "
        "quy hoạch, kế hoạch sử dụng đất và xây dựng"
    ),
    DisclosureCategory.DEMOCRACY_REGULATION: N_(
        "Quy chế thực hiện dân chủ ở cơ sở; nhiệm vụ của cán bộ, công chức; quy tắc ứng xử"
    ),
    DisclosureCategory.FUNDS_AND_CONTRIBUTIONS: N_(
        "Quỹ, tài trợ và các khoản huy động Nhân dân đóng góp"
    ),
    DisclosureCategory.PUBLIC_ASSETS: N_("Quản lý, sử dụng tài sản công"),
    DisclosureCategory.SOCIAL_SUPPORT: N_(
        "Chính sách hỗ trợ, an sinh xã hội: tiêu chuẩn, đối tượng, kết quả bình xét"
    ),
    DisclosureCategory.RELIEF: N_("Hỗ trợ khắc phục thiên tai, dịch bệnh; tiền, hàng cứu trợ"),
    DisclosureCategory.CALL_UP_LISTS: N_(
        "Danh sách gọi công dân nhập ngũ, tham gia công an nhân dân"
    ),
    DisclosureCategory.INSPECTION_AND_DISCIPLINE: N_(
        "Kết quả thanh tra, kiểm tra; vụ việc tham nhũng, kỷ luật cán bộ xã, thôn, "
        "tổ dân phố; kết quả lấy phiếu tín nhiệm"
    ),
    DisclosureCategory.CONSULTATIONS: N_(
        "Kế hoạch lấy ý kiến Nhân dân, tổng hợp ý kiến và giải trình, tiếp thu"
    ),
    DisclosureCategory.FEES_AND_CHARGES: N_("Các loại phí, lệ phí"),
    DisclosureCategory.ADMINISTRATIVE_PROCEDURES: N_("Thủ tục hành chính"),
    DisclosureCategory.OTHER: N_("Nội dung khác theo quy định của pháp luật"),
}


class DisclosureForm(StrEnum):
    """How a disclosure reaches people: the forms of Art 12.1."""

    POSTING = "posting"
    PORTAL = "portal"
    LOUDSPEAKER = "loudspeaker"
    VIA_GROUP_HEAD = "via_group_head"
    LETTERS = "letters"
    DIALOGUE = "dialogue"
    RECEPTION_OR_PRESS = "reception_or_press"
    MASS_ORGANISATIONS = "mass_organisations"
    TELECOM_OR_SOCIAL = "telecom_or_social"
    OTHER = "other"


FORM_NAMES_VI = {
    DisclosureForm.POSTING: N_(
        "Niêm yết tại trụ sở Ủy ban nhân dân xã và điểm sinh hoạt cộng đồng"
    ),
    DisclosureForm.PORTAL: N_("Đăng tải trên cổng thông tin điện tử"),
    DisclosureForm.LOUDSPEAKER: N_("Thông báo trên hệ thống truyền thanh"),
    DisclosureForm.VIA_GROUP_HEAD: N_("Thông qua trưởng thôn, tổ trưởng tổ dân phố"),
    DisclosureForm.LETTERS: N_("Gửi văn bản đến người dân"),
    DisclosureForm.DIALOGUE: N_("Tổ chức hội nghị, đối thoại"),
    DisclosureForm.RECEPTION_OR_PRESS: N_(
        "Qua tiếp công dân, họp báo, cung cấp thông tin cho báo chí"
    ),
    DisclosureForm.MASS_ORGANISATIONS: N_(
        "Thông qua Mặt trận Tổ quốc và các tổ chức chính trị - xã hội"
    ),
    DisclosureForm.TELECOM_OR_SOCIAL: N_("Qua mạng viễn thông, mạng xã hội"),
    DisclosureForm.OTHER: N_("Hình thức khác"),
}


class PostDisclosure(Contract):
    """`notifications.post_disclosure` by commune staff (`actor`). Idempotent by
    `request_id` (the form's). `posted_to` is None for what is posted permanently."""

    actor: Text
    commune_id: Text
    request_id: RequestId
    category: DisclosureCategory
    title: Title
    summary: Body
    decision_ref: DecisionRef  # e.g. "Quyết định 12/QĐ-UBND"
    decision_date: date
    posted_from: date
    posted_to: date | None = None
    forms: list[DisclosureForm] = Field(min_length=1)
    loudspeaker_days: int | None = Field(default=None, ge=1, le=366)
    late_reason: Reason | None = None  # why it is posted after the deadline (Art 13)
    # a permanent disclosure this one updates (Art 12.3: items 4 and 13, updated on change)
    replaces: Text | None = None


class Disclosure(Contract):
    """A disclosure as the board stores and shows it."""

    id: str
    commune_id: str
    category: DisclosureCategory
    title: str
    summary: str
    decision_ref: str
    decision_date: date
    posted_from: date
    posted_to: date | None
    forms: list[DisclosureForm]
    loudspeaker_days: int | None
    late_reason: str | None
    permanent: bool
    deadline: date  # the decision date + 5 working days (Art 13)
    late: bool
    posted_by: str
    posted_at: datetime
    replaces: str | None = None
    replaced_by: str | None = None  # the update that took its place on the board


class DisclosurePosted(Event):
    """Published once a disclosure is stored; the notifications service itself
    announces it to the commune's households from it (so a crash after the write
    delays the announcement, never loses it)."""

    event_type: ClassVar[str] = "disclosure_posted"
    disclosure: Disclosure


class ListDisclosures(Contract):
    """`notifications.list_disclosures`: public. "current": on the board on `on`;
    "archive": whose posting had ended before `on`."""

    commune_id: Text
    on: date
    which: Literal["current", "archive"] = "current"
    category: DisclosureCategory | None = None


class DisclosureList(Contract):
    disclosures: list[Disclosure]


class GetDisclosure(Contract):
    """`notifications.get_disclosure`: public."""

    commune_id: Text
    disclosure_id: Text


class QuarterlyIndex(Contract):
    """`notifications.quarterly_index`: public. Law 10/2022 Art 12-13: every quarter
    the commune posts an index of everything it disclosed, with form and dates."""

    commune_id: Text
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


class DisclosureIndex(Contract):
    """The disclosures whose posting started in the quarter, in the order they started."""

    commune_id: str
    year: int
    quarter: int
    starts: date
    ends: date
    disclosures: list[Disclosure]
