"""Staff pages for messages to people (thông báo): write one to a household, a group,
the whole commune, the holders of a role, a poll's participants or a training course's
(or session's) participants; see what was sent and how each delivery went; and send
again what could not be delivered.

The training pages link to the form for their course or session:
`/communes/<commune_id>/thong-bao/moi?khoa=<course_id>&buoi=<session_id>` (`buoi`
optional) opens it with that audience chosen."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import current_polls, rpc
from gateway.templating import templates
from shared.contracts.notifications import (
    AUDIENCE_FIELD,
    AUDIENCE_OPTIONAL_FIELDS,
    CHANNEL_NAMES_VI,
    DELIVERY_STATUS_VI,
    AudienceKind,
    DeliveryList,
    MessageList,
    MessageSent,
    SendMessage,
)
from shared.contracts.staff import ROLE_NAMES_VI, Role
from shared.errors import InvalidInput, NotFound, parse
from shared.i18n import _, format_number, ngettext
from shared.ids import new_id

AUDIENCE_FIELDS = (
    *AUDIENCE_FIELD.values(),
    *(field for fields in AUDIENCE_OPTIONAL_FIELDS.values() for field in fields),
)
# A message to the 30,000 households that took part in a ward-wide poll fills 30,000
# inboxes: about 10 s on the embedded server. The clerk waits for the receipt.
SEND_TIMEOUT = 60.0
MESSAGE_ROLES = (Role.GROUP_HEAD, Role.INSPECTOR, Role.COMMUNE_STAFF, Role.COMMUNE_ADMIN)
LABELS = {
    "CHANNEL_NAMES_VI": CHANNEL_NAMES_VI,
    "DELIVERY_STATUS_VI": DELIVERY_STATUS_VI,
    "ROLE_NAMES_VI": ROLE_NAMES_VI,
    "message_roles": MESSAGE_ROLES,
}


def _query(request: Request) -> dict:
    return {"actor": request.state.staff.username, "commune_id": request.path_params["commune_id"]}


@auth.staff_only
async def sent(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    reply = await rpc(request).call("notifications", "list_messages", _query(request))
    context = {
        **LABELS,
        "overview": overview,
        "messages": MessageList.model_validate(reply).messages,
    }
    return templates.TemplateResponse(request, "messages.html", context)


@auth.staff_only
async def write(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    values = {"kind": AudienceKind.UNIT.value, "unit_id": commune_id, "request_id": new_id()}
    if course_id := request.query_params.get("khoa", "").strip():  # from a training page
        values["kind"] = AudienceKind.TRAINING_PARTICIPANTS.value
        values["course_id"] = course_id
        values["session_id"] = request.query_params.get("buoi", "").strip()
    context = {
        **LABELS,
        "overview": overview,
        "polls": await current_polls(request, commune_id) or [],
        "values": values,
        "errors": {},
    }
    if request.method == "GET":
        return templates.TemplateResponse(request, "message_new.html", context)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    fields = ("kind", "title", "body", "request_id", *AUDIENCE_FIELDS)
    values.update({field: str(form.get(field, "")).strip() for field in fields})
    kind = values["kind"]
    audience = {"kind": kind}
    if kind in AUDIENCE_FIELD:  # only the fields of the chosen kind
        chosen = AudienceKind(kind)
        for field in (AUDIENCE_FIELD[chosen], *AUDIENCE_OPTIONAL_FIELDS.get(chosen, ())):
            audience[field] = values[field] or None
    try:
        command = parse(
            SendMessage,
            {
                **_query(request),
                "request_id": values["request_id"],
                "audience": audience,
                "title": values["title"],
                "body": values["body"],
            },
        )
        reply = await rpc(request).call(
            "notifications", "send_message", command.model_dump(mode="json"), timeout=SEND_TIMEOUT
        )
    except InvalidInput as refused:
        context["errors"] = _form_errors(refused, audience)
        return templates.TemplateResponse(request, "message_new.html", context, status_code=422)
    except NotFound as missing:  # a course or session code typed wrong
        if kind != AudienceKind.TRAINING_PARTICIPANTS:
            raise
        context["errors"] = {"course_id": missing.detail or missing.message}
        return templates.TemplateResponse(request, "message_new.html", context, status_code=422)
    receipt = MessageSent.model_validate(reply)
    request.session["flash"] = _receipt_line(receipt)
    return RedirectResponse(f"/communes/{commune_id}/thong-bao", status_code=303)


def _form_errors(refused: InvalidInput, audience: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, problem in refused.fields.items():
        field = name.removeprefix("audience.")
        if field in ("__root__", "audience") or name.startswith("audience.__root__"):
            field = next((f for f in AUDIENCE_FIELDS if f in audience), "kind")
            problem = _("Vui lòng cho biết gửi cho ai.")
        if field == "household":
            problem = _("Mã hộ chưa đúng: 6 ký tự, ví dụ HA7K2M.")
        if field == "course_id":
            problem = _("Vui lòng cho biết mã khóa tập huấn.")
        errors[field] = problem
    return errors


def _receipt_line(receipt: MessageSent) -> str:
    inboxes, deliveries = receipt.inboxes, receipt.deliveries
    line = ngettext("Đã gửi vào {count} hộp thư", "Đã gửi vào {count} hộp thư", inboxes).format(
        count=format_number(inboxes)
    )
    if deliveries:
        line += ngettext(
            ", {count} lượt gửi qua thư điện tử, SMS, Zalo đang được gửi",
            ", {count} lượt gửi qua thư điện tử, SMS, Zalo đang được gửi",
            deliveries,
        ).format(count=format_number(deliveries))
    if unknown := receipt.unknown_recipients:
        line += ngettext(
            "; {count} người nhận không tìm thấy (xem mục gửi không được)",
            "; {count} người nhận không tìm thấy (xem mục gửi không được)",
            unknown,
        ).format(count=format_number(unknown))
    return line + _(". Mã tin: {id}.").format(id=receipt.message_id)


@auth.staff_only
async def dead_letters(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    if request.method == "POST":
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        query = {**_query(request), "delivery_id": str(form.get("delivery_id", ""))}
        await rpc(request).call("notifications", "retry_delivery", query)
        request.session["flash"] = _("Đã đưa lại vào hàng chờ gửi.")
        return RedirectResponse(request.url.path, status_code=303)
    reply = await rpc(request).call("notifications", "list_dead_letters", _query(request))
    deliveries = DeliveryList.model_validate(reply).deliveries
    context = {**LABELS, "overview": overview, "deliveries": deliveries}
    return templates.TemplateResponse(request, "dead_letters.html", context)


routes = [
    Route("/communes/{commune_id}/thong-bao", sent, name="messages"),
    Route("/communes/{commune_id}/thong-bao/moi", write, methods=["GET", "POST"]),
    Route("/communes/{commune_id}/thong-bao/gui-khong-duoc", dead_letters, methods=["GET", "POST"]),
]
