"""How an audit entry reads to a person: what changed, in Vietnamese words.

Each stored field has a label and, where its raw value means nothing to a
reader (a code word, a date, a list of records), a way to say it. A field not
named here still shows, under its own name, so a new action is never hidden.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.templating import STATUS_VI, UNIT_KIND_VI, vn_date, vn_datetime
from shared.contracts.staff import ROLE_NAMES_VI
from shared.contracts.surveys import MATTER_NAMES_VI, POLL_KIND_VI, TOOK_PART_VI
from shared.i18n import N_, _

ACTIONS_VI = {
    "create_account": N_("Tạo tài khoản"),
    "grant_role": N_("Cấp vai trò"),
    "revoke_role": N_("Thu hồi vai trò"),
    "add_residential_unit": N_("Thêm thôn, tổ dân phố"),
    "register_household": N_("Ghi nhận hộ gia đình"),
    "move_household": N_("Chuyển hộ sang đơn vị khác"),
    "mark_moved_out": N_("Ghi nhận hộ chuyển đi"),
    "rename_unit": N_("Đổi tên thôn, tổ dân phố"),
    "merge_units": N_("Sáp nhập thôn, tổ dân phố"),
    "split_unit": N_("Chia tách thôn, tổ dân phố"),
    "import_households": N_("Nhập danh sách hộ từ tệp"),
    "import_household": N_("Cập nhật hộ theo tệp nhập"),
    "create_poll": N_("Tạo cuộc lấy ý kiến, biểu quyết"),
    "reissue_ballot_card": N_("Cấp lại phiếu cho hộ"),
    "record_paper_returns": N_("Ghi nhận hộ nộp phiếu giấy"),
    "record_paper_tally": N_("Nhập biên bản kiểm phiếu"),
    "record_meeting": N_("Ghi nhận cuộc họp và biểu quyết tại họp"),
    "record_explanations": N_("Ghi giải trình, tiếp thu ý kiến"),
    "finalise_poll": N_("Ký xác nhận kết quả"),
    "post_disclosure": N_("Đăng công khai"),
    "send_message": N_("Gửi thông báo"),
    "retry_delivery": N_("Gửi lại thông báo không gửi được"),
    "register_webhook": N_("Đăng ký địa chỉ nhận sự kiện (webhook)"),
    "rotate_webhook_secret": N_("Đổi khóa bí mật của địa chỉ nhận sự kiện"),
    "delete_webhook": N_("Xóa địa chỉ nhận sự kiện"),
    "retry_webhook_delivery": N_("Gửi lại sự kiện không gửi được"),
    "issue_api_token": N_("Cấp mã truy cập API"),
    "revoke_api_token": N_("Thu hồi mã truy cập API"),
    "api_write": N_("Ghi qua API"),
    "file_case": N_("Tiếp nhận đơn phản ánh, kiến nghị"),
    "triage_case": N_("Phân loại, thụ lý đơn"),
    "split_case": N_("Tách đơn"),
    "transfer_case": N_("Chuyển đơn"),
    "start_handling": N_("Bắt đầu giải quyết đơn"),
    "extend_case": N_("Gia hạn giải quyết tố cáo"),
    "answer_case": N_("Trả lời đơn"),
    "close_case": N_("Kết thúc vụ việc"),
    "view_filer_identity": N_("Xem thông tin người gửi đơn"),
    "view_denouncer_identity": N_("Xem thông tin người tố cáo"),
    "case_overdue": N_("Đơn quá hạn giải quyết"),
    "save_categories": N_("Lưu lĩnh vực phản ánh"),
    "save_reception_schedule": N_("Lưu lịch tiếp công dân"),
    "record_reception": N_("Ghi nhận buổi tiếp công dân"),
    "add_holding": N_("Ghi nhận người giữ chức danh"),
    "end_holding": N_("Ghi nhận thôi giữ chức danh"),
    "save_plan": N_("Lưu kế hoạch tập huấn"),
    "create_course": N_("Tạo khóa tập huấn"),
    "add_session": N_("Thêm buổi tập huấn"),
    "register": N_("Đăng ký tập huấn"),
    "cancel_registration": N_("Hủy đăng ký tập huấn"),
    "invite": N_("Gửi đường dẫn đăng ký cá nhân"),
    "attendance": N_("Điểm danh"),
    "issue_certificate": N_("Cấp giấy chứng nhận"),
    "revoke_certificate": N_("Thu hồi giấy chứng nhận"),
    "set_targets": N_("Đặt chỉ tiêu tập huấn"),
    "change_capacity": N_("Đổi số chỗ của buổi tập huấn"),
    "set_rule": N_("Đặt quy tắc khen thưởng, kỷ luật"),
    "propose_commendation": N_("Đề nghị khen thưởng"),
    "post_nominees": N_("Niêm yết danh sách đề nghị khen thưởng"),
    "record_council_vote": N_("Ghi kết quả xét của Hội đồng thi đua, khen thưởng"),
    "decide_commendation": N_("Quyết định khen thưởng"),
    "reject_commendation": N_("Không khen thưởng"),
    "revoke_commendation": N_("Hủy bỏ khen thưởng"),
    "set_honour_photo": N_("Đổi ảnh trên bảng vinh danh"),
    "open_discipline_case": N_("Mở hồ sơ xử lý kỷ luật"),
    "change_discipline_case": N_("Cập nhật hồ sơ xử lý kỷ luật"),
    "view_discipline_case": N_("Xem hồ sơ xử lý kỷ luật"),
    "view_discipline_cases": N_("Xem danh sách hồ sơ kỷ luật"),
    "disclose_discipline_result": N_("Công khai kết quả xử lý kỷ luật"),
    "refused_view_case": N_("Bị từ chối xem hồ sơ kỷ luật"),
    "refused_list_cases": N_("Bị từ chối xem danh sách hồ sơ kỷ luật"),
    "refused_change_case": N_("Bị từ chối cập nhật hồ sơ kỷ luật"),
    "refused_open_case": N_("Bị từ chối mở hồ sơ kỷ luật"),
    "refused_disclose_result": N_("Bị từ chối công khai kết quả kỷ luật"),
}

# "id" is already the entry's target; the rest say who and when, which the entry does
HIDDEN_FIELDS = {"id", "recorded_by", "photo_id"}
LONGEST_VALUE = 80  # characters of one value, or of one item of a list
MOST_ITEMS = 6  # of a list, then "và N mục khác"

UnitNames = Mapping[str, str]  # unit id → its name, for the units the page knows
Say = Callable[[Any, UnitNames], str]  # one value (or one item of a list) in words

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T")


def _plain(value: Any, names: UnitNames) -> str:
    """Dates as 01/07/2025, yes/no as có/không, records as "key: value, ..."."""
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain(item, names)}" for key, item in value.items())
    if not isinstance(value, str):
        return str(value)
    if _DAY.fullmatch(value):
        return vn_date(date.fromisoformat(value))
    if _MOMENT.match(value):
        return vn_datetime(datetime.fromisoformat(value))
    return value


def _unit(unit_id: str, names: UnitNames) -> str:
    return names.get(unit_id, unit_id)


def _kind(kind: str, names: UnitNames) -> str:
    """A unit's kind (tổ dân phố) or a poll's (biểu quyết)."""
    if kind in UNIT_KIND_VI:
        return _(UNIT_KIND_VI[kind]).lower()
    return _(POLL_KIND_VI[kind]).lower() if kind in POLL_KIND_VI else kind


def _channel(channel: str, names: UnitNames) -> str:
    return _(TOOK_PART_VI.get(channel, channel))


def _question(question: dict[str, Any], names: UnitNames) -> str:
    """Tán thành lắp đèn? (Tán thành / Không tán thành)."""
    options = " / ".join(option["label"] for option in question.get("options", []))
    return question["text"] + (f" ({options})" if options else "")


def _matter(matter: str, names: UnitNames) -> str:
    return _(MATTER_NAMES_VI.get(matter, matter))


def _status(status: str, names: UnitNames) -> str:
    return _(STATUS_VI.get(status, status))


def _member(member: dict[str, Any], names: UnitNames) -> str:
    """Lê Thị Hoa (1968, 0912345678)."""
    if not isinstance(member, dict):  # another service's field of the same name
        return _plain(member, names)
    details = [str(member[key]) for key in ("birth_year", "phone") if member.get(key)]
    return member["name"] + (f" ({', '.join(details)})" if details else "")


def _period(period: dict[str, Any], names: UnitNames) -> str:
    """Tổ dân phố 1 từ 01/07/2025 đến 01/09/2025; Tổ dân phố 1: chuyển đi từ 01/09/2025."""
    start = _plain(period["start"], names)
    if period.get("end"):
        span = _("từ {start} đến {end}").format(start=start, end=_plain(period["end"], names))
    else:
        span = _("từ {start}").format(start=start)
    unit = _unit(period["unit_id"], names)
    if period.get("status") == "active":
        return f"{unit} {span}"
    return f"{unit}: {_status(period.get('status', ''), names)} {span}"


def _role(grant: dict[str, Any], names: UnitNames) -> str:
    """tổ trưởng / trưởng thôn (Tổ dân phố 1)."""
    role = _(ROLE_NAMES_VI.get(grant["role"], grant["role"]))
    return f"{role} ({_unit(grant['unit_id'], names)})" if grant.get("unit_id") else role


def _short(text: str) -> str:
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 3] + "..."


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


@dataclass(frozen=True)
class Wording:
    """How one field reads: its label, how to say its value, and whether it is a
    list whose items come and go (then the line says which were added or removed)."""

    label: str
    say: Say = _plain
    by_item: bool = False

    def items(self, value: Any, names: UnitNames) -> list[str]:
        values = value if isinstance(value, list) else [value]
        return [_short(self.say(item, names)) for item in values]

    def words(self, value: Any, names: UnitNames) -> str:
        items = self.items(value, names)
        more = len(items) - MOST_ITEMS
        shown = "; ".join(items[:MOST_ITEMS])
        return (
            _("{items} và {count} mục khác").format(items=shown, count=more) if more > 0 else shown
        )

    def lines(self, old: Any, new: Any, names: UnitNames) -> list[str]:
        label = _(self.label)
        if _empty(new):
            return [_("{label}: {old} → (xóa)").format(label=label, old=self.words(old, names))]
        if _empty(old):
            return [f"{label}: {self.words(new, names)}"]
        if self.by_item and isinstance(old, list) and isinstance(new, list):
            was, now = self.items(old, names), self.items(new, names)
            added = [item for item in now if item not in was]
            removed = [item for item in was if item not in now]
            lines = []
            if added:
                lines.append(_("{label}: thêm {items}").format(label=label, items="; ".join(added)))
            if removed:
                lines.append(_("{label}: bỏ {items}").format(label=label, items="; ".join(removed)))
            if lines:
                return lines
        return [f"{label}: {self.words(old, names)} → {self.words(new, names)}"]


FIELDS = {
    "name": Wording(N_("tên")),
    "kind": Wording(N_("loại"), _kind),
    "local_label": Wording(N_("tên gọi địa phương")),
    "parent_id": Wording(N_("thuộc"), _unit),
    "valid_from": Wording(N_("hiệu lực từ")),
    "valid_to": Wording(N_("hiệu lực đến")),
    "code": Wording(N_("mã hộ")),
    "address": Wording(N_("địa chỉ")),
    "representative_name": Wording(N_("chủ hộ/người đại diện")),
    "members": Wording(N_("thành viên"), _member, by_item=True),
    "periods": Wording(N_("quá trình cư trú"), _period),
    "status": Wording(N_("tình trạng"), _status),
    "full_name": Wording(N_("họ tên")),
    "username": Wording(N_("tên đăng nhập")),
    "roles": Wording(N_("vai trò"), _role, by_item=True),
    "decision": Wording(N_("theo quyết định")),
    "households": Wording(N_("hộ chuyển sang đơn vị mới")),
    "created": Wording(N_("số hộ mới")),
    "updated": Wording(N_("số hộ cập nhật")),
    "skipped": Wording(N_("mã hộ bỏ qua (đã dùng ở đơn vị khác)")),
    # polls (surveys service)
    "title": Wording(N_("tiêu đề")),
    "unit_id": Wording(N_("phạm vi, đơn vị"), _unit),
    "matter": Wording(N_("nội dung (Điều 15)"), _matter),
    "channels": Wording(N_("hình thức"), _channel),
    "secret": Wording(N_("bỏ phiếu kín")),
    "public_results": Wording(N_("công khai kết quả")),
    "noticed_on": Wording(N_("ngày thông báo")),
    "opens_at": Wording(N_("bắt đầu")),
    "closes_at": Wording(N_("kết thúc")),
    "online_opt_in": Wording(N_("số hộ đăng ký biểu quyết trực tuyến")),
    "household_code": Wording(N_("mã hộ")),
    "recorded": Wording(N_("mã hộ đã ghi nhận")),
    "minutes_number": Wording(N_("số biên bản")),
    "counted_at": Wording(N_("kiểm phiếu lúc")),
    "returned": Wording(N_("phiếu thu về")),
    "valid": Wording(N_("phiếu hợp lệ")),
    "invalid": Wording(N_("phiếu không hợp lệ")),
    "held_at": Wording(N_("họp lúc")),
    "present": Wording(N_("số hộ dự họp")),
    "quorum_reached": Wording(N_("trên một nửa số hộ dự họp")),
    "counts": Wording(N_("số phiếu theo phương án")),
    "questions": Wording(N_("câu hỏi"), _question),
    "groups": Wording(N_("nhóm ý kiến")),
    "seal": Wording(N_("mã niêm phong")),
}


def changes(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    unit_names: UnitNames | None = None,
) -> list[str]:
    """One line per field that a change set, altered or removed (ids aside), in
    the order of FIELDS, then the fields it does not name."""
    before, after, names = before or {}, after or {}, unit_names or {}
    touched = (before.keys() | after.keys()) - HIDDEN_FIELDS
    ordered = [field for field in FIELDS if field in touched] + sorted(touched - FIELDS.keys())
    lines = []
    for field in ordered:
        old, new = before.get(field), after.get(field)
        if old != new and not (_empty(old) and _empty(new)):  # e.g. nothing skipped
            lines += FIELDS.get(field, Wording(field)).lines(old, new, names)
    return lines
