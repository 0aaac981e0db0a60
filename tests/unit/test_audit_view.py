from gateway.audit_view import changes

NAMES = {"huong-an": "Phường Hương An", "tdp-1": "Tổ dân phố 1", "tdp-2": "Tổ dân phố 2"}
HOUSEHOLD = {
    "code": "HA7K2M",
    "address": "Số 3, kiệt 5",
    "representative_name": "Lê Thị Hoa",
    "members": [{"name": "Lê Thị Hoa", "birth_year": 1968, "phone": "0912345678"}],
    "periods": [{"unit_id": "tdp-1", "status": "active", "start": "2025-07-01", "end": None}],
}


def test_a_change_lists_only_the_fields_that_differ_under_vietnamese_labels():
    before = {"address": "Số 1", "members": [], "code": "HA7K2M"}
    after = {"address": "Số 9", "members": [], "code": "HA7K2M", "note": "mới"}
    assert changes(before, after) == ["địa chỉ: Số 1 → Số 9", "note: mới"]


def test_a_new_unit_reads_as_words_with_its_kind_translated_and_dates_as_dd_mm_yyyy():
    unit = {
        "id": "3f2a",
        "kind": "village",
        "name": "Thôn Đông",
        "parent_id": "huong-an",
        "local_label": None,
        "valid_from": "2025-07-01",
        "valid_to": None,
    }
    assert changes(None, unit, NAMES) == [
        "tên: Thôn Đông",
        "loại: thôn",
        "thuộc: Phường Hương An",
        "hiệu lực từ: 01/07/2025",
    ]


def test_unit_kinds_have_their_vietnamese_names():
    names = {
        "province": "tỉnh, thành phố",
        "commune": "xã",
        "ward": "phường",
        "special_zone": "đặc khu",
        "village": "thôn",
        "residential_group": "tổ dân phố",
    }
    for kind, name in names.items():
        assert changes(None, {"kind": kind}) == [f"loại: {name}"]


def test_a_registered_household_names_its_members_with_birth_years_and_its_residence():
    assert changes(None, HOUSEHOLD, NAMES) == [
        "mã hộ: HA7K2M",
        "địa chỉ: Số 3, kiệt 5",
        "chủ hộ/người đại diện: Lê Thị Hoa",
        "thành viên: Lê Thị Hoa (1968, 0912345678)",
        "quá trình cư trú: Tổ dân phố 1 từ 01/07/2025",
    ]


def test_members_who_join_or_leave_are_named_rather_than_the_whole_list_repeated():
    after = {
        **HOUSEHOLD,
        "members": [{"name": "Lê Thị Hoa", "birth_year": 1968}, {"name": "Trần Văn An"}],
    }
    assert changes(HOUSEHOLD, after) == [
        "thành viên: thêm Lê Thị Hoa (1968); Trần Văn An",
        "thành viên: bỏ Lê Thị Hoa (1968, 0912345678)",
    ]


def test_a_move_shows_the_residence_history_before_and_after_with_unit_names():
    moved = {
        **HOUSEHOLD,
        "periods": [
            {"unit_id": "tdp-1", "status": "active", "start": "2025-07-01", "end": "2025-09-01"},
            {"unit_id": "tdp-2", "status": "active", "start": "2025-09-01", "end": None},
        ],
    }
    assert changes(HOUSEHOLD, moved, NAMES) == [
        "quá trình cư trú: Tổ dân phố 1 từ 01/07/2025 → "
        "Tổ dân phố 1 từ 01/07/2025 đến 01/09/2025; Tổ dân phố 2 từ 01/09/2025"
    ]


def test_a_household_that_moved_out_says_so_and_unknown_units_show_their_id():
    gone = {
        **HOUSEHOLD,
        "periods": [{"unit_id": "tdp-9", "status": "moved_out", "start": "2025-10-01"}],
    }
    assert changes(HOUSEHOLD, gone)[0].endswith("→ tdp-9: chuyển đi từ 01/10/2025")


def test_a_new_account_lists_its_roles_by_their_vietnamese_names():
    account = {
        "username": "binh",
        "full_name": "Lê Văn Bình",
        "roles": [{"role": "inspector", "unit_id": "huong-an"}],
    }
    assert changes(None, account, NAMES) == [
        "họ tên: Lê Văn Bình",
        "tên đăng nhập: binh",
        "vai trò: thành viên Ban Thanh tra nhân dân (Phường Hương An)",
    ]


def test_a_granted_or_revoked_role_is_named_alone():
    staff = {"role": "commune_staff", "unit_id": "huong-an"}
    head = {"role": "group_head", "unit_id": "tdp-1"}
    before = {"username": "minh", "roles": [staff]}
    after = {"username": "minh", "roles": [staff, head]}
    assert changes(before, after, NAMES) == ["vai trò: thêm tổ trưởng / trưởng thôn (Tổ dân phố 1)"]
    assert changes(after, before, NAMES) == ["vai trò: bỏ tổ trưởng / trưởng thôn (Tổ dân phố 1)"]
    assert changes(None, {"roles": [{"role": "system_admin", "unit_id": None}]}) == [
        "vai trò: quản trị hệ thống"
    ]


def test_long_values_and_long_lists_are_shortened():
    assert changes(None, {"id": "u1", "name": "x" * 100}) == ["tên: " + "x" * 77 + "..."]
    members = [{"name": f"Người {n}"} for n in range(1, 10)]
    assert changes(None, {"members": members}) == [
        "thành viên: Người 1; Người 2; Người 3; Người 4; Người 5; Người 6 và 3 mục khác"
    ]


def test_a_removed_field_is_said_to_be_removed():
    assert changes({"phone": "0912345678"}, {}) == ["phone: 0912345678 → (xóa)"]
    assert changes({"valid_to": None}, {"valid_to": "2026-01-01"}) == ["hiệu lực đến: 01/01/2026"]


def test_unknown_fields_still_show_under_their_own_name_with_readable_values():
    after = {"merged_on": "2026-01-01", "sources": ["tdp-1", "tdp-2"], "public": True}
    assert changes(None, after) == [
        "merged_on: 01/01/2026",
        "public: có",
        "sources: tdp-1; tdp-2",
    ]


def test_an_empty_list_set_where_there_was_nothing_is_no_change():
    assert changes(None, {"created": 3, "skipped": []}) == ["số hộ mới: 3"]


def test_a_new_poll_reads_in_vietnamese_words():
    after = {
        "kind": "decision",
        "title": "Làm mái che",
        "unit_id": "tdp-2",
        "matter": "other",
        "channels": ["online", "paper"],
        "secret": False,
        "opens_at": "2026-12-01T08:00:00Z",
        "questions": [
            {
                "id": "q1",
                "type": "single",
                "text": "Tán thành?",
                "options": [{"id": "a", "label": "Tán thành"}, {"id": "b", "label": "Không"}],
            }
        ],
    }
    lines = changes(None, after, {"tdp-2": "Tổ dân phố 2"})
    assert "loại: biểu quyết" in lines
    assert "phạm vi, đơn vị: Tổ dân phố 2" in lines
    assert "nội dung (Điều 15): Công việc tự quản khác" in lines
    assert "hình thức: trực tuyến; bằng phiếu giấy" in lines
    assert "bỏ phiếu kín: không" in lines
    assert "bắt đầu: 01/12/2026 15:00" in lines
    assert "câu hỏi: Tán thành? (Tán thành / Không)" in lines
