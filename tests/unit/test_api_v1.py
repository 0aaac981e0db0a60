"""The JSON API at /api/v1 (gateway/routes/api_v1.py) and its OpenAPI document
(gateway/openapi.py), with fake services in the FakeRpc port: tokens checked on
every call, every refusal in the one error shape, writes recorded."""

import jsonschema
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from gateway.routes.api_v1 import OPERATIONS, openapi_document
from shared.contracts.api import ApiError
from shared.contracts.surveys import Poll, PollResults
from shared.errors import Forbidden, NotSignedIn
from tests.samples import sample_poll
from tests.unit.fake_rpc import FakeRpc
from tests.unit.feedback_support import fake_feedback

API = "/api/v1"
READ, WRITE = "danban_read-secret", "danban_write-secret"
TOKENS = {READ: ("a" * 32, "read"), WRITE: ("b" * 32, "write")}
DISCLOSURE = {
    "request_id": "a" * 32,
    "category": 5,
    "title": "Quỹ khuyến học năm 2026",
    "summary": "Thu chi quỹ khuyến học.",
    "decision_ref": "Quyết định 12/QĐ-UBND",
    "decision_date": "2026-12-01",
    "posted_from": "2026-12-02",
    "posted_to": "2027-01-02",
    "forms": ["posting"],
}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def tokens(rpc: FakeRpc) -> FakeRpc:
    """A read and a write token of huong-an, checked as the directory checks them."""

    def check(query: dict) -> dict:
        if query["secret"] not in TOKENS:
            raise NotSignedIn("Mã truy cập API không đúng hoặc đã bị thu hồi.")
        token_id, scope = TOKENS[query["secret"]]
        if query["commune_id"] not in (None, "huong-an"):
            raise Forbidden("Mã truy cập API này chỉ dùng được cho dữ liệu của xã, phường đã cấp.")
        if query["scope"] == "write" and scope == "read":
            raise Forbidden("Mã truy cập API này chỉ được đọc, không được ghi.")
        return {"token_id": token_id, "commune_id": "huong-an", "scope": scope, "acting_as": "lan"}

    rpc.answer("directory", "check_api_token", check)
    rpc.answer("directory", "record_api_write", lambda note: {"recorded": True})
    return rpc


def closed_poll_results(commune_id: str = "huong-an") -> PollResults:
    return PollResults(
        poll=Poll.model_validate(sample_poll(status="closed", commune_id=commune_id)),
        total_households=40,
        participated={"paper": 21},
        units=[],
        totals={"q1": {"dong-y": {"paper": 21}}},
        ratings={},
        free_text={},
        outcome=None,
        paper_tallies=[],
        meetings=[],
        frozen=True,
        computed_at="2026-03-08T10:01:00Z",
        seal="0" * 64,
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    ApiError.model_validate(response.json())  # the one documented shape
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


# --- the document -------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1_served_without_a_token(client):
    served = client.get(f"{API}/openapi.json")
    assert served.status_code == 200
    document = served.json()
    jsonschema.Draft202012Validator(OPENAPI_31).validate(document)
    assert document == openapi_document()
    assert document["openapi"] == "3.1.0"
    assert document["security"] == [{"token": []}]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_every_operation_is_described_from_its_contracts_with_the_one_error_shape():
    document = openapi_document()
    error = {"$ref": "#/components/schemas/ApiError"}
    for operation in OPERATIONS:
        described = document["paths"][f"{API}{operation.path}"][operation.method.lower()]
        assert described["operationId"] == operation.name
        responses = described["responses"]
        schema = responses[str(operation.status)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{operation.response.__name__}"}
        errors = {status for status in responses if int(status) >= 400}
        assert {"401", "503"} <= errors
        for status in errors:
            assert responses[status]["content"]["application/json"]["schema"] == error
        if operation.body:
            assert "422" in errors and "requestBody" in described


def test_query_parameters_come_from_the_contract_and_are_never_null():
    document = openapi_document()
    parameters = document["paths"][f"{API}/communes/{{commune_id}}/petition-figures"]["get"][
        "parameters"
    ]
    by_name = {parameter["name"]: parameter for parameter in parameters}
    assert by_name["commune_id"]["in"] == "path" and by_name["commune_id"]["required"]
    assert by_name["year"]["schema"] == {
        "type": "integer",
        "minimum": 2020,
        "maximum": 2100,
        "title": "Year",
    }
    assert not by_name["month"]["required"]
    assert "FiguresParams" not in document["components"]["schemas"]


# --- refusals -------------------------------------------------------------------------


def test_a_call_without_a_token_is_refused_401_in_the_error_shape(client, tokens):
    response = client.get(f"{API}/communes")
    error = assert_error(response, 401, "NotSignedIn")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in error["detail"]
    assert not tokens.calls_to("directory", "check_api_token")  # nothing to check
    assert_error(
        client.get(f"{API}/communes", headers={"Authorization": "Basic x"}), 401, "NotSignedIn"
    )


def test_an_unknown_or_revoked_token_is_refused_401(client, tokens):
    response = client.get(f"{API}/communes", headers=bearer("danban_revoked"))
    error = assert_error(response, 401, "NotSignedIn")
    assert error["detail"] == "Mã truy cập API không đúng hoặc đã bị thu hồi."


def test_a_read_only_token_may_not_write_and_nothing_is_written(client, tokens):
    response = client.post(
        f"{API}/communes/huong-an/disclosures", json=DISCLOSURE, headers=bearer(READ)
    )
    assert_error(response, 403, "Forbidden")
    assert tokens.calls_to("directory", "check_api_token")[-1][0]["scope"] == "write"
    assert not tokens.calls_to("notifications", "post_disclosure")


def test_a_token_of_one_commune_reads_nothing_of_another(client, tokens):
    response = client.get(f"{API}/communes/kim-long", headers=bearer(READ))
    assert_error(response, 403, "Forbidden")
    assert not tokens.calls_to("directory", "get_commune_overview")


def test_a_malformed_body_is_422_with_the_fields_named(client, tokens):
    body = {**DISCLOSURE, "title": " ", "forms": [], "category": 99}
    del body["decision_date"]
    response = client.post(f"{API}/communes/huong-an/disclosures", json=body, headers=bearer(WRITE))
    error = assert_error(response, 422, "InvalidInput")
    assert set(error["fields"]) == {"title", "forms", "category", "decision_date"}
    assert error["fields"]["decision_date"] == "Vui lòng điền mục này."


def test_a_body_that_is_not_a_json_object_is_422(client, tokens):
    url = f"{API}/communes/huong-an/households"
    for content in (b"{not json", b"[1, 2]"):
        response = client.post(url, content=content, headers=bearer(WRITE))
        assert "body" in assert_error(response, 422, "InvalidInput")["fields"]


def test_a_bad_query_parameter_is_422_with_its_name(client, tokens):
    url = f"{API}/communes/huong-an/petition-figures"
    response = client.get(url, params={"month": "13"}, headers=bearer(READ))
    assert set(assert_error(response, 422, "InvalidInput")["fields"]) == {"month"}


def test_an_unknown_path_and_a_service_down_keep_the_error_shape(client, tokens):
    assert_error(client.get(f"{API}/nowhere", headers=bearer(READ)), 404, "NotFound")
    response = client.get(f"{API}/communes/huong-an/honour-board", headers=bearer(READ))
    error = assert_error(response, 503, "ServiceUnavailable")  # no recognition service here
    assert error["detail"] == ""  # names no host


def test_errors_speak_english_when_asked(client, tokens):
    response = client.get(f"{API}/communes", headers={"Accept-Language": "en"})
    error = assert_error(response, 401, "NotSignedIn")
    assert error["detail"].startswith("An API token of the commune or ward is needed")


# --- reads and writes -------------------------------------------------------------------


def test_a_commune_is_read_with_its_units_and_households(client, tokens):
    body = client.get(f"{API}/communes/huong-an", headers=bearer(READ)).json()
    assert body["household_count"] == 34 + 1207
    assert [(unit["name"], unit["household_count"]) for unit in body["units"]] == [
        ("Tổ dân phố 1", 34),
        ("Tổ dân phố 2", 1207),
    ]
    assert client.get(f"{API}/communes", headers=bearer(READ)).json()["communes"][0]["id"] == (
        "huong-an"
    )


def test_a_polls_frozen_results_are_read_as_the_public_reads_them(client, tokens):
    results = closed_poll_results()
    tokens.answer("surveys", "get_results", lambda query: results.model_dump(mode="json"))
    url = f"{API}/communes/huong-an/polls/{results.poll.id}/results"
    response = client.get(url, headers=bearer(READ))
    assert response.status_code == 200
    assert response.json()["total_households"] == results.total_households
    assert tokens.calls_to("surveys", "get_results")[0][0]["actor"] is None


def test_a_polls_results_of_another_commune_are_not_found(client, tokens):
    moved = closed_poll_results(commune_id="kim-long")
    tokens.answer("surveys", "get_results", lambda query: moved.model_dump(mode="json"))
    url = f"{API}/communes/huong-an/polls/{moved.poll.id}/results"
    assert_error(client.get(url, headers=bearer(READ)), 404, "NotFound")


def test_petitions_come_a_page_at_a_time_with_a_cursor(client, tokens):
    fake_feedback(tokens)
    url = f"{API}/communes/huong-an/petitions"
    first = client.get(url, headers=bearer(READ)).json()
    assert len(first["petitions"]) == 1 and first["next_cursor"] == "2"
    client.get(url, params={"cursor": first["next_cursor"]}, headers=bearer(READ))
    assert tokens.calls_to("feedback", "list_public_cases")[-1][0]["page"] == 2


def test_training_coverage_gives_counts_without_names(client, tokens):
    row = {
        "unit_id": "huong-an",
        "unit_name": "Phường Hương An",
        "position": "group_head",
        "holders": 5,
        "trained": 3,
        "target_percent": 80,
        "missing": [{"person_id": "p1", "full_name": "Nguyễn Văn Bình"}],
    }
    coverage = {
        "commune_id": "huong-an",
        "year": 2026,
        "as_of": "2026-12-06",
        "targets_set_on": None,
        "targets": [],
        "rows": [row],
        "totals": [row],
    }
    tokens.answer("training", "coverage", lambda query: coverage)
    response = client.get(f"{API}/communes/huong-an/training-coverage", headers=bearer(READ))
    assert response.status_code == 200
    assert "Nguyễn Văn Bình" not in response.text
    assert response.json()["rows"][0]["trained"] == 3
    assert tokens.calls_to("training", "coverage")[0][0]["actor"] == "lan"


def test_a_write_is_made_as_the_tokens_issuer_and_recorded_with_the_token(client, tokens):
    def post(command: dict) -> dict:
        return {
            **{k: v for k, v in command.items() if k not in ("actor", "request_id")},
            "id": "d1",
            "loudspeaker_days": None,
            "late_reason": None,
            "replaces": None,
            "permanent": False,
            "deadline": "2026-12-08",
            "late": False,
            "posted_by": command["actor"],
            "posted_at": "2026-12-02T01:00:00Z",
        }

    tokens.answer("notifications", "post_disclosure", post)
    response = client.post(
        f"{API}/communes/huong-an/disclosures", json=DISCLOSURE, headers=bearer(WRITE)
    )
    assert response.status_code == 201, response.text
    assert response.json()["posted_by"] == "lan"
    (note,) = tokens.calls_to("directory", "record_api_write")
    assert note[0] == {
        "token_id": "b" * 32,
        "operation": "POST /api/v1/communes/huong-an/disclosures",
        "target": "d1",
    }


def test_a_household_must_be_in_one_of_the_communes_units(client, tokens):
    record = {
        "code": "HAAAA2",
        "unit_id": "tdp-99",
        "address": "12 Kiệt 4",
        "representative_name": "Lê Văn Tám",
        "since": "2025-07-01",
    }
    response = client.post(
        f"{API}/communes/huong-an/households", json=record, headers=bearer(WRITE)
    )
    assert set(assert_error(response, 422, "InvalidInput")["fields"]) == {"unit_id"}
    assert not tokens.calls_to("directory", "register_household")
