"""Staff pages for training in grassroots democracy (Law 10/2022 Art 8.1): a
commune's plan for a year and its courses; a course, with its sessions, the personal
links sent to the holders of its positions, and registering them in bulk; a
session's roster, where the trainer marks who came with one tap each on a phone, and
the QR code shown in the room for attendees to check themselves in; the year's
coverage of the positions against its targets, as a chart, a table and a CSV.

Commune staff use every page; the People's Inspection Board reads them (with no
forms, and no names of those still to be trained). The training service checks
permissions and the rules again; a page reads the form, sends it, and shows each
refusal beside its field, keeping what was typed."""

import asyncio
import re
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

import segno
from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import refusal, text, unit_names
from gateway.forms import attachment, parse_form
from gateway.routes.pages import rpc
from gateway.templating import templates
from gateway.training_chart import coverage_svg, coverage_table
from gateway.training_csv import coverage_csv
from shared.calendar import VIETNAM, vietnam_day
from shared.contracts.positions import POSITION_NAMES_VI, Holdings, ListHoldings, Position
from shared.contracts.training import (
    AddSession,
    Attendance,
    CancelRegistration,
    CertificateCheck,
    ChangeCapacity,
    CheckInCode,
    CheckInToken,
    CompletionKind,
    Course,
    CourseRef,
    Courses,
    Coverage,
    CoverageQuery,
    CreateCourse,
    Invited,
    InvitePeople,
    ListCourses,
    MarkAttendance,
    RegisterPeople,
    Registration,
    RegistrationResults,
    RevokeCertificate,
    SavePlan,
    SessionRef,
    SessionRoster,
    SetTargets,
    VerifyCertificate,
)
from shared.errors import Conflict, InvalidInput, NotFound, WireError
from shared.i18n import N_, _, format_day
from shared.ids import new_id

LABELS = {"POSITION_NAMES_VI": POSITION_NAMES_VI, "positions": list(Position)}
COURSE_FIELDS = (
    "request_id", "title", "description", "completion", "minimum", "registration_opens_on",
    "registration_closes_on", "cancel_hours_before",
)  # fmt: skip
SESSION_FIELDS = (
    "request_id", "day", "starts", "ends", "place", "online_link", "trainer", "capacity",
)  # fmt: skip
# The contracts' names of what a form sends under another name.
COURSE_NAMES = {"completion.kind": "completion", "completion.minimum": "minimum"}
SESSION_NAMES = {"starts_at": "starts", "ends_at": "ends"}
# What a contract says generically that the page explains itself (a rule across
# fields, a moment made of a day and an hour).
COURSE_EXPLAINED = ("__root__", "completion")
SESSION_EXPLAINED = ("__root__", "starts_at", "ends_at")
CERTIFICATE_CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")
NO_SUCH_CERTIFICATE = N_("Không có chứng nhận nào của khóa học này mang mã đó.")
CANCEL_HOURS = 24  # CreateCourse's default


# --- small helpers --------------------------------------------------------------


def _page(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {**LABELS, **context}, status_code=status_code
    )


async def _call(request: Request, method: str, command: BaseModel) -> Any:
    return await rpc(request).call("training", method, command.model_dump(mode="json"))


def _actor(request: Request) -> str:
    return request.state.staff.username


def _today() -> date:
    return vietnam_day(datetime.now(UTC))


def _year(request: Request) -> int:
    """The year the page is about: `?nam=`, else this year in Vietnam."""
    typed = request.query_params.get("nam", "")
    return int(typed) if typed.isdigit() and 2020 <= int(typed) <= 2100 else _today().year


def clock(moment: datetime) -> str:
    """A moment's time of day in Vietnam: 08:00."""
    return moment.astimezone(VIETNAM).strftime("%H:%M")


def vietnam_moment(day: str, hour: str) -> datetime | None:
    """A date input's day and a time input's hour, as a moment in Vietnam's time."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(hour), VIETNAM)
    except ValueError:
        return None


def _command[M: BaseModel](
    model: type[M], payload: dict, errors: dict[str, str], explained: tuple[str, ...] = ()
) -> M:
    """The command; or the refusal with the page's own `errors`, where they replace
    what the contract says generically of the fields `explained`."""
    try:
        return parse_form(model, payload, errors)
    except InvalidInput as refused:
        fields = {
            name: message
            for name, message in refused.fields.items()
            if name in errors or not (errors and name in explained)
        }
        raise InvalidInput(refused.detail, fields) from None


def _errors(part: str, refused: WireError, names: dict[str, str] | None = None) -> dict:
    """A refusal's messages by the form's fields, `part.field`: an item of a list
    ("positions.0") on the list, and a contract's name for a field the form calls
    otherwise under the form's name."""
    errors: dict[str, str] = {}
    for name, message in refusal(refused).items():
        name = (names or {}).get(name, name)
        errors.setdefault(f"{part}.{re.sub(r'\.\d+$', '', name)}", message)
    return errors


def _values(form: FormData, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: text(form, name) for name in fields}


def _chosen(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


# --- the year's plan and courses ------------------------------------------------

COMMUNE = "/can-bo/xa/{commune_id}/tap-huan"
COURSE = "/can-bo/tap-huan/khoa/{course_id}"
SESSION = "/can-bo/tap-huan/buoi/{session_id}"


def _plan_url(commune_id: str, year: int) -> str:
    return f"{COMMUNE.format(commune_id=commune_id)}?nam={year}"


def _blank_course() -> dict[str, Any]:
    return dict.fromkeys(COURSE_FIELDS, "") | {
        "request_id": new_id(),
        "positions": [],
        "completion": CompletionKind.ALL_SESSIONS.value,
        "registration_opens_on": _today().isoformat(),
        "cancel_hours_before": str(CANCEL_HOURS),
    }


async def _plan_page(
    request: Request,
    commune_id: str,
    forms: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    year = _year(request)
    may_edit = auth.may_edit(request, commune_id)
    overview, listed = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id),
        _call(request, "list_courses", ListCourses(commune_id=commune_id, year=year)),
    )
    listed = Courses.model_validate(listed)
    plan = listed.plan
    shown = {
        "plan": {
            "title": plan.title if plan else _("Kế hoạch tập huấn năm {year}").format(year=year),
            "notes": plan.notes if plan else "",
        },
        "course": _blank_course(),
    } | (forms or {})
    context = {
        "overview": overview,
        "year": year,
        "listed": listed,
        "may_edit": may_edit,
        "forms": shown,
        "errors": errors or {},
        "clock": clock,
    }
    return _page(request, "training_staff_plan.html", context, status_code)


@auth.staff_only
async def plan_page(request: Request) -> Response:
    return await _plan_page(request, request.path_params["commune_id"])


@auth.staff_only
async def save_plan(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    auth.may_edit(request, commune_id, change=True)
    year = _year(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = _values(form, ("title", "notes"))
    payload = {"actor": _actor(request), "commune_id": commune_id, "year": year, **values}
    try:
        await _call(request, "save_plan", _command(SavePlan, payload, {}))
    except (InvalidInput, Conflict) as refused:
        errors = _errors("plan", refused)
        return await _plan_page(request, commune_id, {"plan": values}, errors, refused.http_status)
    request.session["flash"] = _("Đã lưu kế hoạch tập huấn năm {year}.").format(year=year)
    return RedirectResponse(_plan_url(commune_id, year), status_code=303)


def _course_payload(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """What the course form says, as CreateCourse reads it; the rules across its
    fields explained in `errors`."""
    at_least = values["completion"] == CompletionKind.AT_LEAST
    if at_least and not values["minimum"]:
        errors["completion.minimum"] = _("Vui lòng nhập số buổi tối thiểu phải dự.")
    if not values["positions"]:
        errors["positions"] = _("Vui lòng chọn ít nhất một chức danh.")
    try:
        opens = date.fromisoformat(values["registration_opens_on"])
        closes = date.fromisoformat(values["registration_closes_on"])
    except ValueError:
        pass  # the contract names the day that is wrong
    else:
        if closes < opens:
            errors["registration_closes_on"] = _("Ngày hết hạn đăng ký phải từ ngày mở đăng ký.")
    return {
        **{name: values[name] for name in ("request_id", "title", "description", "positions")},
        "completion": {
            "kind": values["completion"] or CompletionKind.ALL_SESSIONS,
            "minimum": (values["minimum"] or None) if at_least else None,
        },
        "registration_opens_on": values["registration_opens_on"] or None,
        "registration_closes_on": values["registration_closes_on"] or None,
        "cancel_hours_before": values["cancel_hours_before"] or CANCEL_HOURS,
    }


@auth.staff_only
async def create_course(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    auth.may_edit(request, commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = _values(form, COURSE_FIELDS) | {"positions": _chosen(form, "positions")}
    errors: dict[str, str] = {}
    payload = {"actor": _actor(request), "commune_id": commune_id, "year": _year(request)}
    payload |= _course_payload(values, errors)
    try:
        command = _command(CreateCourse, payload, errors, COURSE_EXPLAINED)
        reply = await _call(request, "create_course", command)
    except (InvalidInput, Conflict) as refused:
        errors = _errors("course", refused, COURSE_NAMES)
        forms = {"course": values}
        return await _plan_page(request, commune_id, forms, errors, refused.http_status)
    course = Course.model_validate(reply)
    request.session["flash"] = _("Đã tạo khóa “{title}”. Hãy thêm các buổi học.").format(
        title=course.title
    )
    return RedirectResponse(COURSE.format(course_id=course.course_id), status_code=303)


# --- a course ---------------------------------------------------------------------


async def _course(request: Request) -> Course:
    ref = CourseRef(course_id=request.path_params["course_id"])
    return Course.model_validate(await _call(request, "get_course", ref))


def _holders(holdings: Holdings, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each person holding one of the positions today, once, with what and where."""
    people: dict[str, dict[str, Any]] = {}
    for holding in holdings.holdings:
        person = people.setdefault(
            holding.person.person_id, {"person": holding.person, "positions": [], "units": []}
        )
        person["positions"].append(_(POSITION_NAMES_VI[holding.position]))
        person["units"].append(names.get(holding.unit_id, holding.unit_id))
    for person in people.values():
        person["positions"] = list(dict.fromkeys(person["positions"]))
        person["units"] = list(dict.fromkeys(person["units"]))
    return sorted(people.values(), key=lambda person: person["person"].full_name)


def _blank_session(course: Course) -> dict[str, str]:
    last = course.sessions[-1] if course.sessions else None
    return dict.fromkeys(SESSION_FIELDS, "") | {
        "request_id": new_id(),
        "place": last.place if last else "",
        "trainer": last.trainer if last else "",
        "capacity": str(last.capacity) if last else "",
    }


async def _course_page(
    request: Request,
    course: Course,
    forms: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    **results: Any,
) -> Response:
    """The course; after a form, what it did (`results`) or its refusal."""
    may_edit = auth.may_edit(request, course.commune_id)
    today = _today()
    held_today = ListHoldings(
        commune_id=course.commune_id, positions=course.positions, start=today, end=today
    )
    overview, holdings = await asyncio.gather(
        directory.commune_overview(rpc(request), course.commune_id),
        rpc(request).call("directory", "list_holdings", held_today.model_dump(mode="json")),
    )
    names = unit_names(overview)
    shown = {
        "session": _blank_session(course),
        "register": {"session_id": "", "positions": [], "person_ids": []},
    } | (forms or {})
    context = {
        "course": course,
        "overview": overview,
        "holders": _holders(Holdings.model_validate(holdings), names),
        "may_edit": may_edit,
        "forms": shown,
        "errors": errors or {},
        "clock": clock,
        "message_url": f"/communes/{course.commune_id}/thong-bao/moi?"
        + urlencode({"khoa": course.course_id}),
        **results,
    }
    return _page(request, "training_staff_course.html", context, status_code)


@auth.staff_only
async def course_page(request: Request) -> Response:
    return await _course_page(request, await _course(request))


def _session_payload(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The session form's day and hours (Vietnam's) as moments, and the rest."""
    try:
        date.fromisoformat(values["day"])
    except ValueError:
        errors["day"] = _("Vui lòng nhập ngày học (ngày/tháng/năm).")
    moments = {}
    for field in ("starts", "ends"):
        try:
            time.fromisoformat(values[field])
        except ValueError:
            errors[f"{field}_at"] = _("Vui lòng nhập giờ (giờ:phút, ví dụ 08:00).")
        moments[field] = vietnam_moment(values["day"], values[field])
    if moments["starts"] and moments["ends"] and moments["ends"] <= moments["starts"]:
        errors["ends_at"] = _("Giờ kết thúc phải sau giờ bắt đầu.")
    link = values["online_link"]
    if link and not re.fullmatch(r"https?://\S+", link):
        errors["online_link"] = _(
            "Đường dẫn bắt đầu bằng https:// hoặc http://, không có dấu cách."
        )
    return {
        "request_id": values["request_id"],
        "starts_at": moments["starts"],
        "ends_at": moments["ends"],
        "place": values["place"],
        "online_link": link or None,
        "trainer": values["trainer"],
        "capacity": values["capacity"] or None,
    }


@auth.staff_only
async def add_session(request: Request) -> Response:
    course = await _course(request)
    auth.may_edit(request, course.commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = _values(form, SESSION_FIELDS)
    errors: dict[str, str] = {}
    payload = {"actor": _actor(request), "course_id": course.course_id}
    payload |= _session_payload(values, errors)
    try:
        command = _command(AddSession, payload, errors, SESSION_EXPLAINED)
        await _call(request, "add_session", command)
    except (InvalidInput, Conflict) as refused:
        errors = _errors("session", refused, SESSION_NAMES)
        forms = {"session": values}
        return await _course_page(request, course, forms, errors, refused.http_status)
    when = vietnam_moment(values["day"], values["starts"])
    request.session["flash"] = _("Đã thêm buổi học {time} ngày {day}.").format(
        time=clock(when), day=format_day(when.date())
    )
    return RedirectResponse(COURSE.format(course_id=course.course_id), status_code=303)


@auth.staff_only
async def invite(request: Request) -> Response:
    """Send each current holder of the course's positions their personal link."""
    course = await _course(request)
    auth.may_edit(request, course.commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    command = InvitePeople(actor=_actor(request), course_id=course.course_id)
    invited = Invited.model_validate(await _call(request, "invite", command))
    return await _course_page(request, course, invited=invited)


@auth.staff_only
async def register_people(request: Request) -> Response:
    """Register the people chosen, and every holder of the positions chosen, in one
    of the course's sessions; show what became of each."""
    course = await _course(request)
    auth.may_edit(request, course.commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = {
        "session_id": text(form, "session_id"),
        "positions": _chosen(form, "positions"),
        "person_ids": _chosen(form, "person_ids"),
    }
    errors: dict[str, str] = {}
    if values["session_id"] not in {session.session_id for session in course.sessions}:
        errors["session_id"] = _("Vui lòng chọn buổi học.")
    if not (values["positions"] or values["person_ids"]):
        errors["people"] = _("Vui lòng chọn ít nhất một chức danh hoặc một người.")
    try:
        command = _command(RegisterPeople, {"actor": _actor(request), **values}, errors)
        reply = await _call(request, "register_people", command)
    except (InvalidInput, Conflict) as refused:
        errors = _errors("register", refused)
        return await _course_page(
            request, course, {"register": values}, errors, refused.http_status
        )
    results = RegistrationResults.model_validate(reply)
    session = next(s for s in course.sessions if s.session_id == values["session_id"])
    course = await _course(request)  # its seats taken now
    return await _course_page(request, course, registered=results, registered_in=session)


# --- a session: the roster and attendance ----------------------------------------


async def _roster(request: Request) -> SessionRoster:
    ref = SessionRef(actor=_actor(request), session_id=request.path_params["session_id"])
    return SessionRoster.model_validate(await _call(request, "session_roster", ref))


def _session_url(session_id: str) -> str:
    return SESSION.format(session_id=session_id)


async def _session_page(
    request: Request,
    roster: SessionRoster | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    revoke: dict | None = None,
) -> Response:
    """Light: one call, no commune, the least markup; the trainer uses it on a phone
    during the class."""
    roster = roster or await _roster(request)
    may_edit = auth.may_edit(request, roster.course.commune_id)
    context = {
        "roster": roster,
        "session": roster.session,
        "course": roster.course,
        "attended": sum(registration.attended for registration in roster.seated),
        "waiting": sorted(roster.waiting, key=lambda r: r.place_in_line or 0),
        "may_edit": may_edit,
        "errors": errors or {},
        "clock": clock,
        "certificates": {c.person.person_id: c.code for c in roster.certificates if not c.revoked},
        "here": _session_url(roster.session.session_id),
        "revoke": revoke or {"code": "", "reason": ""},
    }
    return _page(request, "training_staff_session.html", context, status_code)


@auth.staff_only
async def session_page(request: Request) -> Response:
    return await _session_page(request)


async def _session_form(request: Request) -> tuple[SessionRoster, FormData]:
    roster = await _roster(request)
    auth.may_edit(request, roster.course.commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    return roster, form


@auth.staff_only
async def mark_attendance(request: Request) -> Response:
    """The trainer's tap: back to the same place in the list (`#p-<person>`)."""
    roster, form = await _session_form(request)
    session_id = roster.session.session_id
    payload = {
        "actor": _actor(request),
        "session_id": session_id,
        "person_id": text(form, "person_id"),
        "present": text(form, "present") != "no",
    }
    try:
        command = parse_form(MarkAttendance, payload, {})
        attendance = Attendance.model_validate(await _call(request, "mark_attendance", command))
    except (InvalidInput, Conflict, NotFound) as refused:
        return await _session_page(
            request, roster, _errors("attendance", refused), refused.http_status
        )
    person_id = attendance.person.person_id
    return RedirectResponse(f"{_session_url(session_id)}#p-{person_id}", status_code=303)


@auth.staff_only
async def cancel_registration(request: Request) -> Response:
    roster, form = await _session_form(request)
    payload = {"who": {"actor": _actor(request)}, "registration_id": text(form, "registration_id")}
    try:
        command = parse_form(CancelRegistration, payload, {})
        reply = await _call(request, "cancel_registration", command)
    except (InvalidInput, Conflict, NotFound) as refused:
        return await _session_page(request, roster, _errors("cancel", refused), refused.http_status)
    cancelled = Registration.model_validate(reply)
    request.session["flash"] = _("Đã hủy đăng ký của {name}.").format(
        name=cancelled.person.full_name
    )
    return RedirectResponse(_session_url(roster.session.session_id), status_code=303)


@auth.staff_only
async def change_capacity(request: Request) -> Response:
    """A bigger or smaller room; the service seats the first in line in new places."""
    roster, form = await _session_form(request)
    session_id = roster.session.session_id
    payload = {
        "actor": _actor(request),
        "session_id": session_id,
        "capacity": text(form, "capacity"),
    }
    try:
        command = parse_form(ChangeCapacity, payload, {})
        course = Course.model_validate(await _call(request, "change_capacity", command))
    except (InvalidInput, Conflict) as refused:
        return await _session_page(
            request, roster, _errors("capacity", refused), refused.http_status
        )
    now = next(s for s in course.sessions if s.session_id == session_id)
    request.session["flash"] = _("Buổi học nay có {capacity} chỗ, {taken} đã có người.").format(
        capacity=now.capacity, taken=now.seats_taken
    )
    return RedirectResponse(_session_url(session_id), status_code=303)


@auth.staff_only
async def revoke_certificate(request: Request) -> Response:
    """Revoke a certificate of this course, named by the code printed on it."""
    roster, form = await _session_form(request)
    code, reason = text(form, "code").upper(), text(form, "reason")
    try:
        if not CERTIFICATE_CODE.fullmatch(code):
            raise InvalidInput(
                fields={"code": _("Mã gồm 16 chữ và số, ví dụ ABCD-EFGH-JKLM-NPQR.")}
            )
        check = CertificateCheck.model_validate(
            await _call(request, "verify_certificate", VerifyCertificate(code=code))
        )
        certificate = check.certificate
        if certificate is None or certificate.course_id != roster.course.course_id:
            raise InvalidInput(fields={"code": _(NO_SUCH_CERTIFICATE)})
        payload = {
            "actor": _actor(request),
            "certificate_id": certificate.certificate_id,
            "reason": reason,
        }
        await _call(request, "revoke_certificate", parse_form(RevokeCertificate, payload, {}))
    except (InvalidInput, Conflict, NotFound) as refused:
        typed = {"code": code, "reason": reason}
        errors = _errors("revoke", refused)
        return await _session_page(request, roster, errors, refused.http_status, typed)
    request.session["flash"] = _("Đã thu hồi chứng nhận {code} của {name}.").format(
        code=code, name=certificate.person.full_name
    )
    return RedirectResponse(_session_url(roster.session.session_id), status_code=303)


@auth.staff_only
async def check_in_qr(request: Request) -> Response:
    """The QR code to show in the room: attendees scan it to check themselves in."""
    roster = await _roster(request)
    auth.may_edit(request, roster.course.commune_id, change=True)
    command = CheckInCode(actor=_actor(request), session_id=roster.session.session_id)
    token = CheckInToken.model_validate(await _call(request, "check_in_code", command))
    site = request.app.state.settings.public_url.rstrip("/")
    url = f"{site}/tap-huan/diem-danh/{token.session_id}/{token.token}"
    qr = segno.make_qr(url, error="m").svg_inline(
        omitsize=True, svgclass="qr", title=_("Mã QR điểm danh: {url}").format(url=url)
    )
    context = {"roster": roster, "token": token, "url": url, "qr": qr, "clock": clock}
    return _page(request, "training_staff_qr.html", context)


# --- coverage -------------------------------------------------------------------


async def _coverage(request: Request, commune_id: str) -> Coverage:
    query = CoverageQuery(actor=_actor(request), commune_id=commune_id, year=_year(request))
    return Coverage.model_validate(await _call(request, "coverage", query))


def _targets_values(coverage: Coverage) -> dict[str, str]:
    saved = {target.position: str(target.percent) for target in coverage.targets}
    return {position.value: saved.get(position, "") for position in Position}


@auth.staff_only
async def coverage_page(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    may_edit = auth.may_edit(request, commune_id, change=request.method == "POST")
    overview, coverage = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id), _coverage(request, commune_id)
    )
    targets, errors, status_code = _targets_values(coverage), {}, 200
    if request.method == "POST":
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        targets = {position.value: text(form, f"target.{position}") for position in Position}
        try:
            await _set_targets(request, commune_id, targets)
        except (InvalidInput, Conflict) as refused:
            errors, status_code = refusal(refused), refused.http_status
        else:
            request.session["flash"] = _("Đã lưu chỉ tiêu tập huấn năm {year}.").format(
                year=coverage.year
            )
            return RedirectResponse(
                f"{COMMUNE.format(commune_id=commune_id)}/bao-phu?nam={coverage.year}",
                status_code=303,
            )
    context = {
        "overview": overview,
        "coverage": coverage,
        "chart": coverage_svg(coverage),
        "table": coverage_table(coverage, unit_names(overview)),
        "may_edit": may_edit,
        "targets": targets,
        "errors": errors,
    }
    return _page(request, "training_staff_coverage.html", context, status_code)


async def _set_targets(request: Request, commune_id: str, typed: dict[str, str]) -> None:
    """The targets typed (a blank one is not set); a refusal by position,
    `target.<position>`."""
    errors: dict[str, str] = {}
    targets = []
    for position, percent in typed.items():
        if not percent:
            continue
        if not (percent.isdigit() and int(percent) <= 100):
            errors[f"target.{position}"] = _("Vui lòng nhập một số từ 0 đến 100.")
        targets.append({"position": position, "percent": percent})
    if not targets:
        errors["targets"] = _("Vui lòng nhập chỉ tiêu của ít nhất một chức danh.")
    payload = {
        "actor": _actor(request),
        "commune_id": commune_id,
        "year": _year(request),
        "targets": targets,
    }
    try:
        await _call(request, "set_targets", parse_form(SetTargets, payload, errors))
    except InvalidInput as refused:
        fields = {}
        for name, message in refused.fields.items():
            found = re.match(r"^targets\.(\d+)", name)
            if found and int(found[1]) < len(targets):
                name = f"target.{targets[int(found[1])]['position']}"
            fields.setdefault(name, errors.get(name, message))
        raise InvalidInput(refused.detail, fields) from None


@auth.staff_only
async def coverage_download(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    may_edit = auth.may_edit(request, commune_id)
    overview, coverage = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id), _coverage(request, commune_id)
    )
    content = coverage_csv(coverage, unit_names(overview), with_names=may_edit)
    filename = f"tap-huan-{commune_id}-{coverage.year}.csv"
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(filename)},
    )


routes = [
    Route(COMMUNE, plan_page, name="training_plan"),
    Route(COMMUNE + "/ke-hoach", save_plan, methods=["POST"], name="training_save_plan"),
    Route(COMMUNE + "/khoa-moi", create_course, methods=["POST"], name="training_new_course"),
    Route(
        COMMUNE + "/bao-phu",
        coverage_page,
        methods=["GET", "POST"],
        name="training_coverage",
    ),
    Route(COMMUNE + "/bao-phu.csv", coverage_download, name="training_coverage_csv"),
    Route(COURSE, course_page, name="training_course"),
    Route(COURSE + "/buoi", add_session, methods=["POST"], name="training_add_session"),
    Route(COURSE + "/moi", invite, methods=["POST"], name="training_invite"),
    Route(COURSE + "/dang-ky", register_people, methods=["POST"], name="training_register"),
    Route(SESSION, session_page, name="training_session"),
    Route(SESSION + "/diem-danh", mark_attendance, methods=["POST"], name="training_attend"),
    Route(SESSION + "/huy", cancel_registration, methods=["POST"], name="training_cancel"),
    Route(SESSION + "/so-cho", change_capacity, methods=["POST"], name="training_capacity"),
    Route(SESSION + "/thu-hoi", revoke_certificate, methods=["POST"], name="training_revoke"),
    Route(SESSION + "/qr", check_in_qr, name="training_check_in_qr"),
]
