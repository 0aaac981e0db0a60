"""Rules about administrative units, free of I/O."""

import unicodedata
from collections.abc import Iterable
from datetime import date

from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    LOCAL_LABELS,
    RESIDENTIAL_KINDS,
    AddResidentialUnit,
    AdministrativeUnit,
    RegisterUnit,
    UnitKind,
)
from shared.errors import Conflict, InvalidInput
from shared.i18n import _

# The amended Law on Organisation of Local Government 2025, in force 1 Jul 2025 with
# the 2025 amendment of the Constitution: local government has two tiers, province
# and commune (xã, phường, đặc khu); district-level units ceased to operate that day.
# Resolution 202/2025/QH15 left 34 provinces and cities. Law brief §0.
TWO_TIER_SINCE = date(2025, 7, 1)

# Which kind of unit may stand directly under which. A district, and a commune under
# one, are pre-reform history (see check_history).
ALLOWED_PARENT_KINDS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.PROVINCE: frozenset(),
    UnitKind.DISTRICT: frozenset({UnitKind.PROVINCE}),
    **{kind: frozenset({UnitKind.PROVINCE, UnitKind.DISTRICT}) for kind in COMMUNE_LEVEL_KINDS},
    **{kind: COMMUNE_LEVEL_KINDS for kind in RESIDENTIAL_KINDS},
}


def name_key(name: str) -> str:
    """The form of a name used to spot duplicates: "Tổ  dân phố 5" equals "tổ dân phố 5"."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def resolve_local_label(kind: UnitKind, label: str | None) -> str | None:
    """The label residents use for a thôn or tổ dân phố; the law's own word by default."""
    if kind not in LOCAL_LABELS:
        if label:
            raise InvalidInput(
                fields={"local_label": _("Chỉ thôn và tổ dân phố có tên gọi địa phương.")}
            )
        return None
    if not label:
        return LOCAL_LABELS[kind][0]
    label = name_key(label)
    if label not in LOCAL_LABELS[kind]:
        allowed = ", ".join(LOCAL_LABELS[kind])
        raise InvalidInput(
            fields={
                "local_label": _("Tên gọi phải là một trong: {allowed}.").format(allowed=allowed)
            }
        )
    return label


def check_parent(kind: UnitKind, parent: AdministrativeUnit | None) -> None:
    """A unit sits under a parent of the right level, or under none for a province."""
    allowed = ALLOWED_PARENT_KINDS[kind]
    if not allowed:
        if parent is not None:
            raise InvalidInput(fields={"parent_id": _("Tỉnh, thành phố không có đơn vị cấp trên.")})
        return
    if parent is None:
        raise InvalidInput(fields={"parent_id": _("Không tìm thấy đơn vị cấp trên.")})
    if parent.kind not in allowed:
        raise InvalidInput(fields={"parent_id": _("Đơn vị cấp trên không đúng cấp hành chính.")})


def is_history(unit: AdministrativeUnit) -> bool:
    """A district, or any unit that ended by the 2025 reform: kept read-only so that
    records made under it still name it."""
    return unit.kind == UnitKind.DISTRICT or (
        unit.valid_to is not None and unit.valid_to <= TWO_TIER_SINCE
    )


def check_history(command: RegisterUnit, parent: AdministrativeUnit | None) -> None:
    """A district ended by 1 Jul 2025 at the latest; whatever stands under an ended
    unit (a commune under a district, say) ended no later than it did."""
    ends = command.valid_to
    if ends is not None and ends <= command.valid_from:
        problem = _("Ngày kết thúc phải sau ngày bắt đầu.")
    elif command.kind == UnitKind.DISTRICT and (ends is None or ends > TWO_TIER_SINCE):
        problem = _(
            "Cấp huyện (huyện, quận, thị xã, thành phố thuộc tỉnh) đã kết thúc hoạt động "
            "từ 01/07/2025 (Luật Tổ chức chính quyền địa phương 2025): chỉ ghi lại để "
            "tra cứu, với ngày kết thúc không muộn hơn 01/07/2025."
        )
    elif (
        parent is not None
        and parent.valid_to is not None
        and (ends is None or ends > parent.valid_to)
    ):
        problem = _(
            "{unit} đã kết thúc từ {day}: đơn vị trực thuộc phải kết thúc không muộn hơn ngày đó."
        ).format(unit=parent.name, day=f"{parent.valid_to:%d/%m/%Y}")
    else:
        return
    raise InvalidInput(fields={"valid_to": problem})


def unit_from_registration(
    command: RegisterUnit,
    parent: AdministrativeUnit | None,
    earlier: AdministrativeUnit | None = None,
) -> AdministrativeUnit:
    """The unit an import registers under a known id. Registering it again changes
    it, except that pre-reform history stays as it was, and an end the directory
    recorded (a merge, say) is kept when the import does not know of it."""
    check_parent(command.kind, parent)
    check_history(command, parent)
    unit = AdministrativeUnit(
        id=command.id,
        kind=command.kind,
        name=command.name,
        parent_id=command.parent_id,
        local_label=resolve_local_label(command.kind, command.local_label),
        valid_from=command.valid_from,
        valid_to=command.valid_to or (earlier.valid_to if earlier else None),
    )
    if earlier is not None and earlier != unit and is_history(earlier):
        raise Conflict(history_refusal(earlier))
    return unit


def history_refusal(unit: AdministrativeUnit) -> str:
    return _(
        "{unit} thuộc hệ thống hành chính trước 01/07/2025: chỉ lưu để tra cứu, "
        "không sửa hay thêm đơn vị trực thuộc được."
    ).format(unit=unit.name)


def exists_on(unit: AdministrativeUnit, day: date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or day < unit.valid_to)


def overlaps(unit: AdministrativeUnit, start: date) -> bool:
    """Whether `unit` still exists on or after `start` (so a unit starting then may
    not share its name)."""
    return unit.valid_to is None or unit.valid_to > start


def check_open(unit: AdministrativeUnit, field: str) -> None:
    """Households join only a unit with no end recorded: one that ended, or will by
    a recorded rename, merge or split, hands its households on to its successors."""
    if unit.valid_to is not None:
        raise InvalidInput(
            fields={
                field: _(
                    "{unit} kết thúc từ {day} (đổi tên, sáp nhập hoặc chia tách): "
                    "hãy chọn đơn vị kế tiếp."
                ).format(unit=unit.name, day=f"{unit.valid_to:%d/%m/%Y}")
            }
        )


def new_residential_unit(
    command: AddResidentialUnit,
    commune: AdministrativeUnit | None,
    sibling_names: Iterable[str],
    unit_id: str,
) -> AdministrativeUnit:
    """A new thôn or tổ dân phố of `commune`, or InvalidInput saying what is wrong."""
    if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
        raise InvalidInput(fields={"commune_id": _("Không tìm thấy xã, phường hoặc đặc khu này.")})
    if is_history(commune):
        raise InvalidInput(fields={"commune_id": history_refusal(commune)})
    fields: dict[str, str] = {}
    if name_key(command.name) in {name_key(name) for name in sibling_names}:
        fields["name"] = _("Đã có đơn vị tên “{name}” trong {commune}.").format(
            name=command.name, commune=commune.name
        )
    if command.valid_from < commune.valid_from:
        fields["valid_from"] = _("Không thể sớm hơn ngày {unit} được thành lập ({day}).").format(
            unit=commune.name, day=f"{commune.valid_from:%d/%m/%Y}"
        )
    if commune.valid_to is not None and command.valid_from >= commune.valid_to:
        fields["valid_from"] = _("{unit} đã ngừng hoạt động từ {day}.").format(
            unit=commune.name, day=f"{commune.valid_to:%d/%m/%Y}"
        )
    try:
        label = resolve_local_label(command.kind, command.local_label)
    except InvalidInput as exc:
        fields.update(exc.fields)
    if fields:
        raise InvalidInput(fields=fields)
    return AdministrativeUnit(
        id=unit_id,
        kind=command.kind,
        name=command.name,
        parent_id=commune.id,
        local_label=label,
        valid_from=command.valid_from,
    )
