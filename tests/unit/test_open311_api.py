"""The Open311 GeoReport v2 API (gateway/routes/open311.py) with a fake feedback
service in the FakeRpc port (tests/unit/feedback_support.py)."""

import pytest

from gateway.wrong_codes import WrongCodes
from shared.errors import TooManyRequests
from tests.unit.fake_rpc import FakeRpc
from tests.unit.feedback_support import CASE_ID, CODE, answered_case, fake_feedback

API = "/api/open311/v2"


@pytest.fixture
def feedback(rpc: FakeRpc) -> dict:
    return fake_feedback(rpc)


def test_discovery_names_the_specification_and_json_only(client):
    found = client.get(f"{API}/discovery.json").json()
    (endpoint,) = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/api/open311/v2")
    assert endpoint["formats"] == ["application/json"]


def test_services_are_the_communes_active_categories(client, feedback):
    services = client.get(f"{API}/services.json", params={"jurisdiction_id": "huong-an"}).json()
    assert [service["service_code"] for service in services] == ["lighting", "roads"]
    assert services[0] == {
        "service_code": "lighting",
        "service_name": "Chiếu sáng công cộng",
        "description": "Chiếu sáng công cộng",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "Phản ánh, kiến nghị",
    }


def test_a_service_definition_has_no_attributes_and_an_unknown_one_is_404(client, feedback):
    query = {"jurisdiction_id": "huong-an"}
    assert client.get(f"{API}/services/lighting.json", params=query).json() == {
        "service_code": "lighting",
        "attributes": [],
    }
    unknown = client.get(f"{API}/services/old.json", params=query)  # retired
    assert unknown.status_code == 404
    assert unknown.json()[0]["code"] == 404


def test_errors_are_open311_lists_with_the_http_status(client, feedback):
    response = client.get(f"{API}/services.json")
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "jurisdiction_id: Cần jurisdiction_id: mã của xã, phường."}
    ]


def test_a_request_posted_as_a_form_files_a_case_and_answers_201(client, feedback):
    description = "Đèn đường trước nhà số 15 kiệt 12 không sáng từ tuần trước, rất tối. " * 2
    response = client.post(
        f"{API}/requests.json",
        data={
            "jurisdiction_id": "huong-an",
            "service_code": "lighting",
            "description": description,
            "lat": "16.4637",
            "long": "107.5909",
            "address_string": "Số 15 kiệt 12",
            "first_name": "Hoa",
            "last_name": "Lê Thị",
            "phone": "0912345678",
            "device_id": "abc",
        },
    )
    assert response.status_code == 201
    (reply,) = response.json()
    assert reply["service_request_id"] == CODE and reply["account_id"] is None
    assert "15/12/2026" in reply["service_notice"]
    sent = feedback["sent"]["file_case"]
    assert (
        sent.title
        == "Đèn đường trước nhà số 15 kiệt 12 không sáng từ tuần trước, rất tối. Đèn đường…"
    )
    assert sent.text == description.strip()
    assert (sent.place.latitude, sent.place.longitude) == (16.4637, 107.5909)
    assert sent.place.address == "Số 15 kiệt 12" and sent.contact.name == "Hoa Lê Thị"


def test_a_json_request_with_media_url_is_told_the_media_is_not_fetched(client, feedback):
    response = client.post(
        f"{API}/requests.json",
        json={
            "jurisdiction_id": "huong-an",
            "service_code": "roads",
            "title": "Ổ gà trước chợ",
            "description": "Ổ gà lớn trước chợ, xe máy dễ ngã.",
            "media_url": "https://example.com/o-ga.jpg",
        },
    )
    assert response.status_code == 201
    assert "media_url không được tải về" in response.json()[0]["service_notice"]
    assert feedback["sent"]["file_case"].title == "Ổ gà trước chợ"


def test_a_retry_with_the_same_key_makes_the_same_request_id_and_others_do_not(
    client, feedback, rpc
):
    data = {
        "jurisdiction_id": "huong-an",
        "service_code": "roads",
        "description": "Ổ gà lớn trước chợ, xe máy dễ ngã.",
    }
    client.post(f"{API}/requests.json", data=data, headers={"Idempotency-Key": "k-1"})
    client.post(f"{API}/requests.json", data={**data, "request_id": "k-1"})
    client.post(f"{API}/requests.json", data=data)
    first, again, unkeyed = (
        call[0]["request_id"] for call in rpc.calls_to("feedback", "file_case")
    )
    assert first == again != unkeyed
    assert len(first) == 32 and first != "k-1"


def test_a_refused_request_names_the_open311_parameters(client, feedback, rpc):
    response = client.post(
        f"{API}/requests.json",
        data={
            "jurisdiction_id": "huong-an",
            "service_code": "roads",
            "description": "Ổ gà",
            "lat": "x",
        },
    )
    assert response.status_code == 400
    descriptions = [error["description"] for error in response.json()]
    assert any(text.startswith("description: ") for text in descriptions)
    assert any(text.startswith("lat: ") for text in descriptions)
    assert not rpc.calls_to("feedback", "file_case")


def test_requests_refused_for_flooding_are_429(client, feedback, rpc):
    def refuse(payload: dict) -> None:
        raise TooManyRequests("Đã nhận 10 phản ánh từ bạn trong giờ này.")

    rpc.answer("feedback", "file_case", refuse)
    data = {
        "jurisdiction_id": "huong-an",
        "service_code": "roads",
        "description": "Ổ gà lớn trước chợ.",
    }
    refused = client.post(f"{API}/requests.json", data=data)
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429
    client.app.state.filings = WrongCodes(limit=0, window=3600.0)
    assert client.post(f"{API}/requests.json", data=data).status_code == 429


def test_a_request_reads_as_the_public_case_page_shows_it(client, rpc):
    fake_feedback(rpc, answered_case())
    (found,) = client.get(f"{API}/requests/{CODE.lower()}.json").json()
    assert found["service_request_id"] == CODE
    assert found["status"] == "closed"
    assert found["status_notes"] == "Đã thay bóng đèn ngày 05/12."
    assert (found["service_code"], found["service_name"]) == ("lighting", "Chiếu sáng công cộng")
    assert found["agency_responsible"] == "UBND Phường Hương An"
    assert found["requested_datetime"] == "2026-12-01T09:00:00+07:00"
    assert found["updated_datetime"] == "2026-12-05T10:00:00+07:00"
    assert found["address"] == "Tổ dân phố 1"
    assert "media_url" not in found


def test_an_open_request_expects_its_next_deadline(client, feedback):
    (found,) = client.get(f"{API}/requests/{CODE}.json").json()
    assert found["status"] == "open"
    assert found["expected_datetime"] == "2026-12-15T23:59:59+07:00"


def test_an_unknown_request_is_an_open311_404(client, feedback):
    response = client.get(f"{API}/requests/PA-22222222.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_the_request_list_is_the_public_list_named_by_case_id(client, feedback, rpc):
    found = client.get(
        f"{API}/requests.json",
        params={"jurisdiction_id": "huong-an", "service_code": "lighting", "page": "2"},
    ).json()
    assert rpc.calls_to("feedback", "list_public_cases")[-1][0] == {
        "commune_id": "huong-an",
        "category": "lighting",
        "unit_id": None,
        "page": 2,
    }
    assert [request["service_request_id"] for request in found] == [CASE_ID]
