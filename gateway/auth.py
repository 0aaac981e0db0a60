"""Staff sign-in and CSRF protection.

Until the directory holds staff accounts, one bootstrap administrator signs in
with DANBAN_ADMIN_PASSWORD (generated for local runs, required in production).
Every form carries a per-session CSRF token, checked on every POST.
"""

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shared.errors import Forbidden

BOOTSTRAP_ADMIN = "admin"

Endpoint = Callable[[Request], Awaitable[Response]]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: object) -> None:
    expected = request.session.get("csrf", "")
    if not (expected and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)):
        raise Forbidden("Phiên làm việc đã hết hạn. Vui lòng tải lại trang và gửi lại.")


def signed_in_staff(request: Request) -> str | None:
    return request.session.get("staff")


def password_matches(request: Request, username: str, password: str) -> bool:
    expected = request.app.state.settings.admin_password
    return bool(expected) and hmac.compare_digest(
        f"{BOOTSTRAP_ADMIN}\0{expected}".encode(), f"{username}\0{password}".encode()
    )


def sign_in(request: Request, username: str) -> None:
    request.session.clear()  # nothing from before sign-in carries over
    request.session["staff"] = username
    csrf_token(request)


def staff_only(endpoint: Endpoint) -> Endpoint:
    """Send visitors who are not signed in to the sign-in page, then back."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if signed_in_staff(request) is None:
            return RedirectResponse(f"/staff/sign-in?next={request.url.path}", status_code=303)
        return await endpoint(request)

    return guarded
