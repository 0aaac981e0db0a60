"""The JSON API at /api/v1 on the whole stack: the ward's administrator issues a
read and a write token on the staff page, the API refuses what it must in its one
error shape, a revoked token stops at once, a write reaches the audit log, and
schemathesis fuzzes every operation of the served OpenAPI document: no server
error, every status, content type and body as documented, every error in the
documented error shape."""

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.calendar import VIETNAM
from shared.contracts.api import ApiError
from shared.contracts.disclosures import Disclosure
from tests.e2e.browsing import PASSWORD, WARD, add_staff, csrf, signed_in
from tests.support import Stack, fresh_vhost, stack_env, start_stack

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 50  # per operation: about half a minute in all
PAGE = f"/can-bo/xa/{WARD}/api"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_vhost() as amqp_uri:
        var_dir = tmp_path_factory.mktemp("var")
        running = start_stack(stack_env(amqp_uri, var_dir, PASSWORD, 5), var_dir, "--no-restart")
        yield running
        if running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="module")
def lan(stack: Stack) -> requests.Session:
    """The ward's administrator, signed in."""
    add_staff(signed_in(stack, "admin"), stack, "lan", "commune_admin")
    return signed_in(stack, "lan")


def issue(stack: Stack, admin: requests.Session, name: str, scope: str) -> str:
    page = admin.get(stack.base_url + PAGE).text
    issued = admin.post(
        stack.base_url + PAGE, data={"csrf_token": csrf(page), "name": name, "scope": scope}
    )
    assert issued.status_code == 200, issued.text[:1000]
    return re.search(r'<code id="secret">([^<]+)</code>', issued.text).group(1)


@pytest.fixture(scope="module")
def tokens(stack: Stack, lan: requests.Session) -> dict[str, str]:
    return {
        "read": issue(stack, lan, "Cổng dữ liệu tỉnh (đọc)", "read"),
        "write": issue(stack, lan, "Cổng dữ liệu tỉnh", "write"),
    }


def api(stack: Stack, method: str, path: str, token: str | None, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.base_url}/api/v1{path}", headers=headers, **kwargs)


def error_of(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:1000]
    assert response.headers["content-type"] == "application/json"
    return ApiError.model_validate(response.json()).error.model_dump()


def test_the_api_reads_the_ward_with_a_token_and_refuses_without_one(stack, tokens):
    ward = api(stack, "GET", f"/communes/{WARD}", tokens["read"]).json()
    assert (ward["household_count"], len(ward["units"])) == (170, 5)
    assert error_of(api(stack, "GET", f"/communes/{WARD}", None), 401)["code"] == "NotSignedIn"
    refused = api(stack, "GET", f"/communes/{WARD}", tokens["read"] + "x")
    assert error_of(refused, 401)["code"] == "NotSignedIn"


def test_a_read_token_may_not_write_and_a_malformed_body_names_its_fields(stack, tokens):
    body = {"code": "HA7K2M", "unit_id": "x", "address": "1 Kiệt 2", "since": "2025-07-01"}
    refused = api(stack, "POST", f"/communes/{WARD}/households", tokens["read"], json=body)
    assert error_of(refused, 403)["code"] == "Forbidden"
    malformed = api(stack, "POST", f"/communes/{WARD}/households", tokens["write"], json=body)
    error = error_of(malformed, 422)
    assert error["code"] == "InvalidInput"
    assert set(error["fields"]) == {"representative_name"}


def test_a_write_is_made_and_recorded_in_the_audit_log(stack, tokens, lan):
    unit_id = api(stack, "GET", f"/communes/{WARD}", tokens["read"]).json()["units"][0]["id"]
    record = {
        "code": "APXK2M",
        "unit_id": unit_id,
        "address": "12 Kiệt 4",
        "representative_name": "Lê Văn Tám",
        "members": [{"name": "Lê Văn Tám", "birth_year": 1970}],
        "since": "2025-07-01",
    }
    written = api(stack, "POST", f"/communes/{WARD}/households", tokens["write"], json=record)
    assert written.status_code == 200, written.text
    assert written.json()["code"] == "APXK2M"
    audit = lan.get(f"{stack.base_url}/communes/{WARD}/audit").text
    assert "APXK2M" in audit
    assert "Cổng dữ liệu tỉnh" in audit  # the token that wrote it


def test_a_disclosure_is_posted_on_the_board_by_the_api(stack, tokens):
    today = datetime.now(VIETNAM).date()
    disclosure = {
        "request_id": uuid.uuid4().hex,
        "category": 14,
        "title": "Kế hoạch ra quân làm sạch kiệt, hẻm",
        "summary": "Ra quân làm sạch kiệt, hẻm vào sáng Chủ nhật hằng tuần.",
        "decision_ref": "Kế hoạch 30/KH-UBND",
        "decision_date": today.isoformat(),
        "posted_from": today.isoformat(),
        "posted_to": (today + timedelta(days=30)).isoformat(),
        "forms": ["posting", "portal"],
    }
    posted = api(stack, "POST", f"/communes/{WARD}/disclosures", tokens["write"], json=disclosure)
    assert posted.status_code == 201, posted.text
    assert Disclosure.model_validate(posted.json()).posted_by == "lan"
    again = api(stack, "POST", f"/communes/{WARD}/disclosures", tokens["write"], json=disclosure)
    assert again.json()["id"] == posted.json()["id"]  # the same request_id posts once
    board = api(stack, "GET", f"/communes/{WARD}/disclosures", tokens["read"]).json()
    assert posted.json()["id"] in [item["id"] for item in board["disclosures"]]


def test_a_revoked_token_stops_at_once(stack, lan):
    secret = issue(stack, lan, "Thử thu hồi", "read")
    assert api(stack, "GET", "/communes", secret).status_code == 200
    page = lan.get(stack.base_url + PAGE).text
    token_id = re.search(r'action="/can-bo/xa/[^/]+/api/([0-9a-f]{32})/thu-hoi"', page).group(1)
    revoked = lan.post(
        f"{stack.base_url}{PAGE}/{token_id}/thu-hoi",
        data={"csrf_token": csrf(page)},
        allow_redirects=False,
    )
    assert revoked.status_code == 303
    assert error_of(api(stack, "GET", "/communes", secret), 401)["code"] == "NotSignedIn"


def fuzz(
    operation: APIOperation, headers: dict[str, str], statuses: dict[tuple[str, int], int]
) -> None:
    """Call `operation` with cases schemathesis makes from the document: a third on
    the token's own ward (so they reach the services), a third on any commune, a
    third negative (wrong types, missing fields, broken patterns); count the statuses."""
    ward = {"commune_id": WARD} if "{commune_id}" in operation.path else None
    cases = (
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ward)
        | operation.as_strategy(GenerationMode.POSITIVE)
        | operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure can be run again
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def conforms(case: Case) -> None:
        response = case.call(headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS)
        seen = (operation.label, response.status_code)
        statuses[seen] = statuses.get(seen, 0) + 1
        if response.status_code >= 400:
            ApiError.model_validate(response.json())  # the one documented error shape

    conforms()


def test_every_operation_conforms_to_the_served_document(stack, tokens):
    schema = schemathesis.openapi.from_url(f"{stack.base_url}/api/v1/openapi.json")
    schema.validate()  # a valid OpenAPI 3.1 document
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    headers = {"Authorization": f"Bearer {tokens['write']}"}
    statuses: dict[tuple[str, int], int] = {}

    for operation in operations:
        fuzz(operation, headers, statuses)
    answered = {label for label, status in statuses if status < 300}
    assert len(answered) >= 7, statuses  # the ward's own data was read, not only refused
