"""The pages that rename, merge and split units, and the commune page's history of
them, with a fake RPC port in place of the directory."""

import re

import pytest

from shared.errors import InvalidInput
from tests.samples import PROVINCE, WARD
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, group, sign_in

MERGE = {
    "id": "c1",
    "kind": "merge",
    "commune_id": "huong-an",
    "on": "2026-01-01",
    "from_unit_ids": ["tdp-0"],
    "to_unit_ids": ["tổ-dân-phố-1"],
    "decision": "Nghị quyết số 12/NQ-HĐND",
    "actor": "minh",
}
SPLIT_LATER = {
    **MERGE,
    "id": "c2",
    "kind": "split",
    "on": "2099-01-01",
    "from_unit_ids": ["tổ-dân-phố-2"],
    "to_unit_ids": ["c2-1", "c2-2"],
}
NAMES = {
    "tdp-0": "Tổ dân phố cũ",
    "tổ-dân-phố-1": "Tổ dân phố 1",
    "tổ-dân-phố-2": "Tổ dân phố 2",
    "c2-1": "Tổ 2A",
    "c2-2": "Tổ 2B",
}


@pytest.fixture
def directory(rpc: FakeRpc) -> FakeRpc:
    """A ward with one current group, one that a recorded split will end, and one
    merged away; the change RPCs answer as the directory would."""
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
    rpc.answer("directory", "list_households", lambda query: {"households": []})

    def changed(payload: dict) -> dict:
        successor = {**group(payload.get("name") or "Tổ 1A", 0)["unit"], "id": "new"}
        succession = {
            **MERGE,
            "from_unit_ids": payload.get("unit_ids") or [payload["unit_id"]],
            "on": payload["on"],
        }
        return {"succession": succession, "units": [successor]}

    for method in ("rename_unit", "merge_units", "split_unit"):
        rpc.answer("directory", method, changed)
    return rpc


def refusing(directory: FakeRpc, method: str, field: str, message: str) -> None:
    def refuse(payload: dict) -> None:
        raise InvalidInput(fields={field: message})

    directory.answer("directory", method, refuse)


def post(client, path: str, **fields):
    page = client.get(path).text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    data = {"csrf_token": csrf_of(page), "request_id": request_id, "on": "2026-01-01"}
    return client.post(path, data={**data, "decision": "NQ số 12/NQ-HĐND", **fields})


def test_the_commune_page_tells_what_became_of_former_and_scheduled_units(client, directory):
    html = client.get("/communes/huong-an").text
    assert "Thôn, tổ dân phố trước đây" in html
    assert "Sáp nhập vào Tổ dân phố 1 từ 01/01/2026" in html
    assert "Sẽ chia thành Tổ 2A, Tổ 2B từ 01/01/2099" in html
    assert "/units/merge" not in html  # visitors are offered no changes


def test_staff_who_may_edit_are_offered_each_change(client, directory):
    sign_in(client)
    html = client.get("/communes/huong-an").text
    assert 'href="/communes/huong-an/units/merge"' in html
    assert 'href="/communes/huong-an/units/tổ-dân-phố-1/rename"' in html
    # a unit whose end is already decided is not offered another change
    assert "/units/tổ-dân-phố-2/split" not in html
    assert client.get("/communes/huong-an/units/tổ-dân-phố-2/split").status_code == 404


def test_a_rename_goes_to_the_directory_and_is_confirmed_on_the_commune_page(client, directory):
    sign_in(client)
    response = post(client, "/communes/huong-an/units/tổ-dân-phố-1/rename", name="Tổ Hòa Bình")
    assert response.status_code == 303
    [(payload,)] = directory.calls_to("directory", "rename_unit")
    assert (payload["unit_id"], payload["name"], payload["local_label"]) == (
        "tổ-dân-phố-1",
        "Tổ Hòa Bình",
        None,
    )
    assert (
        "Đã đổi tên Tổ dân phố 1 thành Tổ Hòa Bình từ ngày 01/01/2026."
        in client.get("/communes/huong-an").text
    )


def test_a_missing_decision_is_shown_beside_its_field_and_nothing_is_sent(client, directory):
    sign_in(client)
    path = "/communes/huong-an/units/tổ-dân-phố-1/rename"
    response = post(client, path, name="Tổ Hòa Bình", decision="")
    assert response.status_code == 422
    assert '<p class="error" id="decision-error">Vui lòng điền mục này.</p>' in response.text
    assert 'value="Tổ Hòa Bình"' in response.text
    assert directory.calls_to("directory", "rename_unit") == []


def test_a_change_form_without_its_csrf_token_is_refused(client, directory):
    sign_in(client)
    response = client.post("/communes/huong-an/units/merge", data={"unit_ids": ["a", "b"]})
    assert response.status_code == 403
    assert directory.calls_to("directory", "merge_units") == []


def test_a_merge_sends_the_ticked_units_and_shows_the_directorys_refusal(client, directory):
    refusing(directory, "merge_units", "name", "Đã có đơn vị tên “Tổ 1” trong cùng thời gian.")
    sign_in(client)
    response = post(
        client,
        "/communes/huong-an/units/merge",
        unit_ids=["tổ-dân-phố-1", "tdp-9"],
        into_unit_id="",
        name="Tổ 1",
    )
    assert response.status_code == 422
    assert "trong cùng thời gian" in response.text
    assert 'value="tổ-dân-phố-1" checked' in response.text
    [(payload,)] = directory.calls_to("directory", "merge_units")
    assert (payload["unit_ids"], payload["into_unit_id"]) == (["tổ-dân-phố-1", "tdp-9"], None)


def split_path() -> str:
    return "/communes/huong-an/units/tổ-dân-phố-1/split"


def test_a_split_form_grows_a_row_without_javascript_and_keeps_what_was_typed(client, directory):
    sign_in(client)
    response = post(
        client,
        split_path(),
        part_count="2",
        action="add_part",
        **{"parts.0.name": "Tổ 1A", "parts.0.household_codes": "HAAAA2"},
    )
    assert response.status_code == 200
    assert 'name="parts.2.name"' in response.text
    assert 'value="Tổ 1A"' in response.text and ">HAAAA2</textarea>" in response.text
    assert directory.calls_to("directory", "split_unit") == []


def test_a_split_sends_each_parts_codes_as_typed_or_pasted(client, directory):
    sign_in(client)
    response = post(
        client,
        split_path(),
        part_count="3",
        **{
            "parts.0.name": "Tổ 1A",
            "parts.0.household_codes": "haaaa2, HAAAA3\nHAAAA4",
            "parts.1.name": "Tổ 1B",
            "parts.1.household_codes": "HBBBB2;HBBBB3",
        },
    )
    assert response.status_code == 303
    [(payload,)] = directory.calls_to("directory", "split_unit")
    assert [(p["name"], p["household_codes"]) for p in payload["parts"]] == [
        ("Tổ 1A", ["HAAAA2", "HAAAA3", "HAAAA4"]),
        ("Tổ 1B", ["HBBBB2", "HBBBB3"]),
    ]  # the empty third row was left out


def test_a_bad_household_code_is_shown_on_its_parts_box(client, directory):
    sign_in(client)
    response = post(
        client,
        split_path(),
        **{
            "parts.0.name": "Tổ 1A",
            "parts.0.household_codes": "HAAAA2",
            "parts.1.name": "Tổ 1B",
            "parts.1.household_codes": "HAAAA3 HA0O",
        },
    )
    assert response.status_code == 422
    assert 'id="parts-1-household_codes-error">Có mã hộ không hợp lệ' in response.text
    assert directory.calls_to("directory", "split_unit") == []


def test_households_left_out_of_a_split_are_listed_above_the_form(client, directory):
    refusing(directory, "split_unit", "parts", "Còn 1 hộ của Tổ dân phố 1 chưa được chia: HAAAA4.")
    sign_in(client)
    response = post(
        client,
        split_path(),
        **{"parts.0.name": "Tổ 1A", "parts.1.name": "Tổ 1B"},
    )
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "HAAAA4" in summary
