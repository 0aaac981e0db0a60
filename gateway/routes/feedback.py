"""Residents' feedback pages (phản ánh, kiến nghị; Law 10/2022 Art 35.2.a): filing a
case from a phone with no account, following it with its receipt code, rating the
answer or reopening it once; and what anyone may read: the commune's answered cases,
its figures (a chart, a table, a CSV) and its citizen reception days.

No CSRF token on these forms: residents have no session to ride on. The receipt code
in the URL is the credential for a case (about 2^39 codes, and wrong ones count
against their sender as wrong card codes do), and a filing carries its own
request_id, so a forged cross-site post can do nothing its holder could not. Filings
are also limited per address here, before the feedback service limits them again."""

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_chart import figures_svg, figures_table
from gateway.feedback_csv import figures_csv
from gateway.feedback_forms import (
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
    refusal,
    stored_file,
    text,
    unit_names,
)
from gateway.forms import attachment
from gateway.routes.ballots import client_key, sender
from gateway.routes.pages import rpc
from shared.calendar import vietnam_day
from shared.contracts.feedback import (
    PHOTOS_PER_CASE,
    CommuneQuery,
    Figures,
    FiguresQuery,
    ListPublicCases,
    PhotoRef,
    PublicCase,
    PublicCaseList,
    RateAnswer,
    ReceptionSchedule,
    ReopenCase,
    StoredFile,
    TrackCase,
)
from shared.errors import Conflict, InvalidInput, NotFound, TooManyRequests, WireError, parse
from shared.i18n import N_, _, translate

FILINGS_PER_HOUR = 20  # from one address, per gateway worker (many phones share one)
TOO_MANY_FILINGS = N_(
    "Đã có nhiều phản ánh được gửi từ mạng của bạn trong một giờ qua. Vui lòng thử lại "
    "sau, hoặc đến bộ phận tiếp công dân của UBND."
)
TOO_MANY_WRONG_CODES = N_(
    "Đã có nhiều mã theo dõi sai được gửi từ mạng của bạn trong một phút qua. "
    "Vui lòng chờ một phút rồi nhập lại."
)
UNKNOWN_CODE = N_(
    "Không tìm thấy phản ánh có mã {code}. Mã gồm “PA-” và 8 chữ, số, ví dụ PA-7K2M9QXB. "
    "Vui lòng kiểm tra lại từng ký tự."
)
DONE = {
    "rated": N_("Cảm ơn bạn đã đánh giá câu trả lời."),
    "reopened": N_("Đã mở lại phản ánh. UBND sẽ xem xét và trả lời lại."),
}
WEEKDAYS_VI = (
    N_("Thứ Hai"),
    N_("Thứ Ba"),
    N_("Thứ Tư"),
    N_("Thứ Năm"),
    N_("Thứ Sáu"),
    N_("Thứ Bảy"),
    N_("Chủ nhật"),
)


# --- filing ---------------------------------------------------------------------


async def new_case(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    offered = await categories(request, commune_id)
    action = f"/communes/{commune_id}/feedback/new"
    if request.method == "GET":
        return filing_page(request, overview, offered, blank_filing(), {}, action=action)
    filings = request.app.state.filings
    async with request.form(max_files=PHOTOS_PER_CASE + 5) as form:  # closes the temp files
        values = filing_values(form)

        def refused(errors: dict[str, str], status_code: int) -> Response:
            lost = files_chosen(form, "photos")
            return filing_page(
                request,
                overview,
                offered,
                values,
                errors,
                action=action,
                files_lost=lost,
                status_code=status_code,
            )

        if filings.blocked(sender(request)):
            return refused({"__root__": _(TOO_MANY_FILINGS)}, 429)
        try:
            # A keyed hash of the address, not the address: the service counts filings
            # by it for an hour, and a denouncer's address is theirs (Denunciation Law
            # Art 47).
            source = client_key(request)
            receipt = await file_case(request, form, values, commune_id=commune_id, source=source)
        except (InvalidInput, Conflict, TooManyRequests) as problem:
            return refused(refusal(problem), problem.http_status)
    filings.record(sender(request))
    return RedirectResponse(f"/feedback/{receipt.code}?filed=1", status_code=303)


# --- following a case with its code ---------------------------------------------


async def lookup(request: Request) -> Response:
    typed = request.query_params.get("code")
    if typed is None:
        return page(request, "feedback_lookup.html", {"typed": "", "error": None})
    try:
        code = parse(TrackCase, {"code": typed}).code
    except InvalidInput:
        context = {"typed": typed, "error": _(UNKNOWN_CODE).format(code=typed.strip())}
        return page(request, "feedback_lookup.html", context, 422)
    return RedirectResponse(f"/feedback/{code}", status_code=303)


class TooManyWrongCodes(WireError):
    """This address sent too many wrong codes lately (gateway/wrong_codes.py)."""

    http_status = 429
    message_vi = TOO_MANY_WRONG_CODES


async def tracked(request: Request, typed: str) -> PublicCase:
    """The case of the `typed` code; NotFound for a code that opens nothing, which
    counts against its sender as a wrong card code does (gateway/wrong_codes.py)."""
    wrong_codes = request.app.state.wrong_codes
    if wrong_codes.blocked(sender(request)):
        raise TooManyWrongCodes()
    try:
        query = parse(TrackCase, {"code": typed})
        return PublicCase.model_validate(await call(request, "track_case", query))
    except (InvalidInput, NotFound):
        wrong_codes.record(sender(request))
        raise NotFound(_(UNKNOWN_CODE).format(code=typed.strip().upper())) from None


def case_view(
    request: Request,
    case: PublicCase,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The case page; after a refused rating or reopening, that `form` again with its
    `values` kept and its `errors` beside its fields."""
    context = {
        "case": case,
        "filed": request.query_params.get("filed") == "1",
        "done": _(DONE[done]) if (done := request.query_params.get("done", "")) in DONE else None,
        "values": {form: values or {}},
        "errors": {f"{form}.{key}": message for key, message in (errors or {}).items()},
    }
    return page(request, "feedback_case.html", context, status_code)


async def case_page(request: Request) -> Response:
    try:
        case = await tracked(request, request.path_params["code"])
    except (NotFound, TooManyWrongCodes) as refused:
        message = refused.detail or refused.message
        context = {"typed": request.path_params["code"], "error": message}
        return page(request, "feedback_lookup.html", context, refused.http_status)
    if case.code != request.path_params["code"]:
        return RedirectResponse(f"/feedback/{case.code}", status_code=303)
    return case_view(request, case)


async def rate(request: Request) -> Response:
    case = await tracked(request, request.path_params["code"])
    form = await request.form()
    satisfied = text(form, "satisfied")
    values = {"satisfied": satisfied, "reason": text(form, "reason")}
    if satisfied not in ("yes", "no"):
        errors = {"satisfied": _("Vui lòng chọn hài lòng hoặc chưa hài lòng.")}
        return case_view(request, case, "rate", values, errors, 422)
    try:
        payload = {"code": case.code, "satisfied": satisfied == "yes", "reason": values["reason"]}
        await call(request, "rate_answer", parse_command(RateAnswer, payload, {}))
    except (InvalidInput, Conflict) as refused:
        problems = refusal(refused)
        if satisfied == "no" and "__root__" in problems:  # the reason it needs is missing
            problems["reason"] = problems.pop("__root__")
        return case_view(request, case, "rate", values, problems, refused.http_status)
    return RedirectResponse(f"/feedback/{case.code}?done=rated", status_code=303)


async def reopen(request: Request) -> Response:
    case = await tracked(request, request.path_params["code"])
    form = await request.form()
    values = {"reason": text(form, "reason")}
    try:
        command = parse_command(ReopenCase, {"code": case.code, **values}, {})
        await call(request, "reopen_case", command)
    except (InvalidInput, Conflict) as refused:
        return case_view(request, case, "reopen", values, refusal(refused), refused.http_status)
    return RedirectResponse(f"/feedback/{case.code}?done=reopened", status_code=303)


async def case_file(request: Request) -> Response:
    """A photo of the case, or an attachment of its answer, for the code's holder."""
    case = await tracked(request, request.path_params["code"])
    ref = PhotoRef(photo_id=request.path_params["file_id"], code=case.code)
    return stored_file(StoredFile.model_validate(await call(request, "get_file", ref)))


async def answer_file(request: Request) -> Response:
    """An attachment of an answer on the public list, for anyone."""
    ref = PhotoRef(photo_id=request.path_params["file_id"], case_id=request.path_params["case_id"])
    return stored_file(StoredFile.model_validate(await call(request, "get_file", ref)))


# --- what anyone may read -------------------------------------------------------


async def public_cases(request: Request) -> Response:
    """The commune's answered cases, filtered by category and unit, each shown whole
    (masked): the code is the filer's, so there is no page of a case to link to."""
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    offered = await categories(request, commune_id)
    chosen = {key: request.query_params.get(key) or None for key in ("category", "unit_id")}
    query = parse(
        ListPublicCases, {"commune_id": commune_id, **chosen, "page": page_number(request)}
    )
    listed = PublicCaseList.model_validate(await call(request, "list_public_cases", query))
    context = {
        "overview": overview,
        "categories": offered.categories,
        "listed": listed,
        "chosen": chosen,
        "filters": urlencode({key: value for key, value in chosen.items() if value}),
        "unit_names": unit_names(overview),
    }
    return page(request, "feedback_public.html", context)


def _this_year() -> int:
    return vietnam_day(datetime.now(UTC)).year


async def _figures(request: Request) -> tuple[Figures, dict[str, str], dict[str, str], str]:
    """The figures the query asks for, with the names of units and categories."""
    commune_id = request.path_params["commune_id"]
    year, month = request.query_params.get("year", ""), request.query_params.get("month", "")
    query = parse(
        FiguresQuery,
        {"commune_id": commune_id, "year": year or _this_year(), "month": month or None},
    )
    figures = Figures.model_validate(await call(request, "figures", query))
    overview = await directory.commune_overview(rpc(request), commune_id)
    names = {
        category.key: translate(category.name)  # a default category's name is a message
        for category in (await categories(request, commune_id)).categories
    }
    return figures, unit_names(overview), names, overview.commune.name


async def figures_page(request: Request) -> Response:
    await auth.current_staff(request)
    figures, units, category_names, commune_name = await _figures(request)
    context = {
        "figures": figures,
        "commune_name": commune_name,
        "chart": figures_svg(figures, category_names),
        "table": figures_table(figures, units, category_names),
        "years": range(_this_year(), 2019, -1),
        "query": request.url.query,
    }
    return page(request, "feedback_figures.html", context)


async def figures_csv_file(request: Request) -> Response:
    figures, units, category_names, _commune = await _figures(request)
    period = f"{figures.year}" + (f"-{figures.month:02d}" if figures.month else "")
    filename = f"phan-anh-{figures.commune_id}-{period}.csv"
    return Response(
        figures_csv(figures, units, category_names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(filename)},
    )


async def reception_page(request: Request) -> Response:
    """The commune's citizen reception days (Citizen Reception Law 2013 Art 15)."""
    commune_id = request.path_params["commune_id"]
    await auth.current_staff(request)
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = CommuneQuery(commune_id=commune_id)
    schedule = ReceptionSchedule.model_validate(
        await call(request, "get_reception_schedule", query)
    )
    slots = sorted(schedule.slots, key=lambda slot: (slot.weekday, slot.starts))
    context = {
        "overview": overview,
        "schedule": schedule,
        "slots": slots,
        "WEEKDAYS_VI": WEEKDAYS_VI,
    }
    return page(request, "reception.html", context)


COMMUNE = "/communes/{commune_id}"
CASE = "/feedback/{code}"
routes = [
    Route(COMMUNE + "/feedback/new", new_case, methods=["GET", "POST"], name="new_feedback"),
    Route(COMMUNE + "/feedback", public_cases, name="public_feedback"),
    Route(COMMUNE + "/feedback/figures", figures_page, name="feedback_figures"),
    Route(COMMUNE + "/feedback/figures.csv", figures_csv_file, name="feedback_figures_csv"),
    Route(COMMUNE + "/reception", reception_page, name="reception"),
    Route("/feedback", lookup, name="feedback_lookup"),
    Route(CASE, case_page, name="feedback_case"),
    Route(CASE + "/rate", rate, methods=["POST"], name="feedback_rate"),
    Route(CASE + "/reopen", reopen, methods=["POST"], name="feedback_reopen"),
    Route(CASE + "/files/{file_id}", case_file, name="feedback_file"),
    Route("/feedback/cases/{case_id}/files/{file_id}", answer_file, name="feedback_answer_file"),
]
