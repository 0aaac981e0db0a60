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

ACTIONS_VI = {
    "create_account": "Tạo tài khoản",
    "grant_role": "Cấp vai trò",
    "revoke_role": "Thu hồi vai trò",
    "add_residential_unit": "Thêm thôn, tổ dân phố",
    "register_household": "Ghi nhận hộ gia đình",
    "move_household": "Chuyển hộ sang đơn vị khác",
    "mark_moved_out": "Ghi nhận hộ chuyển đi",
    "rename_unit": "Đổi tên thôn, tổ dân phố",
    "merge_units": "Sáp nhập thôn, tổ dân phố",
    "split_unit": "Chia tách thôn, tổ dân phố",
    "import_households": "Nhập danh sách hộ từ tệp",
    "import_household": "Cập nhật hộ theo tệp nhập",
    "create_poll": "Tạo cuộc lấy ý kiến, biểu quyết",
    "reissue_ballot_card": "Cấp lại phiếu cho hộ",
    "record_paper_returns": "Ghi nhận hộ nộp phiếu giấy",
    "record_paper_tally": "Nhập biên bản kiểm phiếu",
    "record_meeting": "Ghi nhận cuộc họp và biểu quyết tại họp",
    "record_explanations": "Ghi giải trình, tiếp thu ý kiến",
    "finalise_poll": "Ký xác nhận kết quả",
    "post_disclosure": "Đăng công khai",
    "send_message": "Gửi thông báo",
    "retry_delivery": "Gửi lại thông báo không gửi được",
    "file_case": "Tiếp nhận đơn phản ánh, kiến nghị",
    "triage_case": "Phân loại, thụ lý đơn",
    "split_case": "Tách đơn",
    "transfer_case": "Chuyển đơn",
    "start_handling": "Bắt đầu giải quyết đơn",
    "extend_case": "Gia hạn giải quyết tố cáo",
    "answer_case": "Trả lời đơn",
    "close_case": "Kết thúc vụ việc",
    "view_filer_identity": "Xem thông tin người gửi đơn",
    "view_denouncer_identity": "Xem thông tin người tố cáo",
    "case_overdue": "Đơn quá hạn giải quyết",
    "save_categories": "Lưu lĩnh vực phản ánh",
    "save_reception_schedule": "Lưu lịch tiếp công dân",
    "record_reception": "Ghi nhận buổi tiếp công dân",
    "add_holding": "Ghi nhận người giữ chức danh",
    "end_holding": "Ghi nhận thôi giữ chức danh",
    "save_plan": "Lưu kế hoạch tập huấn",
    "create_course": "Tạo khóa tập huấn",
    "add_session": "Thêm buổi tập huấn",
    "register": "Đăng ký tập huấn",
    "cancel_registration": "Hủy đăng ký tập huấn",
    "invite": "Gửi đường dẫn đăng ký cá nhân",
    "attendance": "Điểm danh",
    "issue_certificate": "Cấp giấy chứng nhận",
    "revoke_certificate": "Thu hồi giấy chứng nhận",
    "set_targets": "Đặt chỉ tiêu tập huấn",
    "change_capacity": "Đổi số chỗ của buổi tập huấn",
    "set_rule": "Đặt quy tắc khen thưởng, kỷ luật",
    "propose_commendation": "Đề nghị khen thưởng",
    "post_nominees": "Niêm yết danh sách đề nghị khen thưởng",
    "record_council_vote": "Ghi kết quả xét của Hội đồng thi đua, khen thưởng",
    "decide_commendation": "Quyết định khen thưởng",
    "reject_commendation": "Không khen thưởng",
    "revoke_commendation": "Hủy bỏ khen thưởng",
    "set_honour_photo": "Đổi ảnh trên bảng vinh danh",
    "open_discipline_case": "Mở hồ sơ xử lý kỷ luật",
    "change_discipline_case": "Cập nhật hồ sơ xử lý kỷ luật",
    "view_discipline_case": "Xem hồ sơ xử lý kỷ luật",
    "view_discipline_cases": "Xem danh sách hồ sơ kỷ luật",
    "disclose_discipline_result": "Công khai kết quả xử lý kỷ luật",
    "refused_view_case": "Bị từ chối xem hồ sơ kỷ luật",
    "refused_list_cases": "Bị từ chối xem danh sách hồ sơ kỷ luật",
    "refused_change_case": "Bị từ chối cập nhật hồ sơ kỷ luật",
    "refused_open_case": "Bị từ chối mở hồ sơ kỷ luật",
    "refused_disclose_result": "Bị từ chối công khai kết quả kỷ luật",
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
        return "có" if value else "không"
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
        return UNIT_KIND_VI[kind].lower()
    return POLL_KIND_VI[kind].lower() if kind in POLL_KIND_VI else kind


def _channel(channel: str, names: UnitNames) -> str:
    return TOOK_PART_VI.get(channel, channel)


def _question(question: dict[str, Any], names: UnitNames) -> str:
    """Tán thành lắp đèn? (Tán thành / Không tán thành)."""
    options = " / ".join(option["label"] for option in question.get("options", []))
    return question["text"] + (f" ({options})" if options else "")


def _matter(matter: str, names: UnitNames) -> str:
    return MATTER_NAMES_VI.get(matter, matter)


def _status(status: str, names: UnitNames) -> str:
    return STATUS_VI.get(status, status)


def _member(member: dict[str, Any], names: UnitNames) -> str:
    """Lê Thị Hoa (1968, 0912345678)."""
    if not isinstance(member, dict):  # another service's field of the same name
        return _plain(member, names)
    details = [str(member[key]) for key in ("birth_year", "phone") if member.get(key)]
    return member["name"] + (f" ({', '.join(details)})" if details else "")


def _period(period: dict[str, Any], names: UnitNames) -> str:
    """Tổ dân phố 1 từ 01/07/2025 đến 01/09/2025; Tổ dân phố 1: chuyển đi từ 01/09/2025."""
    span = f"từ {_plain(period['start'], names)}"
    if period.get("end"):
        span += f" đến {_plain(period['end'], names)}"
    unit = _unit(period["unit_id"], names)
    if period.get("status") == "active":
        return f"{unit} {span}"
    return f"{unit}: {_status(period.get('status', ''), names)} {span}"


def _role(grant: dict[str, Any], names: UnitNames) -> str:
    """tổ trưởng / trưởng thôn (Tổ dân phố 1)."""
    role = ROLE_NAMES_VI.get(grant["role"], grant["role"])
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
        return "; ".join(items[:MOST_ITEMS]) + (f" và {more} mục khác" if more > 0 else "")

    def lines(self, old: Any, new: Any, names: UnitNames) -> list[str]:
        if _empty(new):
            return [f"{self.label}: {self.words(old, names)} → (xóa)"]
        if _empty(old):
            return [f"{self.label}: {self.words(new, names)}"]
        if self.by_item and isinstance(old, list) and isinstance(new, list):
            was, now = self.items(old, names), self.items(new, names)
            added = [item for item in now if item not in was]
            removed = [item for item in was if item not in now]
            lines = [f"{self.label}: thêm {'; '.join(added)}"] if added else []
            if removed:
                lines.append(f"{self.label}: bỏ {'; '.join(removed)}")
            if lines:
                return lines
        return [f"{self.label}: {self.words(old, names)} → {self.words(new, names)}"]


FIELDS = {
    "name": Wording("tên"),
    "kind": Wording("loại", _kind),
    "local_label": Wording("tên gọi địa phương"),
    "parent_id": Wording("thuộc", _unit),
    "valid_from": Wording("hiệu lực từ"),
    "valid_to": Wording("hiệu lực đến"),
    "code": Wording("mã hộ"),
    "address": Wording("địa chỉ"),
    "representative_name": Wording("chủ hộ/người đại diện"),
    "members": Wording("thành viên", _member, by_item=True),
    "periods": Wording("quá trình cư trú", _period),
    "status": Wording("tình trạng", _status),
    "full_name": Wording("họ tên"),
    "username": Wording("tên đăng nhập"),
    "roles": Wording("vai trò", _role, by_item=True),
    "decision": Wording("theo quyết định"),
    "households": Wording("hộ chuyển sang đơn vị mới"),
    "created": Wording("số hộ mới"),
    "updated": Wording("số hộ cập nhật"),
    "skipped": Wording("mã hộ bỏ qua (đã dùng ở đơn vị khác)"),
    # polls (surveys service)
    "title": Wording("tiêu đề"),
    "unit_id": Wording("phạm vi, đơn vị", _unit),
    "matter": Wording("nội dung (Điều 15)", _matter),
    "channels": Wording("hình thức", _channel),
    "secret": Wording("bỏ phiếu kín"),
    "public_results": Wording("công khai kết quả"),
    "noticed_on": Wording("ngày thông báo"),
    "opens_at": Wording("bắt đầu"),
    "closes_at": Wording("kết thúc"),
    "online_opt_in": Wording("số hộ đăng ký biểu quyết trực tuyến"),
    "household_code": Wording("mã hộ"),
    "recorded": Wording("mã hộ đã ghi nhận"),
    "minutes_number": Wording("số biên bản"),
    "counted_at": Wording("kiểm phiếu lúc"),
    "returned": Wording("phiếu thu về"),
    "valid": Wording("phiếu hợp lệ"),
    "invalid": Wording("phiếu không hợp lệ"),
    "held_at": Wording("họp lúc"),
    "present": Wording("số hộ dự họp"),
    "quorum_reached": Wording("trên 50% số hộ dự họp"),
    "counts": Wording("số phiếu theo phương án"),
    "questions": Wording("câu hỏi", _question),
    "groups": Wording("nhóm ý kiến"),
    "seal": Wording("mã niêm phong"),
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
