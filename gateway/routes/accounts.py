"""A commune's staff and their roles: administrators add accounts; the People's
Inspection Board sees the list. The directory service decides who may do what."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.staff import (
    ROLE_NAMES_VI,
    AccountList,
    CreateAccount,
    ListAccounts,
    Role,
    StaffAccount,
)
from shared.errors import Conflict, InvalidInput, parse

FORM_FIELDS = ("username", "full_name", "password", "role", "unit_id")
OFFERED_ROLES = (Role.COMMUNE_STAFF, Role.COMMUNE_ADMIN, Role.GROUP_HEAD, Role.INSPECTOR)


@auth.staff_only
async def staff_of_commune(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    actor: StaffAccount = request.state.staff
    listed = AccountList.model_validate(
        await rpc(request).call(
            "directory",
            "list_accounts",
            ListAccounts(actor=actor.username, commune_id=commune_id).model_dump(),
        )
    )
    values = dict.fromkeys(FORM_FIELDS, "") | {"role": Role.COMMUNE_STAFF.value}
    context = {
        "overview": overview,
        "accounts": listed.accounts,
        "values": values,
        "errors": {},
        "roles": OFFERED_ROLES,
        "role_names": ROLE_NAMES_VI,
    }
    if request.method == "GET":
        return templates.TemplateResponse(request, "accounts.html", context)

    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values.update({field: str(form.get(field, "")).strip() for field in FORM_FIELDS})
    unit_id = values["unit_id"] if values["role"] == Role.GROUP_HEAD else commune_id
    try:
        command = parse(
            CreateAccount,
            {
                "actor": actor.username,
                "username": values["username"],
                "full_name": values["full_name"],
                "password": values["password"],
                "roles": [{"role": values["role"], "unit_id": unit_id}],
            },
        )
        await rpc(request).call("directory", "create_account", command.model_dump(mode="json"))
    except (InvalidInput, Conflict) as refused:
        values["password"] = ""  # never echoed back
        context["errors"] = refused.fields or {"__root__": refused.detail or refused.message_vi}
        return templates.TemplateResponse(
            request, "accounts.html", context, status_code=refused.http_status
        )
    request.session["flash"] = f"Đã tạo tài khoản {command.username}."
    return RedirectResponse(request.url_for("accounts", commune_id=commune_id), status_code=303)


routes = [
    Route(
        "/communes/{commune_id}/staff", staff_of_commune, methods=["GET", "POST"], name="accounts"
    )
]
