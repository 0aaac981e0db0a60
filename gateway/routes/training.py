"""Training (tập huấn) in grassroots democracy for those who carry it out (Law 10/2022
Art 8.1): a person's own page (their registrations, the courses open to them, their
certificates), registering and cancelling, the QR check-in of a session, a
certificate as a PDF, and the public check of a certificate's code.

A person with no account is known by the personal code the commune sends them: its
link (/tap-huan/ma/<code>) or the typed code is kept in the session cookie, never
put in another URL, and "Thoát" forgets it; an official is known by their sign-in.
Every form carries the session's CSRF token (the kept code is a credential), and
personal codes the service does not know count against their sender as wrong card
codes do (gateway/wrong_codes.py). The training service decides everything (who may
register, the waiting list, the cut-off for cancelling, the check-in window); these
pages say what it decided.
"""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth
from gateway.forms import pdf_download
from gateway.routes.ballots import sender
from gateway.routes.feedback import WEEKDAYS_VI
from gateway.routes.pages import rpc
from gateway.routes.staff import safe_next
from gateway.templating import templates
from gateway.training_pdf import certificate_pdf
from shared.calendar import VIETNAM
from shared.contracts.positions import POSITION_NAMES_VI
from shared.contracts.training import (
    Attendance,
    CancelRegistration,
    Certificate,
    CertificateCheck,
    CertificateRef,
    CheckIn,
    Course,
    CourseRef,
    MyTraining,
    PersonTraining,
    Register,
    Registration,
    RegistrationOutcome,
    RegistrationStatus,
    Session,
    VerifyCertificate,
    Who,
)
from shared.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    WireError,
    parse,
)
from shared.i18n import N_, _, format_day, translate

HOME, MINE = "/tap-huan", "/tap-huan/cua-toi"
CODE_KEY = "training_code"  # the personal code, in the session cookie
BAD_CODE = N_(
    "Mã cá nhân chưa đúng: gồm “TH-” và 8 chữ, số, ví dụ TH-7K2M9QXB. "
    "Vui lòng kiểm tra lại từng ký tự trong tin mời."
)
UNKNOWN_CODE = N_(
    "Không tìm thấy mã cá nhân {code}. Vui lòng kiểm tra lại từng ký tự trong tin mời, "
    "hoặc hỏi cán bộ phụ trách tập huấn của xã, phường."
)
TOO_MANY_WRONG_CODES = N_(
    "Đã có nhiều mã sai được gửi từ mạng của bạn trong một phút qua. "
    "Vui lòng chờ một phút rồi nhập lại."
)
BAD_QR = N_("Mã QR điểm danh không đúng: hãy quét lại mã đang chiếu trong lớp.")
BAD_CERTIFICATE = N_(
    "Mã giấy chứng nhận chưa đúng: gồm 16 chữ và số chia thành 4 nhóm, "
    "ví dụ 7K2M-9QXB-3F9Q-2XK7. Vui lòng kiểm tra lại từng ký tự."
)
UNKNOWN_CERTIFICATE = N_("Mã không đúng hoặc không tồn tại.")
NOT_YOURS = N_("Không tìm thấy đăng ký này trong tập huấn của bạn.")
DONE = {"dang-ky": N_("Đã ghi nhận đăng ký của bạn."), "huy": N_("Đã hủy đăng ký của bạn.")}
LABELS = {
    "POSITION_NAMES_VI": POSITION_NAMES_VI,
    "SEATED": RegistrationStatus.SEATED,
    "WAITING": RegistrationStatus.WAITING,
    "CANCELLED": RegistrationStatus.CANCELLED,
}


def session_time(session: Session) -> str:
    """When a session meets, in Vietnam's time: "08:00–11:30, Thứ Hai 05/06/2026"
    ("08:00–11:30, Monday 5 Jun 2026")."""
    starts, ends = session.starts_at.astimezone(VIETNAM), session.ends_at.astimezone(VIETNAM)
    if starts.date() != ends.date():
        return _("{start_time} ngày {start_day} đến {end_time} ngày {end_day}").format(
            start_time=f"{starts:%H:%M}",
            start_day=format_day(starts.date()),
            end_time=f"{ends:%H:%M}",
            end_day=format_day(ends.date()),
        )
    weekday = _(WEEKDAYS_VI[starts.weekday()])
    return f"{starts:%H:%M}–{ends:%H:%M}, {weekday} {format_day(starts.date())}"


templates.env.filters["session_time"] = session_time


def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, {**LABELS, **context}, status_code=status)


async def call(request: Request, method: str, command: BaseModel) -> Any:
    return await rpc(request).call("training", method, command.model_dump(mode="json"))


def reason(refused: WireError) -> str:
    """What the service said, in its own words."""
    return refused.detail or " ".join(refused.fields.values()) or refused.message


# --- who is asking --------------------------------------------------------------


def personal_code(typed: str) -> str | None:
    """The personal code typed (any case, spaces ignored), or None if malformed."""
    try:
        return parse(Who, {"code": typed}).code
    except InvalidInput:
        return None


async def who_of(request: Request) -> Who | None:
    """The person of the code kept on this device (typed on purpose), else the
    signed-in official, else nobody."""
    staff = await auth.current_staff(request)  # also for the page's header
    if code := request.session.get(CODE_KEY):
        return Who(code=code)
    return Who(actor=staff.username) if staff else None


def person_only(endpoint: Callable[[Request, Who], Awaitable[Response]]) -> auth.Endpoint:
    """Send someone not known here to the page that asks for their code."""

    @functools.wraps(endpoint)
    async def known(request: Request) -> Response:
        who = await who_of(request)
        if who is None:
            return RedirectResponse(HOME, status_code=303)
        return await endpoint(request, who)

    return known


def _refuse_wrong_codes(request: Request) -> None:
    if request.app.state.wrong_codes.blocked(sender(request)):
        raise TooManyRequests(_(TOO_MANY_WRONG_CODES))


def _wrong_code(request: Request, code: str) -> None:
    """A code the service does not know: forgotten here, counted against its sender."""
    request.app.state.wrong_codes.record(sender(request))
    if request.session.get(CODE_KEY) == code:
        request.session.pop(CODE_KEY)


async def training_of(request: Request, who: Who) -> PersonTraining:
    """`who`'s training; NotFound (UNKNOWN_CODE) for a personal code it does not know."""
    if who.code:
        _refuse_wrong_codes(request)
    try:
        reply = await call(request, "my_training", MyTraining(who=who))
    except (NotFound, Forbidden, InvalidInput):
        if who.code:
            _wrong_code(request, who.code)
            raise NotFound(_(UNKNOWN_CODE).format(code=who.code)) from None
        raise
    return PersonTraining.model_validate(reply)


def code_form(request: Request, typed: str = "", error: str | None = None, status: int = 200):
    context = {"typed": typed, "error": error, "kept": request.session.get(CODE_KEY)}
    return page(request, "training_home.html", context, status)


# --- the person's own page ------------------------------------------------------


@dataclass
class Row:
    """A registration with its course and session, as the pages show it."""

    registration: Registration
    course: Course | None
    session: Session | None
    may_cancel: bool


async def courses_of(request: Request, training: PersonTraining) -> dict[str, Course]:
    """The courses of the person's registrations and those open to them."""
    known = {course.course_id: course for course in training.open_courses}
    missing = {r.course_id for r in training.registrations} - known.keys()
    replies = await asyncio.gather(
        *(call(request, "get_course", CourseRef(course_id=course_id)) for course_id in missing)
    )
    return known | {c.course_id: c for c in map(Course.model_validate, replies)}


def row_of(registration: Registration, course: Course | None, now: datetime) -> Row:
    """The cancel button shows until the course's cut-off (the service checks again)."""
    sessions = course.sessions if course else []
    session = next((s for s in sessions if s.session_id == registration.session_id), None)
    may_cancel = registration.status != RegistrationStatus.CANCELLED
    if course and session:
        cut_off = session.starts_at - timedelta(hours=course.cancel_hours_before)
        may_cancel = may_cancel and now < cut_off
    return Row(registration, course, session, may_cancel)


def rows(training: PersonTraining, courses: dict[str, Course], now: datetime) -> list[Row]:
    """The registrations in force first, soonest first; the cancelled ones last."""
    found = [row_of(r, courses.get(r.course_id), now) for r in training.registrations]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(
        found,
        key=lambda row: (
            row.registration.status == RegistrationStatus.CANCELLED,
            row.session.starts_at if row.session else far,
        ),
    )


async def mine_view(request: Request, who: Who, refusal: dict | None = None, status: int = 200):
    """The person's page; after a refused registration, why, beside that session."""
    try:
        training = await training_of(request, who)
    except (NotFound, TooManyRequests) as refused:
        return code_form(request, who.code or "", refused.detail, refused.http_status)
    now = datetime.now(UTC)
    listed = rows(training, await courses_of(request, training), now)
    context = {
        "who": who,
        "training": training,
        "rows": listed,
        "registered": {
            row.registration.session_id: row.registration
            for row in listed
            if row.registration.status != RegistrationStatus.CANCELLED
        },
        "now": now,
        "refusal": refusal,
    }
    return page(request, "training_mine.html", context, status)


@person_only
async def mine(request: Request, who: Who) -> Response:
    return await mine_view(request, who)


async def home(request: Request) -> Response:
    await auth.current_staff(request)
    return code_form(request)


async def enter_code(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    typed = str(form.get("code", "")).strip()
    code = personal_code(typed)
    if code is None:
        return code_form(request, typed, _(BAD_CODE), 422)
    request.session[CODE_KEY] = code  # checked by the page it opens
    return RedirectResponse(MINE, status_code=303)


async def personal_link(request: Request) -> Response:
    """The link the commune sent: keep its code, and go on to a URL without it."""
    typed = request.path_params["code"][:40]
    code = personal_code(typed)
    if code is None:
        return code_form(request, typed, _(BAD_CODE), 422)
    request.session[CODE_KEY] = code
    return RedirectResponse(MINE, status_code=303)


async def leave(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    request.session.pop(CODE_KEY, None)
    request.session["flash"] = _("Đã quên mã cá nhân trên máy này.")
    back = str(form.get("next") or HOME)  # the check-in page asks for a code again
    return RedirectResponse(safe_next(back), status_code=303)


# --- registering and cancelling -------------------------------------------------


@person_only
async def register(request: Request, who: Who) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    session_id = request.path_params["session_id"]
    try:
        reply = await call(request, "register", Register(who=who, session_id=session_id))
        outcome = RegistrationOutcome.model_validate(reply)
    except (InvalidInput, Conflict, NotFound, Forbidden) as refused:
        refusal = {"session_id": session_id, "message": reason(refused)}
        return await mine_view(request, who, refusal, refused.http_status)
    if outcome.registration is None:
        refusal = {
            "session_id": session_id,
            "message": translate(outcome.refused) or _(Conflict.message_vi),
        }
        return await mine_view(request, who, refusal, 409)
    done = f"/tap-huan/dang-ky/{outcome.registration.registration_id}?da=dang-ky"
    return RedirectResponse(done, status_code=303)


async def registration_view(
    request: Request, who: Who, registration_id: str, error: str | None = None, status: int = 200
) -> Response:
    try:
        training = await training_of(request, who)
    except (NotFound, TooManyRequests) as refused:
        return code_form(request, who.code or "", refused.detail, refused.http_status)
    mine_only = [r for r in training.registrations if r.registration_id == registration_id]
    if not mine_only:
        raise NotFound(_(NOT_YOURS))
    only = training.model_copy(update={"registrations": mine_only})
    (row,) = rows(only, await courses_of(request, only), datetime.now(UTC))
    done = DONE.get(request.query_params.get("da", ""))
    context = {
        "who": who,
        "person": training.person,
        "row": row,
        "done": _(done) if done and not error else None,
        "error": error,
    }
    return page(request, "training_registration.html", context, status)


@person_only
async def registration_page(request: Request, who: Who) -> Response:
    return await registration_view(request, who, request.path_params["registration_id"])


@person_only
async def cancel(request: Request, who: Who) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    registration_id = request.path_params["registration_id"]
    command = CancelRegistration(who=who, registration_id=registration_id)
    try:
        await call(request, "cancel_registration", command)
    except (InvalidInput, Conflict, Forbidden) as refused:
        return await registration_view(
            request, who, registration_id, reason(refused), refused.http_status
        )
    done = f"/tap-huan/dang-ky/{registration_id}?da=huy"
    return RedirectResponse(done, status_code=303)


# --- the QR check-in of a session -----------------------------------------------


def check_in_page(
    request: Request,
    who: Who | None,
    typed: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
    attendance: Attendance | None = None,
) -> Response:
    here = "/tap-huan/diem-danh/{session_id}/{token}".format(**request.path_params)
    context = {
        "here": here,
        "who": who,
        "typed": typed,
        "errors": errors or {},
        "attendance": attendance,
    }
    return page(request, "training_check_in.html", context, status)


async def check_in(request: Request) -> Response:
    """GET shows the "Tôi có mặt" button (and asks for the personal code of someone
    not known here); only POST checks in."""
    who = await who_of(request)
    if request.method == "GET":
        return check_in_page(request, who)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    typed = str(form.get("code", "")).strip()
    asked = who is None  # for the code, on this page
    if asked:
        code = personal_code(typed)
        if code is None:
            return check_in_page(request, None, typed, {"code": _(BAD_CODE)}, status=422)
        _refuse_wrong_codes(request)
        who = Who(code=code)
    try:
        command = parse(CheckIn, {"who": who, **request.path_params})
    except InvalidInput:
        return check_in_page(request, None if asked else who, typed, {"__root__": _(BAD_QR)}, 422)
    try:
        attendance = Attendance.model_validate(await call(request, "check_in", command))
    except NotFound as refused:
        if asked:  # most likely the code typed
            _wrong_code(request, command.who.code or "")
            return check_in_page(request, None, typed, {"code": reason(refused)}, status=404)
        return check_in_page(request, who, typed, {"__root__": reason(refused)}, status=404)
    except (InvalidInput, Conflict, Forbidden) as refused:
        errors = {"__root__": reason(refused)}
        return check_in_page(request, None if asked else who, typed, errors, refused.http_status)
    if who.code:
        request.session[CODE_KEY] = who.code  # known from now on, on this device
    return check_in_page(request, who, attendance=attendance)


# --- certificates ---------------------------------------------------------------


async def certificate_pdf_file(request: Request) -> Response:
    """The certificate to print, for its holder or staff (the service decides): a
    signed-in official asks as such, who may read every certificate of their commune."""
    staff = await auth.current_staff(request)
    who = Who(actor=staff.username) if staff else await who_of(request)
    if who is None:
        return RedirectResponse(HOME, status_code=303)
    ref = CertificateRef(who=who, certificate_id=request.path_params["certificate_id"])
    certificate = Certificate.model_validate(await call(request, "get_certificate", ref))
    settings = request.app.state.settings
    content = await run_in_threadpool(
        certificate_pdf, certificate, settings.public_url, settings.pdf_font_dir
    )
    return pdf_download(content, f"giay-chung-nhan-{certificate.code}.pdf")


def check_page(request: Request, typed: str, **context: Any) -> Response:
    status = context.pop("status", 200)
    values = {"typed": typed, "error": None, "check": None, **context}
    return page(request, "certificate_check.html", values, status)


async def certificate_lookup(request: Request) -> Response:
    """The form to type a code (GET, so its result has an address to share)."""
    await auth.current_staff(request)
    typed = request.query_params.get("code")
    if typed is None:
        return check_page(request, "")
    try:
        code = parse(VerifyCertificate, {"code": typed}).code
    except InvalidInput:
        return check_page(request, typed, error=_(BAD_CERTIFICATE), status=422)
    return RedirectResponse(f"/chung-nhan/{code}", status_code=303)


async def certificate_check(request: Request) -> Response:
    await auth.current_staff(request)
    typed = request.path_params["code"]
    try:
        query = parse(VerifyCertificate, {"code": typed})
    except InvalidInput:
        return check_page(request, typed[:40], error=_(BAD_CERTIFICATE), status=422)
    if query.code != typed:
        return RedirectResponse(f"/chung-nhan/{query.code}", status_code=303)
    try:
        check = CertificateCheck.model_validate(await call(request, "verify_certificate", query))
    except NotFound:
        check = None
    if check is None or not (check.valid or check.certificate):
        return check_page(request, query.code, error=_(UNKNOWN_CERTIFICATE), status=404)
    return check_page(request, query.code, check=check)


routes = [
    Route(HOME, home, name="training"),
    Route(HOME, enter_code, methods=["POST"]),
    Route("/tap-huan/ma/{code}", personal_link, name="training_link"),
    Route("/tap-huan/thoat", leave, methods=["POST"]),
    Route(MINE, mine, name="my_training"),
    Route("/tap-huan/buoi/{session_id}/dang-ky", register, methods=["POST"]),
    Route("/tap-huan/dang-ky/{registration_id}", registration_page, name="training_registration"),
    Route("/tap-huan/dang-ky/{registration_id}/huy", cancel, methods=["POST"]),
    Route(
        "/tap-huan/diem-danh/{session_id}/{token}",
        check_in,
        methods=["GET", "POST"],
        name="training_check_in",
    ),
    Route(
        "/tap-huan/chung-nhan/{certificate_id}.pdf", certificate_pdf_file, name="certificate_pdf"
    ),
    Route("/chung-nhan", certificate_lookup, name="certificate_lookup"),
    Route("/chung-nhan/{code}", certificate_check, name="certificate_check"),
]
