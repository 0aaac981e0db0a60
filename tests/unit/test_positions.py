"""Reading a CSV list of position holders (gateway/routes/positions.py): the columns,
dates, positions and units as people write them, and one request_id per person
however the row is written."""

from datetime import date

import pytest

from gateway.routes.positions import (
    csv_rows,
    entered_position,
    row_command,
    row_problem,
    unit_of,
)
from shared.contracts.positions import Position
from shared.errors import InvalidInput

UNITS = {"huong-an": "Phường Hương An", "tdp-1": "Tổ dân phố 1"}
ROW = {
    "ho_ten": "Trần Thị Bình",
    "chuc_danh": "Trưởng ban công tác Mặt trận",
    "don_vi": "Tổ dân phố 1",
    "ma_ho": "",
    "dien_thoai": "0912 345 678",
    "email": "",
    "tu_ngay": "01/07/2025",
}


def command(**cells):
    return row_command({**ROW, **cells}, "huong-an", UNITS, "minh")


def test_a_position_is_named_by_its_code_or_its_vietnamese_name_in_any_case():
    assert entered_position("convention_drafter") == Position.CONVENTION_DRAFTER
    assert entered_position("  trưởng BAN công tác  mặt trận ") == Position.FRONT_COMMITTEE_HEAD
    with pytest.raises(ValueError, match="không nhập từ tệp"):
        entered_position("group_head")  # follows a staff role


def test_a_unit_is_named_by_its_id_or_its_name():
    assert unit_of("tổ dân phố 1", UNITS) == unit_of("tdp-1", UNITS) == "tdp-1"
    assert unit_of("Phường Hương An", UNITS) == "huong-an"
    with pytest.raises(ValueError, match="Tổ 9"):
        unit_of("Tổ 9", UNITS)


def test_a_row_becomes_the_holding_it_says():
    holding = command()
    assert (holding.position, holding.unit_id) == (Position.FRONT_COMMITTEE_HEAD, "tdp-1")
    assert (holding.phone, holding.starts_on) == ("0912345678", date(2025, 7, 1))
    assert holding.household is None and holding.actor == "minh"


def test_the_same_person_written_differently_has_one_request_id_and_another_person_another():
    same = command(
        ho_ten="trần  thị bình",
        chuc_danh="front_committee_head",
        don_vi="tdp-1",
        dien_thoai="0912.345.678",
        tu_ngay="1/7/2025",
    )
    assert same.request_id == command().request_id
    assert command(tu_ngay="02/07/2025").request_id != command().request_id
    elsewhere = row_command(ROW, "kim-long", {"kim-long": "Tổ dân phố 1"}, "tuan")
    assert elsewhere.request_id != command().request_id


def test_a_wrong_row_gives_a_reason_for_each_wrong_column_in_vietnamese():
    with pytest.raises(InvalidInput) as refused:
        command(ho_ten="", don_vi="Tổ 9", tu_ngay="mai", dien_thoai="12345", email="binh@")
    fields = refused.value.fields
    assert fields["full_name"] == "Vui lòng ghi họ tên."
    assert "Tổ 9" in fields["unit_id"] and "ngày/tháng/năm" in fields["starts_on"]
    assert fields["phone"].startswith("Số điện thoại chưa đúng")
    assert fields["email"].startswith("Địa chỉ thư điện tử chưa đúng")
    problem = row_problem(fields, "")
    assert "ho_ten: Vui lòng ghi họ tên." in problem and "don_vi: " in problem


def test_a_csv_file_is_read_by_its_header_whatever_the_separator():
    content = "\ufeffho_ten;chuc_danh;don_vi;tu_ngay\nAn;convention_drafter;tdp-1;01/07/2025\n;;;\n"
    assert csv_rows(content.encode()) == [
        (
            2,
            {
                "ho_ten": "An",
                "chuc_danh": "convention_drafter",
                "don_vi": "tdp-1",
                "tu_ngay": "01/07/2025",
            },
        )
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"ho_ten,don_vi\nAn,tdp-1\n", "thiếu cột: chuc_danh, tu_ngay"),
        ("ho_ten,chuc_danh,don_vi,tu_ngay\nĐào Đăng\n".encode("cp1258"), "UTF-8"),
        (b"", "không có dữ liệu"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(content, reason):
    with pytest.raises(InvalidInput) as refused:
        csv_rows(content)
    assert reason in refused.value.fields["file"]
