from gateway.audit_view import changes


def test_a_change_lists_only_the_fields_that_differ():
    before = {"address": "Số 1", "members": [], "code": "HA7K2M"}
    after = {"address": "Số 9", "members": [], "code": "HA7K2M", "note": "mới"}
    assert changes(before, after) == ["address: Số 1 → Số 9", "note: mới"]


def test_a_creation_lists_every_field_but_the_id_and_long_values_are_shortened():
    assert changes(None, {"id": "u1", "name": "x" * 100}) == ["name: " + "x" * 57 + "..."]


def test_a_removed_field_is_said_to_be_removed():
    assert changes({"phone": "0912345678"}, {}) == ["phone: 0912345678 → (xóa)"]
