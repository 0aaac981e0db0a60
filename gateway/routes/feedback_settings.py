"""Staff pages that set up feedback in a commune: its categories (what residents
choose from), and its citizen reception: the weekly schedule it publishes, with the
Chairman at least one day a week (Citizen Reception Law 2013 Art 15), and the
sessions held.

A form's empty rows are ignored, and the rows sent come first when the form is shown
again, so a refusal for "categories.1.name" is beside the second row on the page."""

import unicodedata
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import call, categories, page, parse_command, refusal, text
from gateway.routes.feedback import WEEKDAYS_VI
from gateway.routes.pages import rpc
from shared.calendar import vietnam_day
from shared.contracts.feedback import (
    CommuneQuery,
    ListReceptions,
    Receptions,
    ReceptionSchedule,
    ReceptionSession,
    RecordReception,
    SaveCategories,
    SaveReceptionSchedule,
)
from shared.errors import Conflict, InvalidInput
from shared.i18n import _, format_day, ngettext
from shared.ids import new_id

ROWS_ADDED = 3  # empty rows offered under the saved ones
MOST_ROWS = 60  # what a form may send (SaveCategories takes 40, a schedule 20)
SLOT_FIELDS = ("weekday", "starts", "ends", "place", "receiver")


def _actor(request: Request) -> str:
    return request.state.staff.username


def _rows(form: FormData, prefix: str, fields: tuple[str, ...], checkbox: str) -> list[dict]:
    """The rows the form sent, `prefix.<i>.<field>`, as many as its row_count says."""
    count = text(form, "row_count")
    count = min(int(count), MOST_ROWS) if count.isdigit() else 0
    return [
        {field: text(form, f"{prefix}.{i}.{field}") for field in fields}
        | {checkbox: form.get(f"{prefix}.{i}.{checkbox}") == "yes"}
        for i in range(count)
    ]


def slug(name: str) -> str:
    """A category's key from its name: "Đường sá, giao thông" → "duong-sa-giao-thong"."""
    ascii_d = name.replace("đ", "d").replace("Đ", "D")  # i18n-exempt: letters, not a message
    plain = unicodedata.normalize("NFKD", ascii_d)
    plain = plain.encode("ascii", "ignore").decode().lower()
    words = "".join(char if char.isalnum() else " " for char in plain).split()
    return "-".join(words)[:32].strip("-")


# --- categories -----------------------------------------------------------------


@auth.staff_only
async def categories_page(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    blank = {"key": "", "name": "", "active": True, "saved": False}
    saved = (await categories(request, commune_id)).categories
    rows = [{"key": c.key, "name": c.name, "active": c.active, "saved": True} for c in saved]

    def shown(rows: list[dict], errors: dict, status_code: int = 200) -> Response:
        context = {"overview": overview, "rows": rows + [blank] * ROWS_ADDED, "errors": errors}
        return page(request, "feedback_categories.html", context, status_code)

    if request.method == "GET":
        return shown(rows, {})
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    sent = _rows(form, "categories", ("key", "name", "saved"), "active")
    rows = [
        {**row, "key": row["key"] or slug(row["name"]), "saved": row["saved"] == "yes"}
        for row in sent
        if row["key"] or row["name"]
    ]
    listed = [{key: row[key] for key in ("key", "name", "active")} for row in rows]
    payload = {"actor": _actor(request), "commune_id": commune_id, "categories": listed}
    try:
        await call(request, "save_categories", parse_command(SaveCategories, payload, {}))
    except (InvalidInput, Conflict) as refused:
        return shown(rows, refusal(refused), refused.http_status)
    request.session["flash"] = ngettext(
        "Đã lưu {count} lĩnh vực.", "Đã lưu {count} lĩnh vực.", len(rows)
    ).format(count=len(rows))
    return RedirectResponse(request.url.path, status_code=303)


# --- citizen reception ----------------------------------------------------------


def _this_year() -> int:
    return vietnam_day(datetime.now(UTC)).year


def _blank_session() -> dict[str, Any]:
    today = vietnam_day(datetime.now(UTC))
    return {
        "request_id": new_id(),
        "day": today.isoformat(),
        "received_by": "",
        "by_chairman": False,
        "citizens_seen": "",
        "notes": "",
    }


@auth.staff_only
async def reception_page(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = CommuneQuery(commune_id=commune_id)
    schedule = ReceptionSchedule.model_validate(
        await call(request, "get_reception_schedule", query)
    )
    slots = [slot.model_dump() | {"weekday": str(slot.weekday)} for slot in schedule.slots]
    blank_slot = dict.fromkeys(SLOT_FIELDS, "") | {"by_chairman": False}
    session = _blank_session()

    async def shown(errors: dict, status_code: int = 200) -> Response:
        held = ListReceptions(actor=_actor(request), commune_id=commune_id, year=_this_year())
        sessions = Receptions.model_validate(await call(request, "list_receptions", held))
        context = {
            "overview": overview,
            "schedule": schedule,
            "slots": slots + [blank_slot] * ROWS_ADDED,
            "session": session,
            "sessions": sorted(sessions.sessions, key=lambda held: held.day, reverse=True),
            "errors": errors,
            "WEEKDAYS_VI": WEEKDAYS_VI,
            "year": _this_year(),
        }
        return page(request, "feedback_reception.html", context, status_code)

    if request.method == "GET":
        return await shown({})
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    try:
        if text(form, "part") == "session":
            session = {name: text(form, name) for name in session} | {
                "by_chairman": form.get("by_chairman") == "yes"
            }
            part = "session"
            held = await _record_session(request, commune_id, session)
            done = _("Đã ghi nhận buổi tiếp công dân ngày {day}.").format(day=format_day(held.day))
        else:
            part = "schedule"
            sent = _rows(form, "slots", SLOT_FIELDS, "by_chairman")
            slots = [s for s in sent if any(s[f] for f in ("starts", "ends", "place", "receiver"))]
            payload = {"actor": _actor(request), "commune_id": commune_id, "slots": slots}
            command = parse_command(SaveReceptionSchedule, payload, {})
            await call(request, "save_reception_schedule", command)
            done = _("Đã lưu lịch tiếp công dân.")
    except (InvalidInput, Conflict) as refused:
        errors = {f"{part}.{key}": message for key, message in refusal(refused).items()}
        return await shown(errors, refused.http_status)
    request.session["flash"] = done
    return RedirectResponse(request.url.path, status_code=303)


async def _record_session(
    request: Request, commune_id: str, values: dict[str, Any]
) -> ReceptionSession:
    payload = {
        **values,
        "actor": _actor(request),
        "commune_id": commune_id,
        "day": values["day"] or None,
        "citizens_seen": values["citizens_seen"] or 0,
    }
    command = parse_command(RecordReception, payload, {})
    return ReceptionSession.model_validate(await call(request, "record_reception", command))


COMMUNE = "/staff/communes/{commune_id}/feedback"
routes = [
    Route(
        COMMUNE + "/categories",
        categories_page,
        methods=["GET", "POST"],
        name="feedback_categories",
    ),
    Route(
        COMMUNE + "/reception", reception_page, methods=["GET", "POST"], name="feedback_reception"
    ),
]
