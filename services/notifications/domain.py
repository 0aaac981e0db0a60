"""What notices say, free of I/O."""

from shared.calendar import vietnam_time
from shared.contracts.directory import ResidentialUnitAdded, SuccessionKind, UnitKind
from shared.contracts.notifications import StaffNotice
from shared.contracts.succession import ResidentialUnitsChanged
from shared.contracts.surveys import (
    POLL_KIND_VI,
    PollClosed,
    PollClosingSoon,
    PollDecided,
    PollEvent,
    PollOpened,
)

KIND_NAMES_VI = {UnitKind.VILLAGE: "thôn", UnitKind.RESIDENTIAL_GROUP: "tổ dân phố"}


def notice_for_new_unit(event: ResidentialUnitAdded) -> StaffNotice:
    """Tell the commune's staff that a residential unit now exists; the notice's id
    is the event's, so a redelivered event yields the same notice."""
    unit = event.unit
    label = unit.local_label or KIND_NAMES_VI.get(unit.kind, "đơn vị")
    return StaffNotice(
        id=event.event_id,
        commune_id=unit.parent_id or "",
        title=f"Đã thêm {label} “{unit.name}”",
        body=(
            f"{label.capitalize()} “{unit.name}” thuộc {event.commune_name} có hiệu lực "
            f"từ ngày {unit.valid_from:%d/%m/%Y}."
        ),
        created_at=event.occurred_at,
    )


def notice_for_unit_change(event: ResidentialUnitsChanged) -> StaffNotice:
    """Tell the commune's staff that units were renamed, merged or split, from when,
    on whose decision, and how many households now count in the successors."""
    change = event.succession
    ended = ", ".join(unit.name for unit in event.ended_units)
    successors = ", ".join(unit.name for unit in event.successors)
    title = {
        SuccessionKind.RENAME: f"Đổi tên {ended} thành {successors}",
        SuccessionKind.MERGE: f"Sáp nhập {ended} vào {successors}",
        SuccessionKind.SPLIT: f"Chia {ended} thành {successors}",
    }[change.kind]
    carried = sum(len(codes) for codes in event.carried.values())
    return StaffNotice(
        id=event.event_id,
        commune_id=change.commune_id,
        title=title,
        body=(
            f"Có hiệu lực từ ngày {change.on:%d/%m/%Y} theo {change.decision}. "
            f"{carried} hộ gia đình được chuyển sang đơn vị mới."
        ),
        created_at=event.occurred_at,
    )


def notice_for_poll(event: PollEvent) -> StaffNotice:
    """Tell the commune's staff that a poll opened, closes within a day, closed or was
    decided; one notice per event (its id), so a redelivery adds nothing."""
    kind = POLL_KIND_VI[event.kind]
    match event:
        case PollOpened():
            title = f"Đã mở: {event.title}"
            body = f"{kind} mở cho {event.households} hộ, đến {vietnam_time(event.closes_at)}."
        case PollClosingSoon():
            title = f"Sắp kết thúc: {event.title}"
            body = f"{kind} kết thúc lúc {vietnam_time(event.closes_at)}."
        case PollClosed():
            title = f"Đã kết thúc: {event.title}"
            body = (
                f"{kind} kết thúc lúc {vietnam_time(event.closes_at)}: "
                f"{event.participated}/{event.households} hộ đã tham gia. "
                "Vui lòng nhập kết quả phiếu giấy, họp (nếu có) và ký xác nhận kết quả."
            )
        case PollDecided():
            verdict = {True: "Thông qua.", False: "Không thông qua.", None: "Đã công bố kết quả."}
            title = f"Đã xác nhận kết quả: {event.title}"
            body = f"{kind}: {verdict[event.passes]}"
        case _:
            raise TypeError(f"not a poll event: {event!r}")
    return StaffNotice(
        id=event.event_id,
        commune_id=event.commune_id,
        title=title,
        body=body,
        created_at=event.occurred_at,
    )
