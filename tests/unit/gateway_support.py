"""The gateway with a fake RPC port in place of the broker, for page tests:
sample accounts, a fake directory that answers sign-in and commune pages, and
helpers to sign in and read forms. The fixtures are in conftest.py."""

import re

from starlette.testclient import TestClient

from gateway.app import create_app
from shared.config import SERVICE_NAMES, Settings
from shared.errors import AccountLocked, NotSignedIn
from tests.samples import PROVINCE, WARD
from tests.unit.fake_rpc import FakeRpc

PASSWORD = "mật-khẩu-thử-nghiệm"
ACCOUNTS = {
    name: {"username": name, "full_name": name.title(), "roles": roles}
    for name, roles in {
        "minh": [{"role": "commune_staff", "unit_id": "huong-an"}],
        "tuan": [{"role": "commune_staff", "unit_id": "kim-long"}],
        "locked": [{"role": "commune_staff", "unit_id": "huong-an"}],
        "lan": [{"role": "commune_admin", "unit_id": "huong-an"}],
        "hoa": [{"role": "inspector", "unit_id": "huong-an"}],
    }.items()
}


def group(name: str, count: int) -> dict:
    unit = {
        "id": name.lower().replace(" ", "-"),
        "kind": "residential_group",
        "name": name,
        "parent_id": "huong-an",
        "local_label": "tổ dân phố",
        "valid_from": "2025-07-01",
    }
    return {"unit": unit, "household_count": count}


def fake_directory() -> FakeRpc:
    fake = FakeRpc()
    fake.answer("directory", "list_communes", lambda: {"communes": [WARD]})
    fake.answer(
        "directory",
        "get_commune_overview",
        lambda query: {
            "commune": WARD,
            "province": PROVINCE,
            "residential_units": [group("Tổ dân phố 1", 34), group("Tổ dân phố 2", 1207)],
        },
    )
    fake.answer(
        "directory",
        "add_residential_unit",
        lambda payload: {
            "id": "new",
            "kind": payload["kind"],
            "name": payload["name"],
            "parent_id": "huong-an",
            "local_label": "tổ dân phố",
            "valid_from": payload["valid_from"],
        },
    )
    fake.answer("notifications", "list_staff_notices", lambda query: {"notices": []})
    sessions: dict[str, dict] = {}

    def sign_in(command: dict) -> dict:
        account = ACCOUNTS.get(command["username"])
        if account is None or command["password"] != PASSWORD:
            raise NotSignedIn()
        if account["username"] == "locked":
            raise AccountLocked()
        session_id = f"s{len(sessions):0>42}"
        sessions[session_id] = account
        return {"session_id": session_id, "account": account, "expires_at": "2030-01-01T00:00:00Z"}

    def check_session(ref: dict) -> dict:
        if ref["session_id"] not in sessions:
            raise NotSignedIn()
        return {**ref, "account": sessions[ref["session_id"]], "expires_at": "2030-01-01T00:00:00Z"}

    fake.answer("directory", "sign_in", sign_in)
    fake.answer("directory", "check_session", check_session)
    fake.answer("directory", "sign_out", lambda ref: sessions.pop(ref["session_id"], None))
    fake.answer("surveys", "list_polls", lambda query: {"polls": []})
    fake.answer("feedback", "list_audit", lambda query: {"entries": []})
    fake.answer("training", "list_audit", lambda query: {"entries": []})
    fake.answer("recognition", "list_audit", lambda query: {"entries": []})
    fake.answer("webhooks", "list_audit", lambda query: {"entries": []})
    for service in SERVICE_NAMES:
        fake.answer(service, "health", lambda s=service: {"service": s, "database_up": True})
    return fake


def gateway_client(rpc: FakeRpc) -> TestClient:
    return TestClient(create_app(Settings(secret_key="s" * 40), rpc), follow_redirects=False)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, username: str = "minh") -> None:
    token = csrf_of(client.get("/staff/sign-in").text)
    response = client.post(
        "/staff/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303
