"""Staff pages: sign in and out, add a residential unit to a commune."""

from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.directory import (
    AddResidentialUnit,
    AdministrativeUnit,
    UnitKind,
)
from shared.errors import AccountLocked, Conflict, InvalidInput, NotSignedIn, parse
from shared.i18n import _
from shared.ids import new_id

UNIT_FORM_FIELDS = ("kind", "name", "local_label", "valid_from", "request_id")


def safe_next(target: str | None) -> str:
    """Only go back to a page of this site after sign-in (no open redirect)."""
    # "//host" and "/\\host" are other sites to a browser
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


async def sign_in(request: Request) -> Response:
    context = {"next": safe_next(request.query_params.get("next")), "error": None, "username": ""}
    if request.method == "GET":
        return templates.TemplateResponse(request, "sign_in.html", context)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    context.update(next=safe_next(str(form.get("next", ""))), username=username)
    try:
        await auth.sign_in(request, username, password)
    except (NotSignedIn, AccountLocked, InvalidInput) as refused:
        wrong = refused.http_status if refused.http_status != 422 else 401
        context["error"] = (
            refused.message
            if isinstance(refused, AccountLocked)
            else _("Tên đăng nhập hoặc mật khẩu không đúng.")
        )
        return templates.TemplateResponse(request, "sign_in.html", context, status_code=wrong)
    return RedirectResponse(context["next"], status_code=303)


async def sign_out(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    await auth.sign_out(request)
    return RedirectResponse("/", status_code=303)


@auth.staff_only
async def add_residential_unit(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    values = {
        "kind": UnitKind.RESIDENTIAL_GROUP.value,
        "name": "",
        "local_label": "",
        "valid_from": date.today().isoformat(),
        "request_id": new_id(),
    }
    context = {"overview": overview, "values": values, "errors": {}}
    if request.method == "GET":
        return templates.TemplateResponse(request, "unit_new.html", context)

    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values.update({field: str(form.get(field, "")).strip() for field in UNIT_FORM_FIELDS})
    try:
        command = parse(
            AddResidentialUnit,
            {
                **values,
                "commune_id": commune_id,
                "local_label": values["local_label"] or None,
                "actor": request.state.staff.username,
            },
        )
        reply = await rpc(request).call(
            "directory", "add_residential_unit", command.model_dump(mode="json")
        )
    except (InvalidInput, Conflict) as exc:
        context["errors"] = exc.fields or {"__root__": exc.detail or exc.message}
        return templates.TemplateResponse(
            request, "unit_new.html", context, status_code=exc.http_status
        )
    unit = AdministrativeUnit.model_validate(reply)
    request.session["flash"] = _("Đã thêm “{unit}” vào {commune}.").format(
        unit=unit.name, commune=overview.commune.name
    )
    return RedirectResponse(request.url_for("commune", commune_id=commune_id), status_code=303)


routes = [
    Route("/staff/sign-in", sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/staff/sign-out", sign_out, methods=["POST"], name="sign_out"),
    Route(
        "/communes/{commune_id}/units/new",
        add_residential_unit,
        methods=["GET", "POST"],
        name="add_residential_unit",
    ),
]
