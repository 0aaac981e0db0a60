"""Inboxes (hộp thư): a household's, reached with its code, and an official's, reached
by signing in. Each lists the newest messages with the unread count, opens one
(which marks it read), marks all read, and sets how its owner wants to be reached
besides the inbox (email, SMS, Zalo) and in which language.

A household's code is kept in its session cookie once typed, so it is not in any
URL or log; "Thoát" forgets it. Every form carries the session's CSRF token.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth
from gateway.routes.ballots import client_key
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.households import HouseholdRef
from shared.contracts.notifications import (
    CHANNEL_NAMES_VI,
    Channel,
    Inbox,
    InboxItem,
    Owner,
    Preferences,
    PreferencesForm,
)
from shared.errors import InvalidInput, NotFound, parse
from shared.i18n import N_, _

BAD_CODE = N_("Mã hộ chưa đúng: 6 ký tự in trên phiếu hoặc giấy báo của hộ, ví dụ HA7K2M.")
RESIDENT, STAFF = "/hop-thu", "/can-bo/hop-thu"
PREFERENCE_FIELDS = ("email", "phone", "zalo_user_id", "language")
PREFERENCE_ERRORS = {
    "email": N_("Địa chỉ thư điện tử chưa đúng, ví dụ: ten@example.com."),
    "phone": N_("Số điện thoại chưa đúng: 10 chữ số, bắt đầu bằng 0."),
    "zalo_user_id": N_("Mã người dùng Zalo chỉ gồm chữ số (xem trong ứng dụng Zalo)."),
    "__root__": N_(
        "Mỗi cách nhận đã chọn cần có địa chỉ: thư điện tử, số điện thoại hoặc mã Zalo."
    ),
}

OwnerOf = Callable[[Request], Awaitable[Owner | None]]


async def household_of(request: Request) -> Owner | None:
    code = request.session.get("household")
    return Owner(household=code) if code else None


async def official_of(request: Request) -> Owner | None:
    staff = await auth.current_staff(request)
    return Owner(username=staff.username) if staff else None


def _start_over(base: str) -> Response:
    target = base if base == RESIDENT else f"/staff/sign-in?next={base}"
    return RedirectResponse(target, status_code=303)


def _context(base: str, owner: Owner, **more: object) -> dict:
    return {"base": base, "owner": owner, "CHANNEL_NAMES_VI": CHANNEL_NAMES_VI, **more}


async def _inbox(request: Request, owner: Owner, client_key: str | None = None) -> Inbox:
    query = {"owner": owner.model_dump(), "client_key": client_key}
    return Inbox.model_validate(await rpc(request).call("notifications", "open_inbox", query))


def inbox_page(base: str, owner_of: OwnerOf) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        owner = await owner_of(request)
        if owner is None:
            if base == STAFF:
                return _start_over(base)
            return templates.TemplateResponse(
                request, "inbox_code.html", {"typed": "", "error": None}
            )
        context = _context(base, owner, inbox=await _inbox(request, owner))
        return templates.TemplateResponse(request, "inbox.html", context)

    return page


async def enter_code(request: Request) -> Response:
    """A household opens its inbox with its code (kept in its session from then on)."""
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    typed = str(form.get("code", "")).strip()
    try:
        owner = Owner(household=parse(HouseholdRef, {"code": typed}).code)
    except InvalidInput:
        return _code_refused(request, typed, _(BAD_CODE), 422)
    try:  # the directory must know the household; wrong codes count against the sender
        await _inbox(request, owner, client_key(request))
    except (InvalidInput, NotFound) as refused:
        return _code_refused(request, typed, refused.detail, refused.http_status)
    request.session["household"] = owner.household
    return RedirectResponse(RESIDENT, status_code=303)


def _code_refused(request: Request, typed: str, error: str, status: int) -> Response:
    context = {"typed": typed, "error": error}
    return templates.TemplateResponse(request, "inbox_code.html", context, status_code=status)


async def leave(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    request.session.pop("household", None)
    return RedirectResponse(RESIDENT, status_code=303)


def item_page(base: str, owner_of: OwnerOf) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        owner = await owner_of(request)
        if owner is None:
            return _start_over(base)
        query = {"owner": owner.model_dump(), "item_id": request.path_params["item_id"]}
        item = InboxItem.model_validate(
            await rpc(request).call("notifications", "read_item", query)
        )
        return templates.TemplateResponse(
            request, "inbox_item.html", _context(base, owner, item=item)
        )

    return page


def mark_all_read(base: str, owner_of: OwnerOf) -> Callable[[Request], Awaitable[Response]]:
    async def action(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        owner = await owner_of(request)
        if owner is None:
            return _start_over(base)
        await rpc(request).call("notifications", "mark_all_read", {"owner": owner.model_dump()})
        request.session["flash"] = _("Đã đánh dấu tất cả tin là đã đọc.")
        return RedirectResponse(base, status_code=303)

    return action


def preferences_page(base: str, owner_of: OwnerOf) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        owner = await owner_of(request)
        if owner is None:
            return _start_over(base)
        offered = PreferencesForm.model_validate(
            await rpc(request).call("notifications", "get_preferences", owner.model_dump())
        )
        if request.method == "GET":
            saved = offered.preferences
            values = {f: getattr(saved, f) or "" for f in PREFERENCE_FIELDS}
            values["channels"] = list(saved.channels)
            return _preferences_form(request, base, owner, values, {}, offered.available)
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        values = {f: str(form.get(f, "")).strip() for f in PREFERENCE_FIELDS}
        values["channels"] = [c for c in form.getlist("channels") if c in set(Channel)]
        try:
            chosen = parse(Preferences, {"owner": owner.model_dump(), **values})
            payload = chosen.model_dump(mode="json")
            await rpc(request).call("notifications", "save_preferences", payload)
        except InvalidInput as refused:  # also a channel the commune cannot send by
            errors = _preference_errors(refused)
            return _preferences_form(request, base, owner, values, errors, offered.available)
        request.session["flash"] = _("Đã lưu cách nhận thông báo.")
        return RedirectResponse(base, status_code=303)

    return page


def _preference_errors(refused: InvalidInput) -> dict[str, str]:
    """What is wrong with each field, said for this form."""
    return {
        "channels" if field == "__root__" else field: _(PREFERENCE_ERRORS.get(field, problem))
        for field, problem in refused.fields.items()
    }


def _preferences_form(
    request: Request,
    base: str,
    owner: Owner,
    values: dict,
    errors: dict,
    available: list[Channel],
) -> Response:
    context = _context(base, owner, values=values, errors=errors, channels=available)
    return templates.TemplateResponse(
        request, "inbox_preferences.html", context, status_code=422 if errors else 200
    )


def _inbox_routes(base: str, owner_of: OwnerOf, name: str) -> list[Route]:
    return [
        Route(base, inbox_page(base, owner_of), name=name),
        Route(f"{base}/tin/{{item_id}}", item_page(base, owner_of), name=f"{name}_item"),
        Route(f"{base}/da-doc", mark_all_read(base, owner_of), methods=["POST"]),
        Route(f"{base}/cai-dat", preferences_page(base, owner_of), methods=["GET", "POST"]),
    ]


routes = [
    Route(RESIDENT, enter_code, methods=["POST"]),
    Route(f"{RESIDENT}/thoat", leave, methods=["POST"]),
    *_inbox_routes(RESIDENT, household_of, "household_inbox"),
    *_inbox_routes(STAFF, official_of, "staff_inbox"),
]
