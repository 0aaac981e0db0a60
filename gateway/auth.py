"""Staff sign-in and CSRF protection.

The directory service checks passwords and keeps sessions (so signing out, or
an expired or revoked session, takes effect at once); the signed session
cookie only carries the session id and the CSRF token. Every form carries the
per-session CSRF token, checked on every POST.
"""

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.rpc import RpcClient
from shared.contracts.staff import SessionRef, SignIn, StaffAccount, StaffSession
from shared.errors import Forbidden, NotSignedIn
from shared.i18n import _

Endpoint = Callable[[Request], Awaitable[Response]]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: object) -> None:
    expected = request.session.get("csrf", "")
    if not (expected and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)):
        raise Forbidden(_("Phiên làm việc đã hết hạn. Vui lòng tải lại trang và gửi lại."))


def _rpc(request: Request) -> RpcClient:
    return request.app.state.rpc


async def current_staff(request: Request) -> StaffAccount | None:
    """The signed-in staff member, asked of the directory once per request."""
    if not hasattr(request.state, "staff"):
        request.state.staff = None
        session_id = request.session.get("session_id")
        if session_id:
            try:
                reply = await _rpc(request).call(
                    "directory", "check_session", SessionRef(session_id=session_id).model_dump()
                )
                request.state.staff = StaffSession.model_validate(reply).account
            except NotSignedIn:
                request.session.pop("session_id", None)
    return request.state.staff


async def sign_in(request: Request, username: str, password: str) -> None:
    """Open a session, or raise NotSignedIn / AccountLocked / InvalidInput."""
    reply = await _rpc(request).call(
        "directory", "sign_in", SignIn(username=username, password=password).model_dump()
    )
    session = StaffSession.model_validate(reply)
    request.session.clear()  # nothing from before sign-in carries over
    request.session["session_id"] = session.session_id
    request.state.staff = session.account
    csrf_token(request)


async def sign_out(request: Request) -> None:
    session_id = request.session.get("session_id")
    if session_id:
        await _rpc(request).call("directory", "sign_out", {"session_id": session_id})
    request.session.clear()


def staff_only(endpoint: Endpoint) -> Endpoint:
    """Send visitors who are not signed in to the sign-in page, then back."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if await current_staff(request) is None:
            return RedirectResponse(f"/staff/sign-in?next={request.url.path}", status_code=303)
        return await endpoint(request)

    return guarded


def may_edit(request: Request, commune_id: str, change: bool = False) -> bool:
    """Whether the signed-in official may change the commune's records (its staff);
    Forbidden to one who may not even read them (an inspector may read; with
    `change`, Forbidden to whoever may not change them)."""
    staff = request.state.staff
    allowed = staff.works_in(commune_id)
    if not (allowed or (not change and staff.oversees(commune_id))):
        raise Forbidden()
    return allowed
