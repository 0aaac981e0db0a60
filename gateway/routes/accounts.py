"""A commune's staff and their roles: administrators add accounts and grant and
revoke roles; the People's Inspection Board sees the list. The directory
service decides who may do what; the page only decides what to offer."""

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.staff import (
    ROLE_NAMES_VI,
    AccountList,
    ChangeRole,
    CreateAccount,
    ListAccounts,
    Role,
    StaffAccount,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import N_, _

ACCOUNT_FIELDS = ("username", "full_name", "password", "role", "unit_id", "province_id")
ROLE_FIELDS = ("username", "role", "unit_id", "province_id")
OFFERED_ROLES = (Role.COMMUNE_STAFF, Role.COMMUNE_ADMIN, Role.GROUP_HEAD, Role.INSPECTOR)
SYSTEM_ADMIN_ROLES = (Role.PROVINCE_ADMIN,)  # offered to the system administrator only
REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound)  # shown on the page, beside the form


async def _page(
    request: Request,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The staff page; after a refusal, the form that was sent (named after its
    RPC: create_account, grant_role, revoke_role) with its values and the reasons."""
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    actor: StaffAccount = request.state.staff
    query = ListAccounts(actor=actor.username, commune_id=commune_id)
    listed = AccountList.model_validate(
        await rpc(request).call("directory", "list_accounts", query.model_dump())
    )
    # a province administrator is chosen among the provinces (the commune's)
    provinces = [overview.province] if overview.province and actor.is_system_admin else []
    blank = dict.fromkeys(ACCOUNT_FIELDS, "") | {"role": Role.COMMUNE_STAFF.value}
    blank["province_id"] = provinces[0].id if provinces else ""
    shown = {"create_account": blank, "grant_role": blank}
    if form and values:
        shown[form] = values
    context = {
        "overview": overview,
        "accounts": listed.accounts,
        "may_manage": actor.manages_staff_of(commune_id),
        "values": shown,
        "refused_form": form,
        "errors": errors or {},
        "roles": OFFERED_ROLES + (SYSTEM_ADMIN_ROLES if actor.is_system_admin else ()),
        "role_names": ROLE_NAMES_VI,
        "provinces": provinces,
    }
    return templates.TemplateResponse(request, "accounts.html", context, status_code=status_code)


async def _submitted(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    return {field: str(form.get(field, "")).strip() for field in fields}


def _grant(values: dict[str, str], commune_id: str) -> dict[str, str]:
    """The role a form names: a group head's on the chosen unit, a province
    administrator's on the chosen province, others' on the commune."""
    unit_id = {
        Role.GROUP_HEAD: values["unit_id"],
        Role.PROVINCE_ADMIN: values["province_id"],
    }.get(values["role"], commune_id)
    return {"role": values["role"], "unit_id": unit_id}


async def _change(
    request: Request,
    method: str,
    values: dict[str, str],
    contract: type[CreateAccount] | type[ChangeRole],
    payload: dict[str, Any],
    done: str,
) -> Response:
    """Ask the directory's `method` for the change; then back to the page with `done`
    (filled with the username and role name) as the flash message, or the page
    again with the refusal beside the form that was sent."""
    try:
        command = parse(contract, {"actor": request.state.staff.username, **payload})
        await rpc(request).call("directory", method, command.model_dump(mode="json"))
    except REFUSALS as refused:
        errors = refused.fields or {"__root__": refused.detail or refused.message}
        if values["role"] == Role.PROVINCE_ADMIN and "unit_id" in errors:
            errors["province_id"] = errors.pop("unit_id")  # beside the province chosen
        kept = values | {"password": ""}  # never echoed back
        return await _page(request, method, kept, errors, refused.http_status)
    role = _(ROLE_NAMES_VI[Role(values["role"])])
    request.session["flash"] = _(done).format(username=command.username, role=role)
    commune_id = request.path_params["commune_id"]
    return RedirectResponse(request.url_for("accounts", commune_id=commune_id), status_code=303)


@auth.staff_only
async def staff_of_commune(request: Request) -> Response:
    if request.method == "GET":
        return await _page(request)
    values = await _submitted(request, ACCOUNT_FIELDS)
    account = {field: values[field] for field in ("username", "full_name", "password")}
    account["roles"] = [_grant(values, request.path_params["commune_id"])]
    done = N_("Đã tạo tài khoản {username}.")
    return await _change(request, "create_account", values, CreateAccount, account, done)


def _role_change(method: str, done: str) -> auth.Endpoint:
    """The endpoint of a form that grants or revokes (`method`) one role."""

    @auth.staff_only
    async def change_role(request: Request) -> Response:
        values = await _submitted(request, ROLE_FIELDS)
        grant = _grant(values, request.path_params["commune_id"])
        change = {"username": values["username"], "grant": grant}
        return await _change(request, method, values, ChangeRole, change, done)

    return change_role


routes = [
    Route(
        "/communes/{commune_id}/staff", staff_of_commune, methods=["GET", "POST"], name="accounts"
    ),
    Route(
        "/communes/{commune_id}/staff/grant",
        _role_change("grant_role", N_("Đã cấp vai trò {role} cho {username}.")),
        methods=["POST"],
        name="grant_role",
    ),
    Route(
        "/communes/{commune_id}/staff/revoke",
        _role_change("revoke_role", N_("Đã thu hồi vai trò {role} của {username}.")),
        methods=["POST"],
        name="revoke_role",
    ),
]
