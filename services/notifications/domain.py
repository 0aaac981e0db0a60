"""What notices say, free of I/O."""

from shared.contracts.directory import ResidentialUnitAdded, UnitKind
from shared.contracts.notifications import StaffNotice

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
