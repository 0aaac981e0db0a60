"""Commendations (khen thưởng) as anyone sees them, with no sign-in: the commune's
honour board (bảng vinh danh) of decided commendations by year, title and unit, with
their photos; the public check of a certificate's code, which its QR code opens; and
the lists of nominees posted for comment (common practice before the commune's
commendation council meets; the period is the commune's rule), with a form to comment
on a nominee or on the list, answered with a receipt code.

No CSRF token on the comment form, as on the feedback form: a commenter has no
session to ride on, and each form carries its own request_id, so a comment sent twice
is kept once. Comments count against their address with feedback filings (the
contract carries no source for the service to count by). The recognition service
decides everything; these pages say what it decided."""

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import refusal, stored_file, text
from gateway.forms import parse_form
from gateway.routes.ballots import sender
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.calendar import vietnam_day
from shared.contracts.feedback import StoredFile
from shared.contracts.recognition import (
    PROPOSED_BY_VI,
    RECIPIENT_KINDS_VI,
    STATUS_NAMES_VI,
    TITLE_NAMES_VI,
    CertificateQuery,
    CommendationCertificate,
    CommentOnNominees,
    CommentReceipt,
    HonourBoard,
    HonourQuery,
    OpenPostings,
    PhotoRef,
    Postings,
    Title,
)
from shared.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from shared.i18n import N_, _, format_number
from shared.ids import new_id

LABELS = {
    "TITLE_NAMES_VI": TITLE_NAMES_VI,
    "STATUS_NAMES_VI": STATUS_NAMES_VI,
    "PROPOSED_BY_VI": PROPOSED_BY_VI,
    "RECIPIENT_KINDS_VI": RECIPIENT_KINDS_VI,
}
CHECK = "/vinh-danh/giay-khen"
BAD_CODE = N_("Mã giấy khen chưa đúng: mã in dưới mã QR của giấy khen, ví dụ KT-7K2M9QXB.")
UNKNOWN_CODE = N_("Mã không đúng hoặc không tồn tại.")
TOO_MANY_COMMENTS = N_(
    "Đã có nhiều ý kiến, phản ánh được gửi từ mạng của bạn trong một giờ qua. "
    "Vui lòng thử lại sau, hoặc góp ý trực tiếp tại UBND."
)
COMMENT_FIELDS = ("request_id", "posting_id", "nomination_id", "name", "contact", "text")
# Clearer words than the contract's for what a commenter most often gets wrong.
COMMENT_ERRORS = {
    "posting_id": N_("Vui lòng chọn danh sách muốn góp ý."),
    "name": N_("Vui lòng cho biết họ tên của bạn."),
    "text": N_("Vui lòng viết ý kiến của bạn (ít nhất 3 ký tự)."),
    "request_id": N_("Biểu mẫu đã cũ. Vui lòng kiểm tra lại rồi gửi lần nữa."),
}


def money(amount: int) -> str:
    """Đồng as the reader writes them: 1.234.000 đ (1,234,000 VND)."""
    return _("{amount} đ").format(amount=format_number(amount))


def multiple(value: float) -> str:
    """A multiple of the base salary as the reader writes it: 0,3 (0.3)."""
    return format_number(value)


templates.env.filters["money"] = money
templates.env.filters["multiple"] = multiple


def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, {**LABELS, **context}, status_code=status)


async def call(request: Request, method: str, command: BaseModel) -> Any:
    return await rpc(request).call("recognition", method, command.model_dump(mode="json"))


def today() -> date:
    return vietnam_day(datetime.now(UTC))


# --- the honour board -------------------------------------------------------------


def honour_query(request: Request, commune_id: str) -> HonourQuery:
    """The filters asked for; one that is not a year, a title or a unit is ignored (a
    link typed by hand shows the board, not an error)."""
    asked = request.query_params
    year = asked.get("nam", "")
    title = asked.get("danh-hieu", "")
    unit = asked.get("don-vi", "").strip()[:200]
    return HonourQuery(
        commune_id=commune_id,
        year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        title=Title(title) if title in set(Title) else None,
        unit=unit or None,
    )


async def honour_board(request: Request) -> Response:
    await auth.current_staff(request)  # for the page's header
    commune_id = request.path_params["commune_id"]
    query = honour_query(request, commune_id)
    overview, reply = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id),
        call(request, "honour_board", query),
    )
    context = {"overview": overview, "board": HonourBoard.model_validate(reply), "query": query}
    return page(request, "honour_board.html", context)


async def honour_photo(request: Request) -> Response:
    """A photo on the board: only what the service re-encoded, never run in the page."""
    ref = PhotoRef(nomination_id=request.path_params["nomination_id"])
    return stored_file(StoredFile.model_validate(await call(request, "honour_photo", ref)))


# --- the certificate's public check -----------------------------------------------


def check_page(request: Request, typed: str, status: int = 200, **context: Any) -> Response:
    values = {"typed": typed, "error": None, "certificate": None, "commune": None, **context}
    return page(request, "honour_check.html", values, status)


async def certificate_lookup(request: Request) -> Response:
    """The form to type a code (GET, so its result has an address to share)."""
    await auth.current_staff(request)
    typed = request.query_params.get("code")
    if typed is None:
        return check_page(request, "")
    try:
        code = parse_form(CertificateQuery, {"code": typed}, {}).code
    except InvalidInput:
        return check_page(request, typed[:40], 422, error=_(BAD_CODE))
    return RedirectResponse(f"{CHECK}/{code.upper()}", status_code=303)


async def certificate_check(request: Request) -> Response:
    await auth.current_staff(request)
    typed = request.path_params["code"]
    try:
        query = parse_form(CertificateQuery, {"code": typed}, {})
    except InvalidInput:
        return check_page(request, typed[:40], 422, error=_(BAD_CODE))
    if query.code.upper() != typed:  # one address per certificate: the code as printed
        return RedirectResponse(f"{CHECK}/{query.code.upper()}", status_code=303)
    try:
        reply = await call(request, "certificate", query)
    except NotFound:
        return check_page(request, query.code, 404, error=_(UNKNOWN_CODE))
    certificate = CommendationCertificate.model_validate(reply)
    overview = await directory.commune_overview(rpc(request), certificate.commune_id)
    return check_page(request, query.code, certificate=certificate, commune=overview.commune)


# --- the lists posted for comment -------------------------------------------------


def blank_comment() -> dict[str, str]:
    """A new form, with its own request_id: sent twice, it still makes one comment."""
    return dict.fromkeys(COMMENT_FIELDS, "") | {"request_id": new_id()}


async def comment_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    commune_id = request.path_params["commune_id"]
    query = OpenPostings(commune_id=commune_id, on=today())
    overview, reply = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id),
        call(request, "open_postings", query),
    )
    postings = Postings.model_validate(reply).postings
    values = values or blank_comment()
    if len(postings) == 1 and not values["posting_id"]:
        values = {**values, "posting_id": postings[0].posting_id}
    context = {
        "overview": overview,
        "postings": postings,
        "values": values,
        "errors": errors or {},
    }
    return page(request, "commendation_comment.html", context, status)


async def comment_form(request: Request) -> Response:
    await auth.current_staff(request)
    return await comment_page(request)


async def comment(request: Request) -> Response:
    """A comment on the list, or on one nominee of it; its receipt, or why not."""
    await auth.current_staff(request)
    form = await request.form()
    values = {name: text(form, name) for name in COMMENT_FIELDS}
    filings = request.app.state.filings
    if filings.blocked(sender(request)):
        return await comment_page(request, values, {"__root__": _(TOO_MANY_COMMENTS)}, 429)
    payload = {**values, "nomination_id": values["nomination_id"] or None}
    try:
        command = parse_form(CommentOnNominees, payload, {})
        receipt = CommentReceipt.model_validate(await call(request, "comment", command))
    except (InvalidInput, Conflict, NotFound, TooManyRequests) as refused:
        errors = {
            name: _(COMMENT_ERRORS[name]) if name in COMMENT_ERRORS else why
            for name, why in refusal(refused).items()
        }
        return await comment_page(request, values, errors, refused.http_status)
    filings.record(sender(request))
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    return page(request, "commendation_receipt.html", {"overview": overview, "receipt": receipt})


routes = [
    Route("/vinh-danh/anh/{nomination_id}", honour_photo, name="honour_photo"),
    Route(CHECK, certificate_lookup, name="commendation_certificate_lookup"),
    Route(CHECK + "/{code}", certificate_check, name="commendation_certificate_check"),
    Route("/vinh-danh/{commune_id}", honour_board, name="honour_board"),
    Route("/khen-thuong/{commune_id}/lay-y-kien", comment_form, name="commendation_comments"),
    Route("/khen-thuong/{commune_id}/lay-y-kien", comment, methods=["POST"]),
]
