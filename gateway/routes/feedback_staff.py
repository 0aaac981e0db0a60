"""Staff pages for feedback cases: the dashboard of what is due first, the list of
cases, one case with its deadlines and timeline and the forms that move it on
(triage, split, transfer, start, extend, answer, close), who filed it (shown only
on request: the feedback service writes each view of a denouncer's identity to the
audit log, Denunciation Law 2018 Art 47-48), and filing a case on a resident's
behalf, e.g. at a citizen reception.

The feedback service checks permissions and the law; a page reads the form, sends
it, and shows each refusal beside its field, keeping what was typed."""

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import (
    FILES_LOST,
    blank_filing,
    call,
    categories,
    file_case,
    files_chosen,
    filing_page,
    filing_values,
    page,
    page_number,
    parse_command,
    read_uploads,
    refusal,
    stored_file,
    text,
    unit_names,
)
from gateway.routes.pages import rpc
from shared.calendar import vietnam_day
from shared.contracts.feedback import (
    ATTACHMENTS_PER_ANSWER,
    PHOTOS_PER_CASE,
    AnswerCase,
    CaseList,
    CaseRef,
    CloseCase,
    Dashboard,
    DashboardQuery,
    ExtendCase,
    Identity,
    ListCases,
    ListReceptions,
    PhotoRef,
    Receptions,
    ReceptionSession,
    SplitCase,
    SplitResult,
    StaffCase,
    StoredFile,
    TransferCase,
    TriageCase,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, parse
from shared.i18n import N_, _, ngettext, translate

LIST_FILTERS = ("unit_id", "status", "type", "assignee", "due")
DUE_VI = {"overdue": N_("Quá hạn"), "soon": N_("Sắp đến hạn")}
SPLIT_ROWS = 3  # parts offered on the form; SplitCase takes 2 to 5
PART_FIELDS = ("type", "title", "text")
SPLIT_TOO_FEW = N_("Tách thành ít nhất 2 phần: điền loại, tiêu đề và nội dung của từng phần.")
# Each form of the case page: its RPC method, its command, what it says when done.
ACTIONS = {
    "triage": ("triage_case", TriageCase, N_("Đã phân loại vụ việc.")),
    "split": ("split_case", SplitCase, N_("Đã tách đơn thành các vụ việc.")),
    "transfer": ("transfer_case", TransferCase, N_("Đã chuyển vụ việc.")),
    "start": ("start_handling", CaseRef, N_("Đã chuyển sang đang giải quyết.")),
    "extend": ("extend_case", ExtendCase, N_("Đã gia hạn giải quyết.")),
    "answer": ("answer_case", AnswerCase, N_("Đã trả lời; người gửi xem được câu trả lời.")),
    "close": ("close_case", CloseCase, N_("Đã kết thúc vụ việc.")),
}
TEXT_FIELDS = {
    "triage": ("type", "complexity", "handling_unit_id", "assignee", "note"),
    "split": (),
    "transfer": ("to_unit_id", "to_assignee", "to_body", "reason"),
    "start": (),
    "extend": ("reason",),
    "answer": ("text",),
    "close": ("note",),
}
CHECKBOXES = {"triage": ("remote_area", "accept")}
NONE_WHEN_EMPTY = {"handling_unit_id", "assignee", "to_unit_id", "to_assignee", "to_body"}


def _actor(request: Request) -> str:
    return request.state.staff.username


def _today() -> date:
    return vietnam_day(datetime.now(UTC))


# --- what is due, and the list ----------------------------------------------------


@auth.staff_only
async def dashboard(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    unit_id = request.query_params.get("unit_id") or None
    query = parse(
        DashboardQuery, {"actor": _actor(request), "commune_id": commune_id, "unit_id": unit_id}
    )
    board = Dashboard.model_validate(await call(request, "dashboard", query))
    context = {"overview": overview, "board": board, "unit_names": unit_names(overview)}
    return page(request, "feedback_dashboard.html", context)


@auth.staff_only
async def case_list(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    chosen = {key: request.query_params.get(key) or None for key in LIST_FILTERS}
    query = parse(
        ListCases,
        {
            "actor": _actor(request),
            "commune_id": commune_id,
            **chosen,
            "page": page_number(request),
        },
    )
    listed = CaseList.model_validate(await call(request, "list_cases", query))
    context = {
        "overview": overview,
        "listed": listed,
        "chosen": chosen,
        "filters": urlencode({key: value for key, value in chosen.items() if value}),
        "unit_names": unit_names(overview),
        "DUE_VI": DUE_VI,
    }
    return page(request, "feedback_cases.html", context)


# --- one case -------------------------------------------------------------------


async def _case(request: Request) -> StaffCase:
    ref = CaseRef(actor=_actor(request), case_id=request.path_params["case_id"])
    return StaffCase.model_validate(await call(request, "get_case", ref))


def _blank_parts(count: int) -> list[dict[str, str]]:
    return [dict.fromkeys(PART_FIELDS, "") for _part in range(count)]


def _blank_forms(case: StaffCase) -> dict[str, dict[str, Any]]:
    """What each form of the case page shows first."""
    return {
        "triage": {
            "type": case.type or "",
            "complexity": case.complexity,
            "remote_area": case.remote_area,
            "handling_unit_id": case.handling_unit_id or "",
            "assignee": case.assignee or "",
            "accept": True,
            "note": "",
        },
        "split": {"parts": _blank_parts(SPLIT_ROWS)},
        "transfer": dict.fromkeys(TEXT_FIELDS["transfer"], ""),
        "extend": {"reason": ""},
        "answer": {"text": case.answer_text or ""},
        "close": {"note": ""},
    }


async def _case_page(
    request: Request,
    case: StaffCase,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The case; after a refusal, that `form` open with its `values` and `errors`."""
    overview, offered = await asyncio.gather(
        directory.commune_overview(rpc(request), case.commune_id),
        categories(request, case.commune_id),
    )
    forms = _blank_forms(case)
    if form:
        forms[form] = values or {}
    names = {category.key: translate(category.name) for category in offered.categories}
    context = {
        "case": case,
        "overview": overview,
        "unit_names": unit_names(overview),
        "category_name": names.get(case.category, case.category),
        "forms": forms,
        "open_form": form,
        "errors": {f"{form}.{key}": message for key, message in (errors or {}).items()},
    }
    return page(request, "feedback_staff_case.html", context, status_code)


@auth.staff_only
async def case_page(request: Request) -> Response:
    return await _case_page(request, await _case(request))


def _values_of(action: str, form: FormData) -> dict[str, Any]:
    if action == "split":
        parts = [
            {key: text(form, f"parts.{i}.{key}") for key in PART_FIELDS} for i in range(SPLIT_ROWS)
        ]
        filled = [part for part in parts if any(part.values())]  # first, so errors match rows
        return {"parts": filled + _blank_parts(SPLIT_ROWS - len(filled))}
    values: dict[str, Any] = {name: text(form, name) for name in TEXT_FIELDS[action]}
    values |= {name: form.get(name) == "yes" for name in CHECKBOXES.get(action, ())}
    return values


def _payload(action: str, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    if action == "split":
        parts = [part for part in values["parts"] if any(part.values())]
        if len(parts) < 2:
            errors["parts"] = _(SPLIT_TOO_FEW)
        return {"parts": parts}
    payload = {
        name: (value or None) if name in NONE_WHEN_EMPTY else value
        for name, value in values.items()
    }
    if "complexity" in payload and not payload["complexity"]:
        del payload["complexity"]
    return payload


@auth.staff_only
async def case_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise NotFound()
    method, model, done = ACTIONS[action]
    case = await _case(request)
    async with request.form(max_files=ATTACHMENTS_PER_ANSWER + 5) as form:
        auth.check_csrf(request, form.get("csrf_token"))
        values = _values_of(action, form)
        errors: dict[str, str] = {}
        payload = {"actor": _actor(request), "case_id": case.case_id}
        payload |= _payload(action, values, errors)
        try:
            if action == "answer":
                try:
                    uploads = await read_uploads(form, "attachments", ATTACHMENTS_PER_ANSWER)
                except InvalidInput as too_big:
                    errors, uploads = {**errors, **too_big.fields}, []
                payload["attachments"] = [upload.model_dump() for upload in uploads]
            reply = await call(request, method, parse_command(model, payload, errors))
        except (InvalidInput, Conflict) as refused:
            problems = refusal(refused)
            if action == "answer" and files_chosen(form, "attachments"):
                problems.setdefault("attachments", _(FILES_LOST))
            return await _case_page(request, case, action, values, problems, refused.http_status)
    if action == "split":
        parts = len(SplitResult.model_validate(reply).case_ids)
        done = ngettext(
            "Đã tách đơn thành {count} vụ việc.", "Đã tách đơn thành {count} vụ việc.", parts
        ).format(count=parts)
    else:
        done = _(done)
    request.session["flash"] = done
    return RedirectResponse(f"/staff/feedback/{case.case_id}", status_code=303)


@auth.staff_only
async def identity(request: Request) -> Response:
    """Who filed the case, shown once per press of the button (a POST, so no link,
    prefetch or history entry opens it), never kept by the browser."""
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    case = await _case(request)
    ref = CaseRef(actor=_actor(request), case_id=case.case_id)
    who = Identity.model_validate(await call(request, "view_identity", ref))
    response = page(request, "feedback_identity.html", {"case": case, "who": who})
    response.headers["Cache-Control"] = "no-store"
    return response


@auth.staff_only
async def case_file(request: Request) -> Response:
    ref = PhotoRef(
        photo_id=request.path_params["file_id"],
        case_id=request.path_params["case_id"],
        actor=_actor(request),
    )
    return stored_file(StoredFile.model_validate(await call(request, "get_file", ref)))


# --- filing on a resident's behalf ----------------------------------------------


async def _receptions(request: Request, commune_id: str) -> list[ReceptionSession]:
    """This year's reception sessions, to file a case at one; none for an official
    who may not list them (e.g. a group head), who still files cases."""
    query = ListReceptions(actor=_actor(request), commune_id=commune_id, year=_today().year)
    try:
        return Receptions.model_validate(await call(request, "list_receptions", query)).sessions
    except Forbidden:
        return []


@auth.staff_only
async def new_case(request: Request) -> Response:
    """The resident's filing form, for an official who takes a case in person or by
    phone, e.g. at a citizen reception (chosen from this year's sessions)."""
    commune_id = request.path_params["commune_id"]
    overview, offered, sessions = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id),
        categories(request, commune_id),
        _receptions(request, commune_id),
    )
    action = f"/staff/communes/{commune_id}/feedback/new"
    if request.method == "GET":
        values = blank_filing()
        values["reception_id"] = request.query_params.get("reception_id", "")
        return filing_page(
            request, overview, offered, values, {}, action=action, receptions=sessions
        )
    async with request.form(max_files=PHOTOS_PER_CASE + 5) as form:
        auth.check_csrf(request, form.get("csrf_token"))
        values = filing_values(form)
        try:
            receipt = await file_case(
                request,
                form,
                values,
                commune_id=commune_id,
                actor=_actor(request),
                reception_id=values["reception_id"] or None,
            )
        except (InvalidInput, Conflict, TooManyRequests) as refused:
            return filing_page(
                request,
                overview,
                offered,
                values,
                refusal(refused),
                action=action,
                receptions=sessions,
                files_lost=files_chosen(form, "photos"),
                status_code=refused.http_status,
            )
    request.session["flash"] = _(
        "Đã tiếp nhận đơn. Mã theo dõi: {code}. Hãy đưa mã này cho người gửi để họ theo dõi."
    ).format(code=receipt.code)
    return RedirectResponse(f"/staff/feedback/{receipt.case_id}", status_code=303)


COMMUNE = "/staff/communes/{commune_id}/feedback"
CASE = "/staff/feedback/{case_id}"
routes = [
    Route(COMMUNE, dashboard, name="feedback_dashboard"),
    Route(COMMUNE + "/cases", case_list, name="feedback_cases"),
    Route(COMMUNE + "/new", new_case, methods=["GET", "POST"], name="staff_new_feedback"),
    Route(CASE, case_page, name="staff_feedback_case"),
    Route(CASE + "/identity", identity, methods=["POST"], name="feedback_identity"),
    Route(CASE + "/files/{file_id}", case_file, name="staff_feedback_file"),
    Route(CASE + "/{action}", case_action, methods=["POST"], name="feedback_action"),
]
