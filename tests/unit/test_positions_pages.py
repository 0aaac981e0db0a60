"""The staff page of a commune's position holders (gateway/routes/positions.py) with a
fake directory in the FakeRpc port."""

import re

import pytest

from shared.contracts.positions import AddHolding, EndHolding
from shared.errors import InvalidInput, parse
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

PAGE = "/can-bo/xa/huong-an/chuc-danh"
GROUP = "tổ-dân-phố-1"  # gateway_support's "Tổ dân phố 1"
OFFICIAL = {
    "holding_id": "role-1",
    "commune_id": "huong-an",
    "unit_id": "huong-an",
    "position": "commune_official",
    "person": {"person_id": "account:minh", "full_name": "Minh", "username": "minh"},
    "starts_on": "2025-07-01",
    "ends_on": "2025-12-31",
}
CSV_HEADER = "ho_ten,chuc_danh,don_vi,ma_ho,dien_thoai,email,tu_ngay\n"


@pytest.fixture
def holdings(rpc: FakeRpc) -> dict[str, dict]:
    """A fake directory's holdings by id: one ended official; add_holding stores one per
    request_id and refuses a unit it does not know, as the service does."""
    stored = {OFFICIAL["holding_id"]: OFFICIAL}

    def add_holding(payload: dict) -> dict:
        command = parse(AddHolding, payload)
        if command.unit_id not in ("huong-an", GROUP):
            raise InvalidInput(fields={"unit_id": "Hãy chọn Phường Hương An hoặc một tổ."})
        person = {"person_id": f"p-{len(stored):016x}", "full_name": command.full_name}
        holding = command.model_dump(mode="json", include={"commune_id", "unit_id", "position"})
        holding |= {"person": person, "starts_on": command.starts_on.isoformat()}
        return stored.setdefault(command.request_id, {"holding_id": command.request_id, **holding})

    def end_holding(payload: dict) -> dict:
        command = parse(EndHolding, payload)
        holding = stored[command.holding_id]
        if command.ends_on.isoformat() < holding["starts_on"]:
            raise InvalidInput(fields={"ends_on": "Ngày thôi giữ không được trước ngày bắt đầu."})
        holding["ends_on"] = command.ends_on.isoformat()
        return holding

    rpc.answer("directory", "add_holding", add_holding)
    rpc.answer("directory", "end_holding", end_holding)
    rpc.answer("directory", "list_holdings", lambda query: {"holdings": list(stored.values())})
    return stored


def form(client, **fields) -> dict:
    page = client.get(PAGE).text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    return {
        "csrf_token": csrf_of(page),
        "request_id": request_id,
        "position": "front_committee_head",
        "full_name": "Trần Thị Bình",
        "unit_id": GROUP,
        "household": "",
        "phone": "",
        "email": "",
        "starts_on": "2026-01-05",
        **fields,
    }


def upload(client, content: str):
    token = csrf_of(client.get(PAGE).text)
    files = {"file": ("chuc-danh.csv", content.encode(), "text/csv")}
    return client.post(PAGE + "/nhap-tep", data={"csrf_token": token}, files=files)


def test_the_page_asks_staff_to_sign_in(client, holdings):
    response = client.get(PAGE)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")


def test_the_commune_page_links_to_its_position_holders(client, holdings):
    sign_in(client)
    assert f'href="{PAGE}"' in client.get("/communes/huong-an").text


def test_holders_are_grouped_by_position_with_their_unit_dates_and_whether_they_still_hold_it(
    client, holdings
):
    sign_in(client)
    client.post(PAGE, data=form(client))
    page = client.get(PAGE).text
    headings = re.findall(r"<h2>([^<]+) <span", page)
    assert headings[0] == "Cán bộ, công chức cấp xã" and len(headings) == 6
    assert "Thành viên tổ soạn thảo hương ước, quy ước" in page and "Chưa có ai." in page
    assert "Phường Hương An · từ 01/07/2025, thôi giữ từ 31/12/2025 ·\n    đã thôi" in page
    assert "Tổ dân phố 1 · từ 05/01/2026 ·\n    đang giữ" in page
    # Only the entered holding is ended here; an official's follows their role.
    assert page.count("/thoi-giu") == 1


def test_adding_a_holder_sends_the_form_and_says_so(client, holdings, rpc):
    sign_in(client)
    data = form(client, phone="0912 345 678")
    response = client.post(PAGE, data=data)
    assert response.status_code == 303 and response.headers["location"] == PAGE
    (sent,) = rpc.calls_to("directory", "add_holding")
    assert sent[0]["request_id"] == data["request_id"] and sent[0]["actor"] == "minh"
    assert sent[0]["phone"] == "0912345678" and sent[0]["household"] is None
    flash = "Đã ghi nhận Trần Thị Bình: Trưởng ban công tác Mặt trận."
    assert flash in client.get(PAGE).text


def test_a_wrong_form_keeps_what_was_typed_with_reasons_in_vietnamese(client, holdings, rpc):
    sign_in(client)
    response = client.post(PAGE, data=form(client, full_name="", phone="12345", position=""))
    assert response.status_code == 422
    page = response.text
    assert "Vui lòng ghi họ tên" in page and "Số điện thoại chưa đúng" in page
    assert "Vui lòng chọn chức danh." in page and 'value="12345"' in page
    assert not rpc.calls_to("directory", "add_holding")

    refused = client.post(PAGE, data=form(client, unit_id="tdp-9"))
    assert refused.status_code == 422 and "Hãy chọn Phường Hương An" in refused.text


def test_a_holder_is_ended_on_a_day_and_a_day_before_the_start_is_refused_beside_the_form(
    client, holdings, rpc
):
    sign_in(client)
    data = form(client)
    client.post(PAGE, data=data)
    end = f"{PAGE}/{data['request_id']}/thoi-giu"
    token = data["csrf_token"]

    refused = client.post(end, data={"csrf_token": token, "ends_on": "2026-01-01"})
    assert refused.status_code == 422
    assert 'role="alert">Ngày thôi giữ không được trước ngày bắt đầu.' in refused.text
    missing = client.post(end, data={"csrf_token": token, "ends_on": ""})
    assert "Vui lòng ghi ngày thôi giữ chức danh." in missing.text

    ended = client.post(end, data={"csrf_token": token, "ends_on": "2026-06-30"})
    assert ended.status_code == 303
    assert holdings[data["request_id"]]["ends_on"] == "2026-06-30"
    assert "thôi giữ chức danh từ ngày 30/06/2026" in client.get(PAGE).text


def test_a_csv_file_adds_its_valid_rows_reports_the_wrong_ones_and_adds_nothing_twice(
    client, holdings, rpc
):
    sign_in(client)
    content = CSV_HEADER + (
        "Trần Thị Bình,Trưởng ban công tác Mặt trận,Tổ dân phố 1,,0912345678,,01/07/2025\n"
        "Lê Văn Cường,investment_supervision,huong-an,,,,2025-08-01\n"
        "Phạm Thị Dung,group_head,Tổ dân phố 1,,,,01/07/2025\n"
        "Võ Văn Em,convention_drafter,Tổ 9,,12345,,31/02/2026\n"
    )
    first = upload(client, content)
    assert first.status_code == 200
    page = first.text
    assert "2 người mới" in page and "2 dòng có lỗi chưa nhập" in page
    assert "Lê Văn Cường: Thành viên Ban Giám sát đầu tư của cộng đồng, Phường Hương An" in page
    assert "chuc_danh: Chức danh “group_head” không nhập từ tệp được." in page
    assert "don_vi: Không có đơn vị “Tổ 9” trong xã, phường này." in page
    assert (
        "dien_thoai: Số điện thoại chưa đúng" in page
        and "tu_ngay: Không có ngày 31/02/2026" in page
    )
    assert len(holdings) == 3

    again = upload(client, content).text
    assert "0 người mới, 2 người đã có từ lần nhập trước" in again
    assert len(holdings) == 3


def test_a_file_that_is_not_a_holders_list_is_refused(client, holdings, rpc):
    sign_in(client)
    response = upload(client, "ten,ngay\nAn,01/07/2025\n")
    assert response.status_code == 422 and "Tệp thiếu cột: ho_ten, chuc_danh" in response.text
    assert not rpc.calls_to("directory", "add_holding")


def test_the_inspection_board_reads_the_page_without_forms_and_other_communes_staff_cannot(
    client, holdings, rpc
):
    sign_in(client, "hoa")  # inspector of huong-an
    page = client.get(PAGE).text
    assert "Trưởng ban công tác Mặt trận" in page and "Thêm người giữ chức danh" not in page
    refused = client.post(PAGE, data={"csrf_token": csrf_of(page), "full_name": "An"})
    assert refused.status_code == 403
    client.post("/staff/sign-out", data={"csrf_token": csrf_of(page)})
    sign_in(client, "tuan")  # staff of kim-long
    assert client.get(PAGE).status_code == 403


def test_a_form_without_its_csrf_token_is_refused(client, holdings, rpc):
    sign_in(client)
    response = client.post(PAGE, data={**form(client), "csrf_token": "wrong"})
    assert response.status_code == 403
    assert not rpc.calls_to("directory", "add_holding")
