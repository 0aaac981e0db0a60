"""Staff pages for the discipline of the commune's cadres, civil servants and public
employees (xử lý kỷ luật: Decree 112/2020 as amended by 71/2023, Decree 172/2025,
Decree 234/2026): the commune's cases, the overdue and the nearly due first; opening
a case; a case with its clock (limitation, handling deadline with its pauses, the
decision's effect), its steps and versions, and the forms that change it; and its
result on the notice board (Law 10/2022 Art 11 item 10).

Every change is a new version with a reason, made on the version shown: the service
refuses a change made on a version someone else has changed since. An old version
is shown as it was, with no forms. Discipline files are for the commune's leaders
only: the recognition service refuses anyone else, and writes every view and change
to the audit log the People's Inspection Board reads. A page reads the form, sends
it, and shows each refusal beside its field, keeping what was typed."""

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import refusal, text
from gateway.forms import parse_form
from gateway.routes.pages import rpc
from gateway.routes.recognition import call, today
from gateway.templating import templates
from shared.calendar import parse_day
from shared.contracts.recognition import (
    CASE_STATUS_VI,
    FORM_NAMES_VI,
    PAUSE_GROUNDS_VI,
    RULE_SET_NAMES_VI,
    SKIP_GROUNDS_VI,
    STAFF_TYPE_NAMES_VI,
    STEP_NAMES_VI,
    WITHOUT_LIMITATION_VI,
    CaseChange,
    CaseList,
    CaseRef,
    CaseSummary,
    DisciplineCase,
    DiscloseResult,
    Gravity,
    ListCases,
    OpenCase,
    Pause,
    StepKind,
)
from shared.errors import Conflict, InvalidInput, NotFound, WireError
from shared.i18n import N_, _, translate
from shared.ids import new_id

COMMUNE = "/can-bo/xa/{commune_id}/ky-luat"
CASE = "/can-bo/ky-luat/{case_id}"
GRAVITY_VI = {
    Gravity.REPRIMAND_LEVEL: N_("Đến mức khiển trách"),
    Gravity.OTHER: N_("Nặng hơn mức khiển trách"),
}
LABELS = {
    "STAFF_TYPE_NAMES_VI": STAFF_TYPE_NAMES_VI,
    "CASE_STATUS_VI": CASE_STATUS_VI,
    "RULE_SET_NAMES_VI": RULE_SET_NAMES_VI,
    "FORM_NAMES_VI": FORM_NAMES_VI,
    "WITHOUT_LIMITATION_VI": WITHOUT_LIMITATION_VI,
    "PAUSE_GROUNDS_VI": PAUSE_GROUNDS_VI,
    "STEP_NAMES_VI": STEP_NAMES_VI,
    "SKIP_GROUNDS_VI": SKIP_GROUNDS_VI,
    "GRAVITY_VI": GRAVITY_VI,
    "COMPLEX_VI": {"no": N_("Không phức tạp"), "yes": N_("Phức tạp")},
}
# The contract's groups of fields: its `step.held_on` is the step form's `held_on`.
GROUPS = ("subject", "violation", "step", "pause", "decision")
SUBJECT_FIELDS = ("full_name", "position", "staff_type", "username")
SUBJECT_CHECKS = ("leader_or_manager", "elected")
VIOLATION_FIELDS = ("description", "committed_on", "gravity", "without_limitation")
OPEN_FIELDS = ("request_id", *SUBJECT_FIELDS, *VIOLATION_FIELDS, "discovered_on")
OPEN_CHECKS = (*SUBJECT_CHECKS, "complex")
COUNCIL_NUMBERS = ("members", "present", "ballot_for", "ballot_against")
STEP_FIELDS = (
    "kind", "held_on", "skipped", *COUNCIL_NUMBERS, "proposed_form", "notice_sent_on", "note",
)  # fmt: skip
HELD_OR_SKIPPED = N_("Nhập ngày họp, hoặc chọn căn cứ không phải họp (không chọn cả hai).")
NOT_ALLOWED = N_("Vui lòng chọn một hình thức kỷ luật áp dụng được cho người này.")
DISCLOSE_FIELDS = ("request_id", "public_summary", "late_reason")


def _page(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {**LABELS, **context}, status_code=status_code
    )


def _actor(request: Request) -> str:
    return request.state.staff.username


def _values(form: FormData, fields: tuple[str, ...], checks: tuple[str, ...] = ()) -> dict:
    return {name: text(form, name) for name in fields} | {
        name: form.get(name) == "yes" for name in checks
    }


def _day(values: dict, name: str, errors: dict[str, str], required: bool = True) -> date | None:
    """A typed day: a date input's 2025-07-01, or 01/07/2025 where a browser has none."""
    if not values[name]:
        if required:
            errors[name] = _("Vui lòng nhập ngày (ngày/tháng/năm).")
        return None
    try:
        return parse_day(values[name])
    except ValueError as wrong:
        errors[name] = translate(str(wrong))
        return None


def _errors(part: str, refused: WireError) -> dict[str, str]:
    """A refusal's messages by the form's fields, `part.field`; a rule across a
    group's fields (the contract's `step`) is the form's own."""
    errors: dict[str, str] = {}
    for name, message in refusal(refused).items():
        group, _dot, field = name.partition(".")
        if group in GROUPS:
            name = field or "__root__"
        errors.setdefault(f"{part}.{name}", message)
    return errors


def _command[M: CaseChange | OpenCase](model: type[M], payload: dict, errors: dict) -> M:
    """The command, or its refusal; the page's own words replace what the contract
    says generically of a rule across a group's fields."""
    try:
        return parse_form(model, payload, errors)
    except InvalidInput as refused:
        fields = {k: v for k, v in refused.fields.items() if not (errors and k in GROUPS)}
        raise InvalidInput(refused.detail, fields) from None


def _subject(values: dict) -> dict[str, Any]:
    return {
        **{name: values[name] for name in (*SUBJECT_FIELDS, *SUBJECT_CHECKS)},
        "username": values["username"] or None,
    }


def _violation(values: dict, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "description": values["description"],
        "committed_on": _day(values, "committed_on", errors),
        "gravity": values["gravity"] or Gravity.OTHER,
        "without_limitation": values["without_limitation"] or None,
    }


# --- the commune's cases ----------------------------------------------------------


def _year(request: Request) -> int | None:
    """`?nam=`: the cases opened that year; every open case without it."""
    typed = request.query_params.get("nam", "")
    return int(typed) if typed.isdigit() and 2000 <= int(typed) <= 2100 else None


def _due_first(case: CaseSummary) -> tuple:
    return (not case.overdue, not case.due_soon, case.next_step_due_on or case.handling_due_on)


def _blank_case() -> dict[str, Any]:
    return (
        dict.fromkeys(OPEN_FIELDS, "")
        | dict.fromkeys(OPEN_CHECKS, False)
        | {
            "request_id": new_id(),
            "gravity": Gravity.OTHER.value,
            "discovered_on": today().isoformat(),
        }
    )


async def _cases_page(
    request: Request,
    commune_id: str,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    year = _year(request)
    query = ListCases(actor=_actor(request), commune_id=commune_id, year=year)
    overview, reply = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id), call(request, "list_cases", query)
    )
    cases = sorted(CaseList.model_validate(reply).cases, key=_due_first)
    context = {
        "overview": overview,
        "year": year,
        "this_year": today().year,
        "overdue": [case for case in cases if case.overdue],
        "due_soon": [case for case in cases if case.due_soon and not case.overdue],
        "others": [case for case in cases if not (case.overdue or case.due_soon)],
        "values": values or _blank_case(),
        "errors": errors or {},
    }
    return _page(request, "discipline_cases.html", context, status_code)


@auth.staff_only
async def cases_page(request: Request) -> Response:
    return await _cases_page(request, request.path_params["commune_id"])


@auth.staff_only
async def open_case(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = _values(form, OPEN_FIELDS, OPEN_CHECKS)
    errors: dict[str, str] = {}
    payload = {
        "actor": _actor(request),
        "request_id": values["request_id"],
        "commune_id": commune_id,
        "subject": _subject(values),
        "violation": _violation(values, errors),
        "discovered_on": _day(values, "discovered_on", errors),
        "complex": values["complex"],
    }
    try:
        reply = await call(request, "open_case", _command(OpenCase, payload, errors))
    except (InvalidInput, Conflict) as refused:
        errors = _errors("open", refused)
        return await _cases_page(request, commune_id, values, errors, refused.http_status)
    case = DisciplineCase.model_validate(reply)
    request.session["flash"] = _("Đã mở hồ sơ xử lý kỷ luật của {name}.").format(
        name=case.subject.full_name
    )
    return RedirectResponse(CASE.format(case_id=case.case_id), status_code=303)


# --- one case ---------------------------------------------------------------------


def _version(request: Request) -> int | None:
    typed = request.query_params.get("phien-ban", "")
    return int(typed) if typed.isdigit() and int(typed) >= 1 else None


async def _case(request: Request, version: int | None = None) -> DisciplineCase:
    ref = CaseRef(actor=_actor(request), case_id=request.path_params["case_id"], version=version)
    return DisciplineCase.model_validate(await call(request, "get_case", ref))


def _open_pause(case: DisciplineCase) -> Pause | None:
    return next((pause for pause in case.pauses if pause.ends_on is None), None)


def _blank_forms(case: DisciplineCase) -> dict[str, dict[str, Any]]:
    """What each form of the case page shows first: a correction, what the case says."""
    forms: dict[str, dict[str, Any]] = {
        action: dict.fromkeys((*fields, "reason"), "") | dict.fromkeys(checks, False)
        for action, (fields, checks, _build, _done) in ACTIONS.items()
    }
    subject, violation = case.subject, case.violation
    forms["subject"] |= subject.model_dump(mode="json") | {"username": subject.username or ""}
    forms["violation"] |= violation.model_dump(mode="json") | {
        "without_limitation": violation.without_limitation or ""
    }
    forms["discovered"]["discovered_on"] = case.discovered_on.isoformat()
    forms["complex"]["complex"] = "yes" if case.complex else "no"
    if pause := _open_pause(case):  # the end form names the pause it ends
        forms["end_pause"] |= pause.model_dump(mode="json", exclude={"ends_on"})
    forms["disclose"] = dict.fromkeys(DISCLOSE_FIELDS, "") | {"request_id": new_id()}
    return forms


async def _case_page(
    request: Request,
    case: DisciplineCase,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The case; after a refusal, that `form` open with what was typed and `errors`."""
    overview = await directory.commune_overview(rpc(request), case.commune_id)
    forms = _blank_forms(case)
    if form:
        forms[form] = values or {}
    context = {
        "case": case,
        "overview": overview,
        "newest": case.version == case.versions,
        "today": today(),
        "open_pause": _open_pause(case),
        "forms": forms,
        "open_form": form,
        "errors": errors or {},
        "allowed_forms": {kind: FORM_NAMES_VI[kind] for kind in case.clock.allowed_forms},
    }
    return _page(request, "discipline_case.html", context, status_code)


@auth.staff_only
async def case_page(request: Request) -> Response:
    return await _case_page(request, await _case(request, _version(request)))


def _step(values: dict, errors: dict[str, str], case: DisciplineCase) -> dict[str, Any]:
    """A step held on a day or skipped on a ground; the council's size, attendance
    and secret ballot only for the council."""
    if bool(values["held_on"]) == bool(values["skipped"]):
        errors["held_on"] = _(HELD_OR_SKIPPED)
    step = {
        "kind": values["kind"],
        "held_on": _day(values, "held_on", errors, required=False),
        "skipped": values["skipped"] or None,
        "note": values["note"],
    }
    if values["kind"] == StepKind.COUNCIL:
        step |= {name: values[name] or None for name in COUNCIL_NUMBERS}
        step |= {
            "chair_present": values["chair_present"],
            "secretary_present": values["secretary_present"],
            "proposed_form": values["proposed_form"] or None,
            "notice_sent_on": _day(values, "notice_sent_on", errors, required=False),
        }
    return {"step": step}


def _pause(values: dict, errors: dict[str, str], case: DisciplineCase) -> dict[str, Any]:
    return {"pause": {"ground": values["ground"], "starts_on": _day(values, "starts_on", errors)}}


def _end_pause(values: dict, errors: dict[str, str], case: DisciplineCase) -> dict[str, Any]:
    """The open pause (its ground and first day) with its last day."""
    pause = _pause(values, errors, case)["pause"]
    return {"pause": pause | {"ends_on": _day(values, "ends_on", errors)}}


def _decide(values: dict, errors: dict[str, str], case: DisciplineCase) -> dict[str, Any]:
    if values["form"] not in case.clock.allowed_forms:
        errors["form"] = _(NOT_ALLOWED)
    decision = {
        "form": values["form"],
        "number": values["number"],
        "decided_on": _day(values, "decided_on", errors),
    }
    return {"decision": decision}


Build = Callable[[dict, dict[str, str], DisciplineCase], dict[str, Any]]
# Each change form of the case page: its fields (typed, then checkboxes), the part of
# CaseChange they make, and what the page says when it is saved.
ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], Build, str]] = {
    "step": (
        STEP_FIELDS,
        ("chair_present", "secretary_present"),
        _step,
        N_("Đã ghi bước xử lý."),
    ),
    "pause": (
        ("ground", "starts_on"),
        (),
        _pause,
        N_("Đã ghi thời gian tạm dừng tính thời hạn."),
    ),
    "end_pause": (
        ("ground", "starts_on", "ends_on"),
        (),
        _end_pause,
        N_("Đã ghi ngày kết thúc tạm dừng."),
    ),
    "later": (
        ("later_violation_on",),
        (),
        lambda v, e, c: {"later_violation_on": _day(v, "later_violation_on", e)},
        N_("Đã ghi hành vi vi phạm mới: thời hiệu tính lại từ ngày đó."),
    ),
    "subject": (
        SUBJECT_FIELDS,
        SUBJECT_CHECKS,
        lambda v, e, c: {"subject": _subject(v)},
        N_("Đã sửa thông tin người bị xem xét kỷ luật."),
    ),
    "violation": (
        VIOLATION_FIELDS,
        (),
        lambda v, e, c: {"violation": _violation(v, e)},
        N_("Đã sửa thông tin hành vi vi phạm."),
    ),
    "discovered": (
        ("discovered_on",),
        (),
        lambda v, e, c: {"discovered_on": _day(v, "discovered_on", e)},
        N_("Đã sửa ngày phát hiện vi phạm."),
    ),
    "complex": (
        ("complex",),
        (),
        lambda v, e, c: {"complex": v["complex"] == "yes"},
        N_("Đã sửa tính chất vụ việc."),
    ),
    "decide": (("form", "number", "decided_on"), (), _decide, N_("Đã ghi quyết định kỷ luật.")),
    "close": ((), (), lambda v, e, c: {"closed": True}, N_("Đã kết thúc hồ sơ, không kỷ luật.")),
}


async def _case_form(request: Request) -> tuple[DisciplineCase, FormData]:
    case = await _case(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    return case, form


@auth.staff_only
async def change_case(request: Request) -> Response:
    """A change of the case, with its reason, on the version the page showed."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise NotFound()
    fields, checks, build, done = ACTIONS[action]
    case, form = await _case_form(request)
    values = _values(form, (*fields, "reason"), checks)
    errors: dict[str, str] = {}
    payload = {
        "actor": _actor(request),
        "case_id": case.case_id,
        "version": text(form, "version"),
        "reason": values["reason"],
        **build(values, errors, case),
    }
    try:
        await call(request, "change_case", _command(CaseChange, payload, errors))
    except (InvalidInput, Conflict) as refused:
        errors = _errors(action, refused)
        return await _case_page(request, case, action, values, errors, refused.http_status)
    request.session["flash"] = _(done)
    return RedirectResponse(CASE.format(case_id=case.case_id), status_code=303)


@auth.staff_only
async def disclose_result(request: Request) -> Response:
    """The decision on the commune's notice board, with only what may be public."""
    case, form = await _case_form(request)
    values = _values(form, DISCLOSE_FIELDS)
    payload = {
        "actor": _actor(request),
        "request_id": values["request_id"],
        "case_id": case.case_id,
        "public_summary": values["public_summary"],
        "late_reason": values["late_reason"] or None,
    }
    try:
        await call(request, "disclose_result", parse_form(DiscloseResult, payload, {}))
    except (InvalidInput, Conflict) as refused:
        errors = _errors("disclose", refused)
        return await _case_page(request, case, "disclose", values, errors, refused.http_status)
    request.session["flash"] = _("Đã gửi kết quả xử lý kỷ luật lên bảng công khai của xã.")
    return RedirectResponse(CASE.format(case_id=case.case_id), status_code=303)


routes = [
    Route(COMMUNE, cases_page, name="discipline_cases"),
    Route(COMMUNE, open_case, methods=["POST"], name="discipline_open_case"),
    Route(CASE, case_page, name="discipline_case"),
    Route(CASE + "/cong-khai", disclose_result, methods=["POST"], name="discipline_disclose"),
    Route(CASE + "/{action}", change_case, methods=["POST"], name="discipline_change"),
]
