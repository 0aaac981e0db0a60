"""Staff pages for webhooks: a commune's administrator (or the province administrator,
for the province and each commune of it) registers the HTTPS endpoints of a
provincial or commune system and the public events each wants, sees its secret
once, rotates it, deletes an endpoint, reads the delivery log and tries its dead
letters again. The webhooks
service checks every permission; a page reads the form, sends it, shows the answer."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.webhooks import (
    DELIVERY_STATUS_VI,
    EVENT_TYPE_NAMES_VI,
    DeliveryLog,
    ListDeliveries,
    ListWebhooks,
    RegisterWebhook,
    RetryDelivery,
    ScopeKind,
    WebhookEventType,
    WebhookList,
    WebhookRef,
    WebhookSecret,
)
from shared.errors import InvalidInput, NotFound, parse
from shared.i18n import _

PREFIX = {ScopeKind.COMMUNE: "/can-bo/xa", ScopeKind.PROVINCE: "/can-bo/tinh"}
LABELS = {"EVENT_TYPE_NAMES_VI": EVENT_TYPE_NAMES_VI, "DELIVERY_STATUS_VI": DELIVERY_STATUS_VI}
NO_STORE = {"Cache-Control": "no-store"}  # a page showing a secret is kept by no cache


def _kind(request: Request) -> ScopeKind:
    return ScopeKind.PROVINCE if request.url.path.startswith("/can-bo/tinh/") else ScopeKind.COMMUNE


def _here(request: Request) -> str:
    return f"{PREFIX[_kind(request)]}/{request.path_params['scope_id']}/webhooks"


async def _scope(request: Request) -> dict:
    """The commune or province the page is about: its id, name and kind."""
    scope_id, kind = request.path_params["scope_id"], _kind(request)
    if kind == ScopeKind.COMMUNE:
        overview = await directory.commune_overview(rpc(request), scope_id)
        province = overview.province
        return {"id": scope_id, "name": overview.commune.name, "kind": kind,
                "province": province}  # fmt: skip
    communes = (await directory.communes(rpc(request))).communes
    member = next((c for c in communes if c.parent_id == scope_id), None)
    if member is None:
        raise NotFound()
    overview = await directory.commune_overview(rpc(request), member.id)
    name = overview.province.name if overview.province else scope_id
    return {"id": scope_id, "name": name, "kind": kind, "province": None}


def _page(request: Request, name: str, context: dict, status: int = 200, **kw) -> Response:
    context = {**LABELS, "here": _here(request), **context}
    return templates.TemplateResponse(request, name, context, status_code=status, **kw)


async def _listing(request: Request, scope: dict, values: dict, errors: dict) -> dict:
    query = ListWebhooks(actor=request.state.staff.username, scope_id=scope["id"])
    reply = await rpc(request).call("webhooks", "list_webhooks", query.model_dump())
    return {
        "scope": scope,
        "webhooks": WebhookList.model_validate(reply).webhooks,
        "event_types": list(WebhookEventType),
        "values": values,
        "errors": errors,
    }


@auth.staff_only
async def webhooks(request: Request) -> Response:
    """The scope's endpoints and the form to register one; the secret after it."""
    scope = await _scope(request)
    if request.method == "GET":
        values = {"event_types": [t.value for t in WebhookEventType], "url": ""}
        return _page(request, "webhooks.html", await _listing(request, scope, values, {}))
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = {
        "url": str(form.get("url", "")).strip(),
        "description": str(form.get("description", "")).strip(),
        "event_types": [str(v) for v in form.getlist("event_types")],
    }
    errors = {}
    if not values["event_types"]:
        errors["event_types"] = _("Vui lòng chọn ít nhất một loại sự kiện.")
    if not values["url"]:
        errors["url"] = _("Vui lòng nhập địa chỉ nhận (https://...).")
    if not errors:
        try:
            command = parse(
                RegisterWebhook,
                {"actor": request.state.staff.username, "scope_id": scope["id"], **values},
            )
            reply = await rpc(request).call(
                "webhooks", "register_webhook", command.model_dump(mode="json")
            )
        except InvalidInput as refused:
            errors = refused.fields or {"url": str(refused)}
        else:
            shown = WebhookSecret.model_validate(reply)
            context = {"scope": scope, "shown": shown, "rotated": False}
            return _page(request, "webhooks_secret.html", context, headers=NO_STORE)
    context = await _listing(request, scope, values, errors)
    return _page(request, "webhooks.html", context, status=422)


@auth.staff_only
async def rotate(request: Request) -> Response:
    scope = await _scope(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    command = WebhookRef(
        actor=request.state.staff.username, webhook_id=request.path_params["webhook_id"]
    )
    reply = await rpc(request).call("webhooks", "rotate_secret", command.model_dump())
    context = {"scope": scope, "shown": WebhookSecret.model_validate(reply), "rotated": True}
    return _page(request, "webhooks_secret.html", context, headers=NO_STORE)


@auth.staff_only
async def delete(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    command = WebhookRef(
        actor=request.state.staff.username, webhook_id=request.path_params["webhook_id"]
    )
    await rpc(request).call("webhooks", "delete_webhook", command.model_dump())
    request.session["flash"] = _("Đã xóa địa chỉ nhận; các sự kiện chưa gửi sẽ không gửi nữa.")
    return RedirectResponse(_here(request), status_code=303)


async def _deliveries(request: Request, scope_id: str, dead_only: bool) -> list:
    query = ListDeliveries(
        actor=request.state.staff.username, scope_id=scope_id, dead_only=dead_only
    )
    reply = await rpc(request).call("webhooks", "list_deliveries", query.model_dump())
    return DeliveryLog.model_validate(reply).deliveries


@auth.staff_only
async def deliveries(request: Request) -> Response:
    """The delivery log and the dead letters, each with "try again"."""
    scope = await _scope(request)
    actor = request.state.staff.username
    if request.method == "POST":
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        command = RetryDelivery(actor=actor, delivery_id=str(form.get("delivery_id", "")))
        await rpc(request).call("webhooks", "retry_delivery", command.model_dump())
        request.session["flash"] = _("Đã đưa lại vào hàng chờ gửi.")
        return RedirectResponse(request.url.path, status_code=303)
    recent, dead = await asyncio.gather(
        _deliveries(request, scope["id"], dead_only=False),
        _deliveries(request, scope["id"], dead_only=True),
    )
    return _page(
        request, "webhooks_deliveries.html", {"scope": scope, "recent": recent, "dead": dead}
    )


routes = [
    route
    for prefix in PREFIX.values()
    for route in (
        Route(prefix + "/{scope_id}/webhooks", webhooks, methods=["GET", "POST"]),
        Route(prefix + "/{scope_id}/webhooks/gui", deliveries, methods=["GET", "POST"]),
        Route(prefix + "/{scope_id}/webhooks/{webhook_id}/doi-khoa", rotate, methods=["POST"]),
        Route(prefix + "/{scope_id}/webhooks/{webhook_id}/xoa", delete, methods=["POST"]),
    )
]
