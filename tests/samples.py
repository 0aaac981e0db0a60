"""Sample units that tests share, as they travel over the wire (JSON)."""

PROVINCE = {"id": "hue", "kind": "province", "name": "Thành phố Huế", "valid_from": "2025-07-01"}
WARD = {
    "id": "huong-an",
    "kind": "ward",
    "name": "Phường Hương An",
    "parent_id": "hue",
    "valid_from": "2025-07-01",
}
OTHER_WARD = {
    "id": "kim-long",
    "kind": "ward",
    "name": "Phường Kim Long",
    "parent_id": "hue",
    "valid_from": "2025-07-01",
}


def residential_group(number: int, commune_id: str = "huong-an") -> dict:
    """`register_unit`'s payload for "Tổ dân phố <number>", id "tdp-<number>"."""
    return {
        "id": f"tdp-{number}",
        "kind": "residential_group",
        "name": f"Tổ dân phố {number}",
        "parent_id": commune_id,
        "valid_from": "2025-07-01",
    }


def household(code: str, unit_id: str = "tdp-1", since: str = "2025-07-01", **extra) -> dict:
    return {
        "actor": "admin",
        "code": code,
        "unit_id": unit_id,
        "address": f"Số nhà của {code}",
        "representative_name": "Nguyễn Văn An",
        "since": since,
        **extra,
    }
