"""How an audit entry reads to a person: what changed, in words."""

from typing import Any

ACTIONS_VI = {
    "create_account": "Tạo tài khoản",
    "grant_role": "Cấp vai trò",
    "revoke_role": "Thu hồi vai trò",
    "add_residential_unit": "Thêm thôn, tổ dân phố",
    "register_household": "Ghi nhận hộ gia đình",
    "move_household": "Chuyển hộ sang đơn vị khác",
    "mark_moved_out": "Ghi nhận hộ chuyển đi",
}


HIDDEN_FIELDS = {"id"}  # already the entry's target


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """One line per field that a change set, altered or removed (ids aside)."""
    before, after = before or {}, after or {}
    lines = []
    for field in sorted((before.keys() | after.keys()) - HIDDEN_FIELDS):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field not in before:
            lines.append(f"{field}: {_short(new)}")
        elif field not in after:
            lines.append(f"{field}: {_short(old)} → (xóa)")
        else:
            lines.append(f"{field}: {_short(old)} → {_short(new)}")
    return lines
