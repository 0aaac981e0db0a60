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
