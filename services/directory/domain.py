"""Rules about administrative units, free of I/O."""

import unicodedata
from collections.abc import Iterable

from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    RESIDENTIAL_KINDS,
    AddResidentialUnit,
    AdministrativeUnit,
    RegisterUnit,
    UnitKind,
)
from shared.errors import InvalidInput

# Law 10/2022 Art 2.3: "thôn" covers thôn, làng, ấp, bản, buôn, bon, phum, sóc;
# "tổ dân phố" covers tổ dân phố, khu phố, khối phố, khóm, tiểu khu.
LOCAL_LABELS: dict[UnitKind, tuple[str, ...]] = {
    UnitKind.VILLAGE: ("thôn", "làng", "ấp", "bản", "buôn", "bon", "phum", "sóc"),
    UnitKind.RESIDENTIAL_GROUP: ("tổ dân phố", "khu phố", "khối phố", "khóm", "tiểu khu"),
}

# Which kind of unit may stand directly under which (two-tier government since 1 Jul 2025).
ALLOWED_PARENT_KINDS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.PROVINCE: frozenset(),
    **{kind: frozenset({UnitKind.PROVINCE}) for kind in COMMUNE_LEVEL_KINDS},
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
                fields={"local_label": "Chỉ thôn và tổ dân phố có tên gọi địa phương."}
            )
        return None
    if not label:
        return LOCAL_LABELS[kind][0]
    label = name_key(label)
    if label not in LOCAL_LABELS[kind]:
        allowed = ", ".join(LOCAL_LABELS[kind])
        raise InvalidInput(fields={"local_label": f"Tên gọi phải là một trong: {allowed}."})
    return label


def check_parent(kind: UnitKind, parent: AdministrativeUnit | None) -> None:
    """A unit sits under a parent of the right level, or under none for a province."""
    allowed = ALLOWED_PARENT_KINDS[kind]
    if not allowed:
        if parent is not None:
            raise InvalidInput(fields={"parent_id": "Tỉnh, thành phố không có đơn vị cấp trên."})
        return
    if parent is None:
        raise InvalidInput(fields={"parent_id": "Không tìm thấy đơn vị cấp trên."})
    if parent.kind not in allowed:
        raise InvalidInput(fields={"parent_id": "Đơn vị cấp trên không đúng cấp hành chính."})


def unit_from_registration(
    command: RegisterUnit, parent: AdministrativeUnit | None
) -> AdministrativeUnit:
    check_parent(command.kind, parent)
    return AdministrativeUnit(
        id=command.id,
        kind=command.kind,
        name=command.name,
        parent_id=command.parent_id,
        local_label=resolve_local_label(command.kind, command.local_label),
        valid_from=command.valid_from,
    )


def new_residential_unit(
    command: AddResidentialUnit,
    commune: AdministrativeUnit | None,
    sibling_names: Iterable[str],
    unit_id: str,
) -> AdministrativeUnit:
    """A new thôn or tổ dân phố of `commune`, or InvalidInput saying what is wrong."""
    if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
        raise InvalidInput(fields={"commune_id": "Không tìm thấy xã, phường hoặc đặc khu này."})
    fields: dict[str, str] = {}
    if name_key(command.name) in {name_key(name) for name in sibling_names}:
        fields["name"] = f"Đã có đơn vị tên “{command.name}” trong {commune.name}."
    if command.valid_from < commune.valid_from:
        fields["valid_from"] = (
            f"Không thể sớm hơn ngày {commune.name} được thành lập ({commune.valid_from:%d/%m/%Y})."
        )
    if commune.valid_to is not None and command.valid_from >= commune.valid_to:
        fields["valid_from"] = f"{commune.name} đã ngừng hoạt động từ {commune.valid_to:%d/%m/%Y}."
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
