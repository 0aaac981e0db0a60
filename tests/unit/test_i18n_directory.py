"""The directory's pages in English (cookie danban_lang=en): the commune's public page,
the household pages, and the staff pages (accounts, imports, position holders, unit
changes, the audit log), with a fake RPC port in place of the services. The English
comes from the catalog (shared/locale); Vietnamese stays the pages' source language."""

from shared import i18n
from shared.errors import from_wire
from tests.samples import PROVINCE, WARD
from tests.unit.gateway_support import ACCOUNTS, csrf_of, group, sign_in
from tests.unit.test_gateway_imports import IMPORT_ID
from tests.unit.test_gateway_imports import summary as import_summary
from tests.unit.test_gateway_pages import HOUSEHOLD
from tests.unit.test_positions_pages import OFFICIAL
from tests.unit.test_unit_change_pages import MERGE, NAMES, SPLIT_LATER, post


def vietnamese_free(html: str, *words: str) -> None:
    for word in words:
        assert word not in html, word


def test_the_commune_page_reads_in_english_with_english_numbers(english):
    html = english.get("/communes/huong-an").text
    assert '<html lang="en">' in html
    assert "Check a ballot receipt" in html and "Emulation and commendation" in html
    assert "Residential group · from 1 Jul 2025" in html  # the local label, translated
    assert "1,241" in html
    vietnamese_free(html, "Phản ánh, kiến nghị", "Thôn, tổ dân phố", "từ 01/07", "1.241")


def test_counts_read_as_english_plurals(english, rpc):
    html = english.get("/communes/huong-an").text
    assert "<strong>1,241</strong> households" in html
    assert "<strong>2</strong> villages and residential groups" in html
    vietnamese_free(html, "hộ gia đình", "thôn, tổ dân phố")
    rpc.answer("directory", "search_households", lambda q: {"households": [HOUSEHOLD]})
    sign_in(english)
    found = english.get("/communes/huong-an/households", params={"q": "Hoa"}).text
    assert "<h2>1 household</h2>" in found


def test_the_commune_page_tells_what_became_of_units_in_english(english, rpc):
    former = {**group("Tổ dân phố cũ", 0)["unit"], "id": "tdp-0", "valid_to": "2026-01-01"}
    rpc.answer(
        "directory",
        "get_commune_overview",
        lambda query: {
            "commune": WARD,
            "province": PROVINCE,
            "residential_units": [
                group("Tổ dân phố 1", 34),
                {**group("Tổ dân phố 2", 12), "ended_by": SPLIT_LATER},
            ],
            "former_units": [{"unit": former, "ended_by": MERGE}],
            "unit_names": NAMES,
        },
    )
    html = english.get("/communes/huong-an").text
    assert "Merged into Tổ dân phố 1 from 1 Jan 2026" in html
    assert "Will be split into Tổ 2A, Tổ 2B from 1 Jan 2099" in html
    vietnamese_free(html, "Sáp nhập vào", "Sẽ chia thành")


def test_the_household_pages_read_in_english(english, rpc):
    rpc.answer("directory", "search_households", lambda q: {"households": [HOUSEHOLD]})
    rpc.answer(
        "directory",
        "household_details",
        lambda q: {
            "household": HOUSEHOLD,
            "unit_names": {"to-dan-pho-1": "Tổ dân phố 1", "to-dan-pho-2": "Tổ dân phố 2"},
        },
    )
    sign_in(english)
    found = english.get("/communes/huong-an/households", params={"q": "Hoa"}).text
    assert "Find a household" in found and "Code HA7K2M" in found
    vietnamese_free(found, "Tìm hộ gia đình", "Mã hộ")

    page = english.get("/households/HA7K2M").text
    assert "Living in <strong>Tổ dân phố 2</strong> since 1 Sept 2025." in page
    assert "Residence history" in page and "Year of birth" in page
    vietnamese_free(page, "Đang cư trú", "Lịch sử cư trú", "Thành viên")

    short = english.get("/communes/huong-an/households", params={"q": "a"}).text
    assert "Please enter at least 2 characters" in short


def test_the_staff_page_reads_in_english_and_says_what_was_done(english, rpc):
    rpc.answer("directory", "list_accounts", lambda q: {"accounts": [ACCOUNTS["minh"]]})
    rpc.answer("directory", "create_account", lambda c: c)
    sign_in(english, "lan")
    page = english.get("/communes/huong-an/staff").text
    assert "Staff and roles" in page and "Commune staff" in page and "Create account" in page
    vietnamese_free(page, "Cán bộ và vai trò", "Cán bộ cấp xã", "Tên đăng nhập")

    form = {
        "csrf_token": csrf_of(page),
        "full_name": "Lê Văn Bình",
        "username": "binh",
        "password": "mật-khẩu-ban-đầu-dài",
        "role": "inspector",
        "unit_id": "",
    }
    english.post("/communes/huong-an/staff", data=form)
    assert "Account binh created." in english.get("/communes/huong-an/staff").text


def test_an_import_report_and_its_row_problems_read_in_english(english, rpc):
    problem = "Không có tổ dân phố, thôn “Tổ 9” trong xã, phường này."
    record = import_summary(
        rows=12,
        households=7,
        new=6,
        invalid=1,
        problem_count=1,
        problems=[{"line": 14, "column": "Tổ dân phố, thôn", "problem": problem}],
    )
    rpc.answer("directory", "list_household_imports", lambda query: {"imports": [record]})
    rpc.answer("directory", "get_household_import", lambda ref: record)
    sign_in(english)
    listing = english.get("/communes/huong-an/imports").text
    assert "Import the household list" in listing and "Upload and check" in listing
    assert "<dt>Mã hộ</dt>" in listing  # the file's own headings stay as the file says them
    vietnamese_free(listing, "Tải lên và kiểm tra", "Các lần nhập gần đây")

    report = english.get(f"/communes/huong-an/imports/{IMPORT_ID}").text
    assert "Households in the file" in report and "Errors by row" in report
    assert "Import only the 6 valid households" in report
    assert "There is no residential group or village “Tổ 9” in this commune or ward." in report
    vietnamese_free(report, "Lỗi theo dòng", "Chỉ nhập", "Không có tổ dân phố")


def test_the_position_holders_page_reads_in_english(english, rpc):
    rpc.answer("directory", "list_holdings", lambda query: {"holdings": [OFFICIAL]})
    sign_in(english)
    page = english.get("/can-bo/xa/huong-an/chuc-danh").text
    assert "Position holders to be trained" in page
    assert "Commune-level official or civil servant" in page
    assert "Import several people from a CSV file" in page
    vietnamese_free(page, "Người giữ chức danh cần bồi dưỡng", "Cán bộ, công chức cấp xã")


def test_the_unit_change_forms_read_in_english_and_so_do_the_directorys_refusals(english, rpc):
    rpc.answer("directory", "list_households", lambda query: {"households": []})
    sign_in(english)
    merge = english.get("/communes/huong-an/units/merge").text
    assert "Merge villages and residential groups" in merge and "In effect from" in merge
    assert '<option value="tổ dân phố">' in merge  # values the directory checks, as they are
    vietnamese_free(merge, "Sáp nhập thôn", "Có hiệu lực từ ngày", "Hủy")

    rename = english.get("/communes/huong-an/units/tổ-dân-phố-1/rename").text
    assert "Rename Tổ dân phố 1" in rename and "leave empty to keep “residential group”" in rename

    def refuse(payload: dict) -> None:  # as it arrives over the wire, in Vietnamese
        sent = {"name": "Tên mới trùng với tên hiện tại."}
        raise from_wire({"exc_type": "InvalidInput", "exc_args": ["", sent]})

    rpc.answer("directory", "rename_unit", refuse)
    refused = post(english, "/communes/huong-an/units/tổ-dân-phố-1/rename", name="Tổ dân phố 1")
    assert "The new name is the same as the current name." in refused.text
    assert "Not saved yet." in refused.text


def test_the_audit_log_reads_in_english(english, rpc):
    entry = {
        "at": "2026-01-05T08:04:00Z",
        "actor": "minh",
        "action": "register_household",
        "target": "HA7K2M",
        "commune_id": "huong-an",
        "before": {"address": "Số 1", "status": "active"},
        "after": {"address": "Số 9", "status": "moved_out"},
    }
    rpc.answer("directory", "list_audit", lambda q: {"entries": [entry]})
    sign_in(english, "lan")
    page = english.get("/communes/huong-an/audit").text
    assert "<strong>Register a household</strong>: HA7K2M" in page
    assert "<li>address: Số 1 → Số 9</li>" in page
    assert "Change log" in page
    vietnamese_free(page, "Nhật ký thay đổi", "Ghi nhận hộ gia đình", "địa chỉ:")


def test_the_directorys_filled_messages_are_recognised_in_english():
    i18n.use("en")
    try:
        said = "Hộ HA7K2M không còn cư trú tại địa phương."
        assert i18n.translate(said) == "Household HA7K2M no longer lives in the locality."
        late = "Trước ngày Tổ dân phố 1 được thành lập (01/07/2025)."
        assert i18n.translate(late) == "Before the day Tổ dân phố 1 was established (1 Jul 2025)."
    finally:
        i18n.use("vi")
