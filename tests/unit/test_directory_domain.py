from datetime import date

import pytest

from services.directory import domain
from shared.contracts.directory import (
    AddResidentialUnit,
    AdministrativeUnit,
    RegisterUnit,
    UnitKind,
)
from shared.errors import InvalidInput

PROVINCE = AdministrativeUnit(
    id="hue", kind=UnitKind.PROVINCE, name="Thành phố Huế", valid_from=date(2025, 7, 1)
)
WARD = AdministrativeUnit(
    id="huong-an",
    kind=UnitKind.WARD,
    name="Phường Hương An",
    parent_id="hue",
    valid_from=date(2025, 7, 1),
)


def add(
    name: str = "Tổ dân phố 7",
    kind: UnitKind = UnitKind.RESIDENTIAL_GROUP,
    label: str | None = None,
    valid_from: date = date(2025, 8, 1),
) -> AddResidentialUnit:
    return AddResidentialUnit(
        actor="minh",
        commune_id="huong-an",
        kind=kind,
        name=name,
        local_label=label,
        valid_from=valid_from,
    )


def test_names_that_differ_only_in_case_and_spaces_are_the_same():
    assert domain.name_key("  Tổ  DÂN phố 7 ") == domain.name_key("tổ dân phố 7")


def test_names_in_decomposed_unicode_match_their_composed_form():
    decomposed = "To\u0302\u0309 da\u0302n pho\u0302\u0301"  # as some keyboards type "Tổ dân phố"
    assert domain.name_key(decomposed) == domain.name_key("Tổ dân phố")


def test_a_new_group_belongs_to_its_commune_with_the_laws_default_label():
    unit = domain.new_residential_unit(add(), WARD, [], unit_id="u1")
    assert (unit.id, unit.parent_id, unit.local_label) == ("u1", "huong-an", "tổ dân phố")


def test_a_village_may_be_called_ap_as_in_the_mekong_delta():
    # Law 10/2022 Art 2.3: "thôn" covers ấp, bản, buôn, làng, bon, phum, sóc.
    unit = domain.new_residential_unit(add("Ấp Hòa Lợi", UnitKind.VILLAGE, "Ấp"), WARD, [], "u1")
    assert unit.local_label == "ấp"


def test_a_residential_group_may_not_be_called_by_a_village_label():
    # Law 10/2022 Art 2.3: "tổ dân phố" covers khu phố, khối phố, khóm, tiểu khu only.
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(add(label="ấp"), WARD, [], "u1")
    assert "khóm" in refused.value.fields["local_label"]


def test_a_name_already_used_in_the_commune_is_refused():
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(add("TỔ DÂN PHỐ 7"), WARD, ["Tổ dân phố 7"], "u1")
    assert set(refused.value.fields) == {"name"}


def test_a_group_cannot_start_before_its_commune_existed():
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(add(valid_from=date(2024, 1, 1)), WARD, [], "u1")
    assert refused.value.fields["valid_from"].endswith("(01/07/2025).")


def test_a_group_cannot_start_after_its_commune_ended():
    merged = WARD.model_copy(update={"valid_to": date(2025, 12, 31)})
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(add(valid_from=date(2026, 1, 1)), merged, [], "u1")
    assert "ngừng hoạt động" in refused.value.fields["valid_from"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(
            add("Tổ dân phố 7", label="bản", valid_from=date(2020, 1, 1)),
            WARD,
            ["Tổ dân phố 7"],
            "u1",
        )
    assert set(refused.value.fields) == {"name", "valid_from", "local_label"}


@pytest.mark.parametrize("commune", [None, PROVINCE])
def test_a_group_must_sit_under_a_commune_ward_or_special_zone(commune):
    with pytest.raises(InvalidInput) as refused:
        domain.new_residential_unit(add(), commune, [], "u1")
    assert set(refused.value.fields) == {"commune_id"}


def test_a_ward_sits_under_a_province_and_a_province_under_nothing():
    # Two-tier local government since 1 Jul 2025: no district between them.
    ward = RegisterUnit(
        id="ward-x",
        kind=UnitKind.WARD,
        name="Phường X",
        parent_id="hue",
        valid_from=date(2025, 7, 1),
    )
    assert domain.unit_from_registration(ward, PROVINCE).parent_id == "hue"
    with pytest.raises(InvalidInput):
        domain.unit_from_registration(ward, WARD)
    province = RegisterUnit(
        id="province-y", kind=UnitKind.PROVINCE, name="Tỉnh Y", valid_from=date(2025, 7, 1)
    )
    with pytest.raises(InvalidInput):
        domain.unit_from_registration(province, PROVINCE)


def test_only_thon_and_to_dan_pho_have_local_labels():
    ward = RegisterUnit(
        id="ward-x",
        kind=UnitKind.WARD,
        name="Phường X",
        parent_id="hue",
        local_label="khóm",
        valid_from=date(2025, 7, 1),
    )
    with pytest.raises(InvalidInput):
        domain.unit_from_registration(ward, PROVINCE)
