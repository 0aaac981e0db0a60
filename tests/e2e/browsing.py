"""What the end-to-end journeys do in a browser: read a form's tokens, sign in,
add a staff account."""

import re

import requests

from tests.support import Stack

PASSWORD = "mật-khẩu-e2e-đủ-dài"
WARD = "demo-huong-an"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(stack: Stack, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.base_url}/staff/sign-in").text
    response = session.post(
        f"{stack.base_url}/staff/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf(page), "next": "/"},
        allow_redirects=False,
    )
    assert response.status_code == 303
    return session


def add_staff(
    admin: requests.Session, stack: Stack, username: str, role: str, unit_id: str = ""
) -> None:
    page = admin.get(f"{stack.base_url}/communes/{WARD}/staff").text
    created = admin.post(
        f"{stack.base_url}/communes/{WARD}/staff",
        data={
            "csrf_token": csrf(page),
            "full_name": username.title(),
            "username": username,
            "password": PASSWORD,
            "role": role,
            "unit_id": unit_id,
        },
        allow_redirects=False,
    )
    assert created.status_code == 303, created.text[:1000]
