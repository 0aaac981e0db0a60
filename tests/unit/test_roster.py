"""Reading and checking household lists as ward staff keep them (services/directory/roster.py)."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from services.directory import roster
from shared.contracts.directory import AdministrativeUnit
from shared.contracts.households import Member

TODAY = date(2026, 11, 22)
UNITS = [
    AdministrativeUnit(
        id="tdp-1", kind="residential_group", name="Tổ dân phố 1", valid_from=date(2025, 7, 1)
    ),
    AdministrativeUnit(
        id="tdp-2", kind="residential_group", name="Tổ dân phố 2", valid_from=date(2026, 1, 1)
    ),
]
HEADER = ",".join(roster.TEMPLATE_COLUMNS)
# The template's header, with its one comma-bearing heading quoted as Excel writes it.
CSV_HEADER = HEADER.replace("Tổ dân phố, thôn", '"Tổ dân phố, thôn"')
GOOD_ROWS = [
    "HA7K2M,Tổ dân phố 1,Số 5 kiệt 12,Nguyễn Văn An,Chủ hộ,1970,0912 345 678,01/07/2025",
    "HA7K2M,,,Trần Thị Bình,Vợ,1972,,",
    "HB3P4Q,tổ  dân phố 2,Số 9,Lê Văn Cường,Con,1990,+84987654321,2026-01-15",
    "HB3P4Q,,,Lê Thị Dung,Người đại diện,1992,,",
]


def check(lines: list[str], registered: dict[str, str | None] | None = None) -> roster.RosterCheck:
    content = "\n".join([CSV_HEADER, *lines]).encode()
    return roster.check_roster(roster.read_table("ds.csv", content), UNITS, registered or {}, TODAY)


def problems(result: roster.RosterCheck) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in result.problems]


def test_rows_of_one_household_make_one_household_with_its_representative():
    result = check(GOOD_ROWS)
    assert result.problems == []
    assert result.rows == 4
    first, second = result.households
    assert first.code == "HA7K2M" and first.current.unit_id == "tdp-1"
    assert first.representative_name == "Nguyễn Văn An"
    assert first.members == [
        Member(name="Nguyễn Văn An", birth_year=1970, phone="0912345678"),
        Member(name="Trần Thị Bình", birth_year=1972),
    ]
    assert first.current.start == date(2025, 7, 1)
    # the person the household designates speaks for it, not the eldest nor the first row
    assert second.representative_name == "Lê Thị Dung"
    assert second.current.unit_id == "tdp-2" and second.members[0].phone == "0987654321"


def test_excel_files_are_read_with_their_dates_and_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.replace("Tổ dân phố, thôn", "Thôn").split(",")[:8])
    sheet.append(["HA7K2M", "Tổ dân phố 1", "Số 5", "Nguyễn Văn An", "Chủ hộ", 1970, 912345678,
                  date(2025, 7, 1)])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = roster.read_table("Danh sách.XLSX", buffer.getvalue())
    result = roster.check_roster(rows, UNITS, {}, TODAY)
    assert result.problems == []
    [household] = result.households
    assert household.members[0].phone == "0912345678"  # the 0 Excel dropped is back
    assert household.current.start == date(2025, 7, 1)


def test_semicolons_and_a_byte_order_mark_are_read_as_excel_writes_them():
    content = "\ufeff" + HEADER.replace(",", ";").replace("Tổ dân phố; thôn", "Tổ dân phố")
    content += "\n" + GOOD_ROWS[0].replace(",", ";")
    result = roster.check_roster(roster.read_table("a.csv", content.encode()), UNITS, {}, TODAY)
    assert result.problems == [] and len(result.households) == 1


@pytest.mark.parametrize(
    "filename, content, says",
    [
        ("ds.csv", b"M\xe3 h\xf4\xf2,H\xf2 t\xean\nHA7K2M,\xc2n", "UTF-8"),  # Windows-1258
        ("ds.csv", "Mã hộ,Họ và tên\nHA7K2M,Ân".encode("utf-16"), "UTF-8"),  # "Unicode Text"
        ("ds.txt", b"anything", ".csv hoặc .xlsx"),
        ("ds.xlsx", b"not a workbook", "Không đọc được tệp Excel"),
        ("ds.csv", b"", "không có dữ liệu"),
    ],
)
def test_a_file_that_is_not_a_readable_table_is_refused_with_the_reason(filename, content, says):
    with pytest.raises(roster.RosterFileError, match=says):
        roster.read_table(filename, content)


def test_missing_columns_are_reported_on_the_header_line_and_nothing_is_checked():
    rows = roster.read_table("ds.csv", "Mã hộ,Họ và tên,Ghi chú\nHA7K2M,An,x".encode())
    result = roster.check_roster(rows, UNITS, {}, TODAY)
    assert result.households == []
    assert {(p.line, p.column) for p in result.problems} == {
        (1, "Tổ dân phố, thôn"),
        (1, "Địa chỉ"),
        (1, "Quan hệ với chủ hộ"),
        (1, "Cư trú từ ngày"),
    }
    assert result.ignored_columns == ["Ghi chú"]


@pytest.mark.parametrize(
    "row, column, says",
    [
        ("HA7K20,Tổ dân phố 1,Số 5,An,Chủ hộ,1970,,01/07/2025", "Mã hộ", "không dùng 0"),
        (",Tổ dân phố 1,Số 5,An,Chủ hộ,1970,,01/07/2025", "Mã hộ", "Thiếu mã hộ"),
        ("HA7K2M,Tổ dân phố 9,Số 5,An,Chủ hộ,1970,,01/07/2025", "Tổ dân phố, thôn", "Tổ dân phố 9"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Chủ hộ,1970,,31/02/2026", "Cư trú từ ngày", "Không có ngày"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Chủ hộ,1970,,01/01/2027", "Cư trú từ ngày", "chưa tới"),
        ("HA7K2M,Tổ dân phố 2,Số 5,An,Chủ hộ,1970,,01/07/2025", "Cư trú từ ngày", "thành lập"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Chủ hộ,1970,,hôm qua", "Cư trú từ ngày", "ngày/tháng/năm"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Chủ hộ,1870,,01/07/2025", "Năm sinh", "1870"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Chủ hộ,1970,12345,01/07/2025", "Số điện thoại", "10 chữ số"),
        ("HA7K2M,Tổ dân phố 1,Số 5,,Chủ hộ,1970,,01/07/2025", "Họ và tên", "Thiếu họ tên"),
        ("HA7K2M,Tổ dân phố 1,Số 5,An,Con,1970,,01/07/2025", "Quan hệ với chủ hộ", "Chủ hộ"),
        ("HA7K2M,Tổ dân phố 1,,An,Chủ hộ,1970,,01/07/2025", "Địa chỉ", "chưa có địa chỉ"),
    ],
)
def test_each_problem_names_its_line_and_column_and_only_its_household_is_left_out(
    row, column, says
):
    result = check([row, GOOD_ROWS[2], GOOD_ROWS[3]])
    [problem] = result.problems
    assert (problem.line, problem.column) == (2, column)
    assert says in problem.problem
    assert [h.code for h in result.households] == ["HB3P4Q"]
    assert len(result.invalid_codes) == 1


def test_two_households_under_one_code_are_caught():
    result = check(
        [
            GOOD_ROWS[0],
            "HA7K2M,Tổ dân phố 1,Số 7 khác,Phạm Văn Em,Chủ hộ,1980,,01/07/2025",
            "HA7K2M,,,Nguyễn Văn An,Con,1970,,",
        ]
    )
    assert problems(result) == [(3, "Địa chỉ"), (3, "Quan hệ với chủ hộ"), (4, "Họ và tên")]
    assert "dòng 2" in result.problems[0].problem
    assert "dòng 2 và 3" in result.problems[1].problem
    assert "Trùng với thành viên ở dòng 2" in result.problems[2].problem
    assert result.households == []


def test_a_code_already_used_in_another_unit_or_by_a_household_that_left_is_refused():
    result = check(GOOD_ROWS, registered={"HA7K2M": "tdp-9", "HB3P4Q": None})
    assert problems(result) == [(2, "Mã hộ"), (4, "Mã hộ")]
    assert "chuyển hộ" in result.problems[0].problem
    assert "đã chuyển đi" in result.problems[1].problem
    # in the same unit, the code is simply the same household again
    assert check(GOOD_ROWS, registered={"HA7K2M": "tdp-1"}).problems == []


def test_compared_with_the_registry_a_known_household_keeps_its_history():
    same, changed = check(GOOD_ROWS).households
    new = same.model_copy(update={"code": "HC5R6S"})
    history = [{"unit_id": same.current.unit_id, "status": "active", "start": date(2026, 2, 1)}]
    registered = {
        same.code: same.model_copy(update={"periods": history}),
        changed.code: changed.model_copy(update={"address": "Số cũ", "periods": history}),
    }
    comparison = roster.compare_with_registry([new, same, changed], registered)
    assert comparison.new == [new]
    assert comparison.unchanged == 1
    [updated] = comparison.changed
    assert updated.address == changed.address
    assert updated.periods == registered[changed.code].periods
