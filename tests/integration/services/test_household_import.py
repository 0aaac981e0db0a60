"""Importing household lists through the directory service, on the real broker
and wire server: checked in the background, reported row by row, applied all or
valid-only, idempotent by household code, safe when two imports race."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from deploy.sample_roster import roster_rows, write
from services.directory.roster import TEMPLATE_COLUMNS
from shared import chassis
from shared.errors import Forbidden, InvalidInput
from tests.integration.services.test_households import staff
from tests.samples import OTHER_WARD, household, residential_group
from tests.support import wait_until

CHUNKS = 5  # even a small test file travels in several chunks


@pytest.fixture
def directory(directory):
    for number in (1, 2):
        directory.register_unit(residential_group(number))
    return directory


def roster_csv(count: int, *, extra: list[str] = (), address: str = "Số {n} kiệt 3") -> bytes:
    lines = [",".join(f'"{c}"' for c in TEMPLATE_COLUMNS)]
    for n in range(count):
        code = f"HQ{n:04d}".replace("0", "A").replace("1", "B")
        lines.append(
            f"{code},Tổ dân phố {n % 2 + 1},{address.format(n=n)},Nguyễn Văn {n},Chủ hộ,1970,"
            f"09{n:08d},01/07/2025"
        )
        lines.append(f"{code},,,Trần Thị {n},Vợ,1972,,")
    return "\n".join(lines + list(extra)).encode()


def upload(directory, content: bytes, actor: str = "admin", name: str = "ds.csv") -> str:
    import_id = uuid.uuid4().hex
    size = len(content) // CHUNKS + 1
    chunks = [content[i : i + size] for i in range(0, len(content), size)] or [b""]
    directory.start_household_import(
        {
            "actor": actor,
            "commune_id": "huong-an",
            "import_id": import_id,
            "filename": name,
            "chunk_count": len(chunks),
        }
    )
    for index, chunk in reversed(list(enumerate(chunks))):  # order of arrival does not matter
        directory.add_import_chunk(
            {
                "actor": actor,
                "import_id": import_id,
                "index": index,
                "data": base64.b64encode(chunk).decode(),
            }
        )
    directory.finish_import_upload({"actor": actor, "import_id": import_id})
    return import_id


def report(directory, import_id: str, status: str, actor: str = "admin") -> dict:
    def reached() -> dict | None:
        found = directory.get_household_import({"actor": actor, "import_id": import_id})
        return found if found["status"] == status else None

    return wait_until(reached, timeout=30)


def apply(directory, import_id: str, valid_only: bool = False) -> dict:
    report(directory, import_id, "checked")
    directory.apply_household_import(
        {"actor": "admin", "import_id": import_id, "valid_only": valid_only}
    )
    return report(directory, import_id, "done")


def households(directory) -> int:
    return directory.count_households({"unit_id": "huong-an", "as_of": "2025-08-01"})["count"]


def test_a_clean_file_is_checked_applied_and_a_second_time_changes_nothing(directory, databases):
    content = roster_csv(40)
    first = upload(directory, content)
    checked = report(directory, first, "checked")
    assert (checked["rows"], checked["households"], checked["new"]) == (80, 40, 40)
    assert checked["problem_count"] == 0 and households(directory) == 0  # nothing written yet

    done = apply(directory, first)
    assert (done["created"], done["updated"], done["applied"]) == (40, 0, 40)
    assert households(directory) == 40
    household = directory.resolve_household({"code": "HQAAAA"})
    assert household["representative_name"] == "Nguyễn Văn 0"
    assert [m["name"] for m in household["members"]] == ["Nguyễn Văn 0", "Trần Thị 0"]
    # the import's audit entry is relayed just after it is marked done
    audit = wait_until(
        lambda: directory.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    )
    assert [(e["action"], e["after"]["created"]) for e in audit] == [("import_households", 40)]

    again = upload(directory, content)
    assert report(directory, again, "checked")["unchanged"] == 40
    assert apply(directory, again)["created"] == 0
    assert households(directory) == 40
    # the uploaded files are not kept once applied (they are dropped just after "done")
    stored = databases["directory"]
    wait_until(
        lambda: (
            stored.import_chunks.count_documents({}) == 0
            and stored.import_checked.count_documents({}) == 0
        )
    )


def test_an_excel_file_is_imported_as_its_csv_twin(directory, tmp_path):
    write(tmp_path / "ds.xlsx", roster_rows(12, groups=2))
    done = apply(directory, upload(directory, (tmp_path / "ds.xlsx").read_bytes(), name="ds.xlsx"))
    assert done["created"] == 12 and households(directory) == 12


def test_a_file_with_errors_writes_nothing_unless_the_clerk_takes_the_valid_rows(directory):
    broken = [
        "HZZZZ2,Tổ dân phố 9,Số 1,Lê Văn Tí,Chủ hộ,1980,,01/07/2025",
        "HZZZZ3,Tổ dân phố 1,Số 2,Lê Văn Tèo,Chủ hộ,1980,,31/02/2025",
    ]
    import_id = upload(directory, roster_csv(6, extra=broken))
    checked = report(directory, import_id, "checked")
    assert [(p["line"], p["column"]) for p in checked["problems"]] == [
        (14, "Tổ dân phố, thôn"),
        (15, "Cư trú từ ngày"),
    ]
    assert (checked["new"], checked["invalid"]) == (6, 2)

    with pytest.raises(InvalidInput) as refused:
        directory.apply_household_import({"actor": "admin", "import_id": import_id})
    assert "2 lỗi" in refused.value.fields["valid_only"]
    assert households(directory) == 0

    assert apply(directory, import_id, valid_only=True)["created"] == 6
    assert households(directory) == 6


def test_an_unreadable_file_is_reported_and_cannot_be_applied(directory):
    import_id = upload(directory, "Mã hộ;Họ tên\nHAAAA2;Ân".encode("utf-16"))
    checked = report(directory, import_id, "checked")
    assert "UTF-8" in checked["file_error"]
    with pytest.raises(InvalidInput):
        directory.apply_household_import(
            {"actor": "admin", "import_id": import_id, "valid_only": True}
        )


def test_a_new_address_in_the_file_updates_the_household_and_audits_before_and_after(directory):
    apply(directory, upload(directory, roster_csv(3)))
    changed = upload(directory, roster_csv(3, address="Số {n} đường mới"))
    checked = report(directory, changed, "checked")
    assert (checked["changed"], checked["unchanged"], checked["new"]) == (3, 0, 0)
    assert apply(directory, changed)["updated"] == 3
    household = directory.resolve_household({"code": "HQAAAA"})
    assert household["address"] == "Số 0 đường mới"
    assert household["periods"][0]["start"] == "2025-07-01"  # its history stays

    def audited():
        entries = directory.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
        return [e for e in entries if e["action"] == "import_household"]

    entry = wait_until(lambda: len(audited()) == 3 and audited())[0]
    assert entry["before"]["address"].startswith("Số ") and "kiệt" in entry["before"]["address"]
    assert "đường mới" in entry["after"]["address"]


def test_two_imports_of_the_same_file_at_once_register_each_household_once(directory):
    content = roster_csv(300)
    first, second = upload(directory, content), upload(directory, content)
    for import_id in (first, second):
        assert report(directory, import_id, "checked")["new"] == 300
    for import_id in (first, second):
        directory.apply_household_import({"actor": "admin", "import_id": import_id})
    done = [report(directory, import_id, "done") for import_id in (first, second)]
    assert households(directory) == 300
    assert sum(d["created"] for d in done) == 300  # each household created by one of them


def test_only_the_communes_editors_import_and_its_inspectors_only_read(directory):
    directory.register_unit(OTHER_WARD)
    staff(directory, "tuan", "commune_staff", "kim-long")
    staff(directory, "lan", "inspector", "huong-an")
    with pytest.raises(Forbidden):
        upload(directory, roster_csv(1), actor="tuan")
    import_id = upload(directory, roster_csv(1))
    assert report(directory, import_id, "checked", actor="lan")["new"] == 1
    with pytest.raises(Forbidden):
        directory.apply_household_import({"actor": "lan", "import_id": import_id})
    with pytest.raises(Forbidden):
        directory.add_import_chunk({"actor": "lan", "import_id": import_id, "index": 0, "data": ""})
    assert households(directory) == 0


def test_a_code_another_commune_uses_is_left_alone_and_reported(directory):
    directory.register_unit(OTHER_WARD)
    directory.register_unit(residential_group(1, "kim-long") | {"id": "kl-1"})
    directory.register_household(household("HQAAAB", "kl-1"))
    done = apply(directory, upload(directory, roster_csv(3)))
    assert (done["created"], done["skipped"]) == (2, ["HQAAAB"])
    assert directory.resolve_household({"code": "HQAAAB"})["periods"][0]["unit_id"] == "kl-1"


def test_a_check_that_keeps_failing_tells_the_clerk_to_upload_again(
    directory, databases, monkeypatch
):
    monkeypatch.setattr(chassis, "RETRY_PAUSE_SECONDS", 0.05)
    import_id = uuid.uuid4().hex
    ref = {"actor": "admin", "import_id": import_id}
    directory.start_household_import(
        {**ref, "commune_id": "huong-an", "filename": "ds.csv", "chunk_count": 1}
    )
    directory.add_import_chunk({**ref, "index": 0, "data": base64.b64encode(b"x").decode()})
    # a stored part that can no longer be read, as after a damaged disk
    databases["directory"].import_chunks.update_many({}, {"$set": {"data": "not bytes"}})
    directory.finish_import_upload(ref)
    failed = report(directory, import_id, "failed")
    assert "tải lên lại" in failed["failure"]


def test_a_report_left_unapplied_for_a_week_asks_for_the_file_again(directory, databases):
    import_id = upload(directory, roster_csv(2))
    report(directory, import_id, "checked")
    week_ago = datetime.now(UTC) - timedelta(days=7, minutes=1)
    databases["directory"].import_checked.update_many({}, {"$set": {"checked_at": week_ago}})
    with pytest.raises(InvalidInput) as refused:
        directory.apply_household_import({"actor": "admin", "import_id": import_id})
    assert "tải lên lại" in refused.value.fields["valid_only"]
    assert households(directory) == 0


def test_positions_named_in_the_file_open_holdings_once(directory):
    """Issue #15: "Chức danh" opens a holding per person and position, in the row's
    unit; the same file again opens none (Law 10/2022 Art 8.1)."""
    header = ",".join(f'"{c}"' for c in (*TEMPLATE_COLUMNS, "Chức danh", "Từ ngày"))
    content = "\n".join(
        [
            header,
            "HQAAAA,Tổ dân phố 1,Số 1,Nguyễn Văn An,Chủ hộ,1970,0912345678,01/07/2025,"
            "Thành viên Ban Giám sát đầu tư của cộng đồng,05/01/2026",
            "HQAAAA,,,Trần Thị Bình,Vợ,1972,,,,",
            "HQAAAB,Tổ dân phố 2,Số 2,Lê Văn Cường,Chủ hộ,1980,,01/07/2025,"
            '"trưởng ban công tác mặt trận; convention_drafter",',
        ]
    ).encode()

    def holdings() -> list[tuple]:
        found = directory.list_holdings({"commune_id": "huong-an"})["holdings"]
        return [
            (h["unit_id"], h["position"], h["person"]["full_name"], h["person"]["household"])
            for h in found
        ]

    first = upload(directory, content)
    checked = report(directory, first, "checked")
    assert (checked["problem_count"], checked["positions"], checked["ignored_columns"]) == (
        0,
        3,
        [],
    )
    assert holdings() == []  # nothing written before it is applied
    done = apply(directory, first)
    assert (done["created"], done["holdings_opened"]) == (2, 3)
    assert sorted(holdings()) == [
        ("tdp-1", "investment_supervision", "Nguyễn Văn An", "HQAAAA"),
        ("tdp-2", "convention_drafter", "Lê Văn Cường", "HQAAAB"),
        ("tdp-2", "front_committee_head", "Lê Văn Cường", "HQAAAB"),
    ]
    an = directory.list_holdings(
        {"commune_id": "huong-an", "positions": ["investment_supervision"]}
    )
    assert an["holdings"][0]["starts_on"] == "2026-01-05"
    assert an["holdings"][0]["person"]["phone"] == "0912345678"

    again = upload(directory, content)
    assert report(directory, again, "checked")["unchanged"] == 2
    assert apply(directory, again)["holdings_opened"] == 0
    assert len(holdings()) == 3


def test_a_position_that_follows_a_staff_role_is_not_imported(directory):
    header = ",".join(f'"{c}"' for c in (*TEMPLATE_COLUMNS, "Chức danh"))
    row = "HQAAAA,Tổ dân phố 1,Số 1,Nguyễn Văn An,Chủ hộ,1970,,01/07/2025,Trưởng thôn"
    checked = report(directory, upload(directory, f"{header}\n{row}".encode()), "checked")
    assert [(p["line"], p["column"]) for p in checked["problems"]] == [(2, "Chức danh")]
    assert "cấp vai trò thay vì nhập" in checked["problems"][0]["problem"]
    assert (checked["new"], checked["invalid"]) == (0, 1)
