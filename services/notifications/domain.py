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
from shared.i18n import N_, _

KIND_NAMES_VI = {UnitKind.VILLAGE: N_("thôn"), UnitKind.RESIDENTIAL_GROUP: N_("tổ dân phố")}
VERDICT_VI = {
    True: N_("Thông qua."),
    False: N_("Không thông qua."),
    None: N_("Đã công bố kết quả."),
}


def notice_for_new_unit(event: ResidentialUnitAdded) -> StaffNotice:
    """Tell the commune's staff that a residential unit now exists; the notice's id
    is the event's, so a redelivered event yields the same notice."""
    unit = event.unit
    label = unit.local_label or KIND_NAMES_VI.get(unit.kind, N_("đơn vị"))
    return StaffNotice(
        id=event.event_id,
        commune_id=unit.parent_id or "",
        title=_("Đã thêm {label} “{name}”").format(label=label, name=unit.name),
        body=_("{label} “{name}” thuộc {commune} có hiệu lực từ ngày {day}.").format(
            label=label.capitalize(),
            name=unit.name,
            commune=event.commune_name,
            day=f"{unit.valid_from:%d/%m/%Y}",
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
        SuccessionKind.RENAME: _("Đổi tên {ended} thành {successors}"),
        SuccessionKind.MERGE: _("Sáp nhập {ended} vào {successors}"),
        SuccessionKind.SPLIT: _("Chia {ended} thành {successors}"),
    }[change.kind].format(ended=ended, successors=successors)
    carried = sum(len(codes) for codes in event.carried.values())
    return StaffNotice(
        id=event.event_id,
        commune_id=change.commune_id,
        title=title,
        body=_(
            "Có hiệu lực từ ngày {day} theo {decision}. "
            "{carried} hộ gia đình được chuyển sang đơn vị mới."
        ).format(day=f"{change.on:%d/%m/%Y}", decision=change.decision, carried=carried),
        created_at=event.occurred_at,
    )


def notice_for_poll(event: PollEvent) -> StaffNotice:
    """Tell the commune's staff that a poll opened, closes within a day, closed or was
    decided; one notice per event (its id), so a redelivery adds nothing."""
    kind = POLL_KIND_VI[event.kind]
    match event:
        case PollOpened():
            title = _("Đã mở: {title}").format(title=event.title)
            body = _("{kind} mở cho {households} hộ, đến {closes_at}.").format(
                kind=kind, households=event.households, closes_at=vietnam_time(event.closes_at)
            )
        case PollClosingSoon():
            title = _("Sắp kết thúc: {title}").format(title=event.title)
            body = _("{kind} kết thúc lúc {closes_at}.").format(
                kind=kind, closes_at=vietnam_time(event.closes_at)
            )
        case PollClosed():
            title = _("Đã kết thúc: {title}").format(title=event.title)
            body = _(
                "{kind} kết thúc lúc {closes_at}: {participated}/{households} hộ đã tham gia. "
                "Vui lòng nhập kết quả phiếu giấy, họp (nếu có) và ký xác nhận kết quả."
            ).format(
                kind=kind,
                closes_at=vietnam_time(event.closes_at),
                participated=event.participated,
                households=event.households,
            )
        case PollDecided():
            title = _("Đã xác nhận kết quả: {title}").format(title=event.title)
            body = f"{kind}: {VERDICT_VI[event.passes]}"
        case _:
            raise TypeError(f"not a poll event: {event!r}")
    return StaffNotice(
        id=event.event_id,
        commune_id=event.commune_id,
        title=title,
        body=body,
        created_at=event.occurred_at,
    )
