"""The household import pages, with a fake RPC port in place of the directory."""

import base64
import re

import pytest

from shared.errors import InvalidInput
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in

IMPORT_ID = "ab" * 16


def summary(**fields) -> dict:
    return {
        "import_id": IMPORT_ID,
        "commune_id": "huong-an",
        "actor": "minh",
        "filename": "ds.csv",
        "created_at": "2026-11-20T03:00:00Z",
        "status": "checked",
        **fields,
    }


@pytest.fixture
def directory(rpc: FakeRpc) -> dict:
    """The import the fake directory holds; tests change it."""
    state = {"record": summary(), "chunks": {}}
    rpc.answer("directory", "list_household_imports", lambda query: {"imports": []})
    rpc.answer("directory", "start_household_import", lambda c: summary(status="uploading"))
    rpc.answer(
        "directory",
        "add_import_chunk",
        lambda c: state["chunks"].update({c["index"]: base64.b64decode(c["data"])}),
    )
    rpc.answer("directory", "finish_import_upload", lambda c: summary(status="checking"))
    rpc.answer("directory", "get_household_import", lambda ref: state["record"])
    return state


def upload(client, content: bytes, name: str = "Danh sách.csv"):
    page = client.get("/communes/huong-an/imports").text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    return client.post(
        "/communes/huong-an/imports",
        data={"csrf_token": csrf_of(page), "request_id": request_id},
        files={"file": (name, content, "text/csv")},
    ), request_id


def test_an_uploaded_file_reaches_the_directory_whole_and_the_clerk_sees_its_report(
    client, rpc, directory
):
    sign_in(client)
    content = ("Mã hộ,Họ và tên\n" + "HA7K2M,Nguyễn Văn Ân\n" * 100_000).encode()  # > 1 chunk
    response, request_id = upload(client, content)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/communes/huong-an/imports/{request_id}")
    [start] = rpc.calls_to("directory", "start_household_import")
    assert start[0]["import_id"] == request_id and start[0]["filename"] == "Danh sách.csv"
    assert start[0]["chunk_count"] == len(directory["chunks"]) == 3
    assert b"".join(directory["chunks"][i] for i in range(3)) == content
    assert len(rpc.calls_to("directory", "finish_import_upload")) == 1


def test_a_form_without_a_file_is_explained_and_nothing_is_sent(client, rpc, directory):
    sign_in(client)
    page = client.get("/communes/huong-an/imports").text
    response = client.post(
        "/communes/huong-an/imports", data={"csrf_token": csrf_of(page), "request_id": "x"}
    )
    assert response.status_code == 422
    assert "Vui lòng chọn tệp" in response.text
    assert rpc.calls_to("directory", "start_household_import") == []


def test_while_checking_the_report_page_refreshes_itself(client, directory):
    sign_in(client)
    directory["record"] = summary(status="checking")
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Đang kiểm tra" in page


def test_a_report_with_problems_lists_them_by_line_and_offers_only_the_valid_rows(
    client, rpc, directory
):
    sign_in(client)
    problems = [{"line": 14, "column": "Tổ dân phố, thôn", "problem": "Không có tổ “Tổ 9”."}]
    directory["record"] = summary(new=6, invalid=1, problem_count=1, problems=problems)
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert "http-equiv" not in page
    assert re.search(r"<td class=\"num\">14</td><td>Tổ dân phố, thôn</td><td>Không có tổ", page)
    assert "Chỉ nhập 6 hộ hợp lệ" in page and ">Nhập 6 hộ<" not in page

    rpc.answer("directory", "apply_household_import", lambda command: summary(status="applying"))
    response = client.post(
        f"/communes/huong-an/imports/{IMPORT_ID}/apply",
        data={"csrf_token": csrf_of(page), "valid_only": "yes"},
    )
    assert response.status_code == 303
    [command] = rpc.calls_to("directory", "apply_household_import")
    assert command[0] == {"actor": "minh", "import_id": IMPORT_ID, "valid_only": True}


def test_a_refused_apply_is_explained_on_the_report(client, rpc, directory):
    sign_in(client)
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text

    def refuse(command):
        raise InvalidInput(fields={"valid_only": "Tệp còn 2 lỗi."})

    rpc.answer("directory", "apply_household_import", refuse)
    client.post(f"/communes/huong-an/imports/{IMPORT_ID}/apply", data={"csrf_token": csrf_of(page)})
    assert "Tệp còn 2 lỗi." in client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text


def test_progress_shows_while_applying_and_inspectors_are_offered_no_buttons(client, directory):
    sign_in(client)
    directory["record"] = summary(status="applying", new=30000, to_apply=30000, applied=12500)
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert '<progress max="30000" value="12500">' in page and "12.500 / 30.000" in page

    directory["record"] = summary(new=3)
    sign_in(client, "hoa")  # People's Inspection Board: reads, does not act
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert "Nhập 3 hộ" not in page and '<button type="submit">' not in page.split("</header>")[1]
    assert 'type="file"' not in client.get("/communes/huong-an/imports").text


def test_a_failed_import_says_what_to_do_and_stops_refreshing(client, directory):
    sign_in(client)
    directory["record"] = summary(status="failed", failure="Vui lòng tải lên lại sau ít phút.")
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert "Vui lòng tải lên lại sau ít phút." in page and "không hoàn tất" in page
    assert "http-equiv" not in page


def test_the_report_counts_the_position_holders_named_and_those_recorded(client, directory):
    sign_in(client)
    directory["record"] = summary(rows=3, households=2, new=2, positions=3)
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert re.search(r"Người giữ chức danh \(cột “Chức danh”\)</th><td class=\"num\">3<", page)
    directory["record"] = summary(status="done", created=2, holdings_opened=2)
    page = client.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert "2 hộ mới, 0 hộ cập nhật, 2 người giữ chức danh mới ghi nhận" in page
