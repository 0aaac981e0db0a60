"""The resident's pages for ballots (issue #4): a card's link opens the matter and its
questions, the resident confirms, the ballot is cast once, and a receipt proves it
was counted. Also the anonymous satisfaction survey (Law 10/2022 Art 35).

No CSRF token on these forms: residents have no session to ride on. The card code
in the URL is the credential (an HMAC only its card carries), and casting the same
`submission_id` twice records one ballot, so a forged cross-site post can do
nothing the card's holder could not.

Every page works without JavaScript; the confirmation step carries the answers in
hidden fields, so nothing is kept between requests.
"""

import hashlib
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import signed
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.ballot_codes import normalize_receipt, split_card_code
from shared.calendar import vietnam_day
from shared.contracts.surveys import (
    FREE_TEXT_MAX,
    MATTER_NAMES_VI,
    Answers,
    BallotReceipt,
    BallotState,
    BallotView,
    CastBallot,
    Poll,
    PollKind,
    PollStatus,
    Question,
    ReceiptStatus,
)
from shared.errors import (
    AlreadyVoted,
    InvalidInput,
    NotFound,
    PollNotOpen,
    ServiceUnavailable,
    parse,
)
from shared.i18n import N_, _
from shared.ids import new_id
from shared.poll_answers import check_answers

RATING_VI = {  # shown with _() where shown
    "1": N_("Rất không hài lòng"),
    "2": N_("Không hài lòng"),
    "3": N_("Bình thường"),
    "4": N_("Hài lòng"),
    "5": N_("Rất hài lòng"),
}
BAD_CARD_CODE = N_(
    "Mã phiếu chưa đúng. Mã gồm mã hộ, dấu gạch ngang và 8 ký tự, "
    "ví dụ HA7K2M-3F9Q2XK7. Vui lòng nhập lại đúng như in trên phiếu."
)
TOO_MANY_WRONG_CODES = N_(
    "Đã có nhiều mã phiếu sai được gửi từ mạng của bạn trong một phút qua. Vui lòng "
    "chờ một phút rồi nhập lại, kiểm tra từng ký tự đúng như in trên phiếu."
)
UNKNOWN_CARD = N_(
    "Không tìm thấy phiếu có mã này. Vui lòng kiểm tra lại từng ký tự trên phiếu. "
    "Nếu hộ đã được cấp phiếu mới thì phiếu cũ không còn dùng được."
)


templates.env.globals.update(
    RATING_VI=RATING_VI,
    MATTER_NAMES_VI=MATTER_NAMES_VI,
    FREE_TEXT_MAX=FREE_TEXT_MAX,
)


def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def answers_for(questions: list[Question], form) -> Answers:
    """What the form says for each question: `q-<id>`, several for checkboxes."""
    return {q.id: [str(v) for v in form.getlist(f"q-{q.id}")] for q in questions}


def hidden_answers(form) -> Answers:
    """The answers the confirmation page carried in its hidden fields."""
    return {key[2:]: [str(v) for v in form.getlist(key)] for key in form if key.startswith("q-")}


# --- typing a card code ---------------------------------------------------------


def card_code_page(request: Request, typed: str, error: str | None, status: int) -> Response:
    """`error`: a message of this module, shown in the reader's language."""
    shown = _(error) if error else None
    return page(request, "ballot_code.html", {"typed": typed, "error": shown}, status)


async def enter_code(request: Request) -> Response:
    typed = request.query_params.get("code")
    if typed is None:
        return card_code_page(request, "", None, 200)
    parts = split_card_code(typed)
    if parts is None:
        return card_code_page(request, typed, BAD_CARD_CODE, 422)
    return RedirectResponse(f"/b/{'-'.join(parts)}", status_code=303)


class TooManyWrongCodes(NotFound):
    """This address sent too many wrong card codes lately (gateway/wrong_codes.py)."""


def card_code_of(request: Request) -> str:
    """The card code in the URL, normalised; NotFound (as for a forged card, without
    asking the service) if it cannot be one, or if this address has sent too many
    wrong ones lately."""
    if request.app.state.wrong_codes.blocked(sender(request)):
        raise TooManyWrongCodes()
    parts = split_card_code(request.path_params["card_code"])
    if parts is None:
        raise NotFound()
    return "-".join(parts)


def sender(request: Request) -> str:
    return request.client.host if request.client else ""


def wrong_card(request: Request, typed: str, refused: NotFound) -> Response:
    """The page for a card code that opens nothing, counted against its sender."""
    if isinstance(refused, TooManyWrongCodes):
        return card_code_page(request, typed, TOO_MANY_WRONG_CODES, 429)
    request.app.state.wrong_codes.record(sender(request))
    return card_code_page(request, typed, UNKNOWN_CARD, 404)


async def open_ballot(request: Request, card_code: str) -> BallotView:
    reply = await rpc(request).call("surveys", "open_ballot", {"card_code": card_code})
    return BallotView.model_validate(reply)


async def ballot_view(request: Request, card_code: str, form) -> tuple[BallotView, str]:
    """The view the page before signed into the form (no call), or the service's,
    with its signed form to carry to the next page (signed once, passed on)."""
    carried = form.get("view")
    view = signed.ballot_view(request, carried, card_code)
    if view is not None:
        return view, str(carried)
    view = await open_ballot(request, card_code)
    return view, signed.sign(request, view, card_code)


# --- the ballot -------------------------------------------------------------------


def form_page(
    request: Request,
    view: BallotView,
    signed_view: str,
    card_code: str,
    values: Answers,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {"view": view, "poll": view.poll, "card_code": card_code}
    context |= {"signed_view": signed_view}
    return page(
        request, "ballot_form.html", {**context, "values": values, "errors": errors}, status
    )


def state_page(request: Request, view: BallotView, status: int = 200) -> Response:
    return page(request, "ballot_state.html", {"view": view, "poll": view.poll}, status)


def retry_page(request: Request, action: str, answers: Answers, submission_id: str) -> Response:
    """The service did not answer: the same form again, answers in hidden fields."""
    context = {"action": action, "answers": answers, "submission_id": submission_id}
    return page(request, "ballot_confirm.html", {**context, "retry": True}, 503)


def refused_page(request: Request, refused: AlreadyVoted | PollNotOpen) -> Response:
    """The service refused the ballot: say why, in its own words."""
    state = "already_voted" if isinstance(refused, AlreadyVoted) else "not_open"
    context = {"state": state, "message": refused.detail or refused.message}
    return page(request, "ballot_refused.html", context, refused.http_status)


async def ballot(request: Request) -> Response:
    """GET: the card's link. POST: "Sửa lại" from the confirmation, answers kept."""
    typed = request.path_params["card_code"]
    form = await request.form() if request.method == "POST" else {}
    try:
        card_code = card_code_of(request)
        view, signed_view = await ballot_view(request, card_code, form)
    except NotFound as refused:
        return wrong_card(request, typed, refused)
    except PollNotOpen as refused:
        return refused_page(request, refused)
    if request.method == "GET" and card_code != typed:
        return RedirectResponse(f"/b/{card_code}", status_code=303)
    if view.state != BallotState.READY:
        return state_page(request, view)
    values = answers_for(view.poll.questions, form) if form else {}
    return form_page(request, view, signed_view, card_code, values, {})


async def confirm(request: Request) -> Response:
    """The answers to review; no call to the service when the ballot page signed its
    view into the form (the service checks everything again when the ballot is sent)."""
    typed = request.path_params["card_code"]
    form = await request.form()
    try:
        card_code = card_code_of(request)
        view, signed_view = await ballot_view(request, card_code, form)
    except NotFound as refused:
        return wrong_card(request, typed, refused)
    except PollNotOpen as refused:
        return refused_page(request, refused)
    except ServiceUnavailable:
        return retry_page(request, f"/b/{card_code}/confirm", hidden_answers(form), "")
    if view.state != BallotState.READY:
        return state_page(request, view, 409)
    values = answers_for(view.poll.questions, form)
    try:
        answers = check_answers(view.poll.questions, values)
    except InvalidInput as invalid:
        return form_page(request, view, signed_view, card_code, values, invalid.fields, 422)
    context = {
        "view": view,
        "poll": view.poll,
        "card_code": card_code,
        "answers": answers,
        "submission_id": new_id(),
        "signed_view": signed_view,  # as it came: signed once, on the ballot page
        "retry": False,
    }
    return page(request, "ballot_confirm.html", context)


async def cast(request: Request) -> Response:
    typed = request.path_params["card_code"]
    form = await request.form()
    answers = hidden_answers(form)
    submission_id = str(form.get("submission_id", ""))
    try:
        card_code = card_code_of(request)
        command = parse(
            CastBallot, {"card_code": card_code, "submission_id": submission_id, "answers": answers}
        )
        reply = await rpc(request).call("surveys", "cast_ballot", command.model_dump(mode="json"))
    except NotFound as refused:
        return wrong_card(request, typed, refused)
    except (AlreadyVoted, PollNotOpen) as refused:
        return refused_page(request, refused)
    except ServiceUnavailable:
        # Nothing is lost: the same answers and submission_id go out again, and the
        # service records one submission once however often it arrives.
        return retry_page(request, f"/b/{card_code}/cast", answers, submission_id)
    except InvalidInput as invalid:
        view, signed_view = await ballot_view(request, card_code, form)
        errors = invalid.fields or {"__root__": invalid.detail or invalid.message}
        return form_page(request, view, signed_view, card_code, answers, errors, 422)
    receipt = BallotReceipt.model_validate(reply)
    return RedirectResponse(receipt_link(request, receipt, form, card_code), status_code=303)


def receipt_link(request: Request, receipt: BallotReceipt, form, card_code: str) -> str:
    """The receipt page's address, with what it shows signed in when the ballot's
    view came with the form, so that page needs no call to the service."""
    link = f"/r/{receipt.receipt_code}"
    view = signed.ballot_view(request, form.get("view"), card_code)
    if view is None:
        return link
    poll = view.poll
    status = ReceiptStatus(
        counted=True,
        poll_id=poll.id,
        poll_title=poll.title,
        poll_kind=poll.kind,
        poll_status=PollStatus.OPEN,  # it was open: the ballot was accepted
        secret=poll.secret,
        public_results=poll.public_results,
        cast_on=vietnam_day(receipt.cast_at),
    )
    return f"{link}?s={signed.sign(request, status, receipt.receipt_code)}"


# --- receipts ---------------------------------------------------------------------


def receipt_lookup_page(request: Request, typed: str, error: str | None, status: int) -> Response:
    return page(request, "receipt_lookup.html", {"typed": typed, "error": error}, status)


async def enter_receipt(request: Request) -> Response:
    typed = request.query_params.get("code")
    if typed is None:
        return receipt_lookup_page(request, "", None, 200)
    code = normalize_receipt(typed)
    if not code:
        return receipt_lookup_page(request, typed, _("Vui lòng nhập mã biên nhận."), 422)
    return RedirectResponse(f"/r/{code}", status_code=303)


async def receipt(request: Request) -> Response:
    code = normalize_receipt(request.path_params["receipt_code"])
    shown = signed.receipt_status(request, request.query_params.get("s"), code)
    if shown is not None:  # right after sending: what the service answered then
        return page(request, "receipt.html", {"receipt": shown, "code": code})
    try:
        reply = await rpc(request).call("surveys", "check_receipt", {"receipt_code": code})
    except NotFound:
        message = _(
            "Không tìm thấy phiếu nào có mã biên nhận {code}. Vui lòng kiểm tra lại "
            "từng ký tự (mã gồm 12 ký tự, không có số 0, số 1, chữ O và chữ I)."
        ).format(code=code)
        return receipt_lookup_page(request, code, message, 404)
    status = ReceiptStatus.model_validate(reply)
    return page(request, "receipt.html", {"receipt": status, "code": code})


# --- the satisfaction survey (Law 10/2022 Art 35.2.a: anyone, anonymous) -----------


def client_key(request: Request) -> str:
    """A key for the abuse limit (a few answers per sender per day) that stores no
    address: a keyed hash of the sender's address and today's date, which changes
    every day and cannot be turned back into the address without the gateway's
    secret key. Behind a proxy, uvicorn --proxy-headers gives the real address."""
    today = vietnam_day(datetime.now(UTC)).isoformat()
    secret = request.app.state.settings.secret_key
    return hashlib.sha256(f"{secret}|{today}|{sender(request)}".encode()).hexdigest()[:32]


async def get_survey(request: Request) -> Poll:
    reply = await rpc(request).call(
        "surveys", "get_poll", {"poll_id": request.path_params["poll_id"]}
    )
    poll = Poll.model_validate(reply)
    if poll.kind != PollKind.SATISFACTION:
        raise NotFound()
    return poll


def survey_page(
    request: Request,
    poll: Poll,
    values: Answers,
    errors: dict[str, str],
    submission_id: str,
    is_open: bool = True,
) -> Response:
    context = {
        "poll": poll,
        "values": values,
        "errors": errors,
        "submission_id": submission_id,
        "open": is_open and poll.status == PollStatus.OPEN,
    }
    status = 422 if errors else 200 if is_open else 409
    return page(request, "satisfaction.html", context, status)


async def survey(request: Request) -> Response:
    poll = await get_survey(request)
    if request.method == "GET":
        return survey_page(request, poll, {}, {}, new_id())
    form = await request.form()
    values = answers_for(poll.questions, form)
    submission_id = str(form.get("submission_id", "")) or new_id()
    try:
        answers = check_answers(poll.questions, values)
        reply = await rpc(request).call(
            "surveys",
            "answer_satisfaction",
            {
                "poll_id": poll.id,
                "submission_id": submission_id,
                "client_key": client_key(request),
                "answers": answers,
            },
        )
    except InvalidInput as invalid:
        errors = invalid.fields or {"__root__": invalid.detail or invalid.message}
        return survey_page(request, poll, values, errors, submission_id)
    except PollNotOpen:
        return survey_page(request, poll, {}, {}, "", is_open=False)
    thanks = BallotReceipt.model_validate(reply)
    return page(request, "satisfaction_thanks.html", {"poll": poll, "receipt": thanks})


routes = [
    Route("/b", enter_code, name="enter_card_code"),
    Route("/b/{card_code}", ballot, methods=["GET", "POST"], name="ballot"),
    Route("/b/{card_code}/confirm", confirm, methods=["POST"], name="ballot_confirm"),
    Route("/b/{card_code}/cast", cast, methods=["POST"], name="ballot_cast"),
    Route("/r", enter_receipt, name="enter_receipt"),
    Route("/r/{receipt_code}", receipt, name="receipt"),
    Route("/s/{poll_id}", survey, methods=["GET", "POST"], name="satisfaction"),
]
