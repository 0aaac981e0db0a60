"""The bare flow for the ward-poll benchmark: the four steps a household's phone takes
through the gateway, on the gateway's own paths, with no service, broker or database
behind them:

    GET  /b/{card}          the card's ballot page
    POST /b/{card}/confirm  the review page (the answers, a submission id, in hidden fields)
    POST /b/{card}/cast     a 303 to the receipt
    GET  /r/{code}          the receipt page

Each step parses what the gateway parses (the card code, the form with the gateway's
own `answers_for`, `check_answers`, `hidden_answers` and the `CastBallot` contract,
the receipt code) and renders the gateway's own template for that step
(gateway/templates, through Starlette's Jinja2Templates with the gateway's filters
and globals, gzipped above 500 bytes as the gateway does), from a fixed poll built
once from the shared contracts: the benchmark's poll as the surveys service gives it,
in a ward of 40 groups (loadtests/household_import.py registers 40) with
DANBAN_BARE_HOUSEHOLDS households in the first DANBAN_BARE_GROUPS of them, as
poll_benchmark.py seeds it. What the gateway signs into its pages (the ballot's view
in a hidden field, the receipt's status in the receipt's link: gateway/signed.py) is
a token of the same length here, made once at start and never checked: the pages
and the forms sent back are the same size, without the gateway's signing.

Page sizes in bytes before gzip (on the wire), 2026-12-05, for the same card: the
gateway (create_app, with a fake surveys service answering with the surveys
service's own BallotView for this poll) and this server:

                              600 households, 4 groups    30,000 households, 40 groups
    ballot page   gateway     2,916 (1,945)               2,929 (1,952)
                  bare        2,916 (1,945)               2,929 (1,953)
    review page   gateway     2,830 (1,919)               2,843 (1,926)
                  bare        2,830 (1,920)               2,843 (1,928)
    send          both        a 303, no body, a link of 283 characters
    receipt page  both        1,017 (634)

(The signed view, 1,207 characters, is 41% of the ballot page; before the gateway
signed its pages, commit 40e3885, they were 1,664, 1,578 and 1,017 bytes, and this
server's the same with those templates.) poll_benchmark.py reports the sizes locust
received in both runs. No session cookie: the gateway sets one on a household's
first page (its base layout's CSRF token for staff), the gateway's cost, not the bare
flow's. Run it as the gateway runs (deploy/serve_http.py), with as many workers:

    .venv/bin/python -m deploy.serve_http loadtests.bare_server:app --workers 2 --port 8001
"""

import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from itsdangerous import URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.language import LanguageMiddleware

# the gateway's form parsing; importing it also gives the templates their globals
from gateway.routes.ballots import answers_for, hidden_answers
from gateway.templating import language_context
from gateway.templating import templates as gateway_templates
from shared.ballot_codes import normalize_receipt, split_card_code
from shared.calendar import vietnam_day
from shared.contracts.surveys import BallotView, CastBallot, Poll, ReceiptStatus
from shared.errors import InvalidInput, parse
from shared.ids import new_code, new_id
from shared.poll_answers import check_answers

HOUSEHOLDS = int(os.environ.get("DANBAN_BARE_HOUSEHOLDS", "30000"))
GROUPS = int(os.environ.get("DANBAN_BARE_GROUPS", "40"))  # the groups with households
UNITS = 40  # the ward's groups, as loadtests/household_import.py registers them
WARD, WARD_NAME = "huong-an", "Phường Hương An"

# The gateway's templates and filters, with the reader's language but without the
# staff session and CSRF token (a resident's pages show neither).
templates = Jinja2Templates(env=gateway_templates.env, context_processors=[language_context])


def benchmark_poll() -> Poll:
    """The poll poll_benchmark.py creates, as the surveys service gives it once open."""
    now = datetime.now(UTC)
    by_unit = {f"tdp-{n}": HOUSEHOLDS // GROUPS if n <= GROUPS else 0
               for n in range(1, UNITS + 1)}  # fmt: skip
    return Poll.model_validate(
        {
            "id": uuid.uuid4().hex, "kind": "decision", "commune_id": WARD, "unit_id": WARD,
            "unit_name": WARD_NAME, "title": "Chuyển giờ thu gom rác", "description": "",
            "matter": "other", "channels": ["online", "paper"], "secret": False,
            "public_results": True,
            "questions": [{
                "id": "q1", "type": "single",
                "text": "Hộ gia đình có đồng ý chuyển giờ thu gom rác sang 5 giờ 30 sáng?",
                "options": [{"id": "opt1", "label": "Đồng ý"},
                            {"id": "opt2", "label": "Không đồng ý"}],
            }],
            "deciding_options": ["opt1"], "noticed_on": (now - timedelta(days=2)).date(),
            "opens_at": now, "closes_at": now + timedelta(hours=3),
            "online_opt_in": HOUSEHOLDS // 2 + 1, "meeting_fell_short": False,
            "status": "open", "created_by": "admin", "created_at": now,
            "electorate": {
                "as_of": now.date(), "total": sum(by_unit.values()), "by_unit": by_unit,
                "unit_names": {unit: f"Tổ dân phố {unit[4:]}" for unit in by_unit},
            },
        }
    )  # fmt: skip


POLL = benchmark_poll()
VIEW = BallotView(poll=POLL, household_code="HA7K2M", unit_name="Tổ dân phố 1", state="ready")
RECEIPT = ReceiptStatus(
    counted=True,
    poll_id=POLL.id,
    poll_title=POLL.title,
    poll_kind=POLL.kind,
    poll_status=POLL.status,
    secret=POLL.secret,
    public_results=POLL.public_results,
    cast_on=vietnam_day(datetime.now(UTC)),
)


def token_like_gateway(value: BallotView | ReceiptStatus, bound_to: str) -> str:
    """A token as long as the one the gateway signs `value` into (made once)."""
    salt = f"{type(value).__name__}|{bound_to}"
    signer = URLSafeTimedSerializer(secrets.token_urlsafe(32), salt=salt)
    return signer.dumps(value.model_dump(mode="json"))


VIEW_TOKEN = token_like_gateway(VIEW, "HA7K2M-3F9Q2XK7")
RECEIPT_TOKEN = token_like_gateway(RECEIPT, "ABCD-EFGH-JKLM")


def card_of(request: Request) -> tuple[str, str] | None:
    """(card code, household) from the URL, as the gateway normalises it."""
    parts = split_card_code(request.path_params["card_code"])
    return ("-".join(parts), parts[0]) if parts else None


def page(request: Request, name: str, context: dict) -> Response:
    return templates.TemplateResponse(request, name, context)


async def ballot(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return Response("không có phiếu này", status_code=404)
    card_code, household = card
    view = VIEW.model_copy(update={"household_code": household})
    context = {"view": view, "poll": POLL, "card_code": card_code, "signed_view": VIEW_TOKEN}
    return page(request, "ballot_form.html", {**context, "values": {}, "errors": {}})


async def confirm(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return Response("không có phiếu này", status_code=404)
    card_code, household = card
    form = await request.form()
    try:
        answers = check_answers(POLL.questions, answers_for(POLL.questions, form))
    except InvalidInput as invalid:
        return Response(str(invalid.fields), status_code=422)
    context = {
        "view": VIEW.model_copy(update={"household_code": household}),
        "poll": POLL,
        "card_code": card_code,
        "answers": answers,
        "submission_id": new_id(),
        "signed_view": VIEW_TOKEN,
        "retry": False,
    }
    return page(request, "ballot_confirm.html", context)


async def cast(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return Response("không có phiếu này", status_code=404)
    form = await request.form()
    command = {
        "card_code": card[0],
        "submission_id": str(form.get("submission_id", "")),
        "answers": hidden_answers(form),
    }
    try:
        parse(CastBallot, command)
    except InvalidInput as invalid:
        return Response(str(invalid.fields), status_code=422)
    code = new_code(12)
    link = f"/r/{code[:4]}-{code[4:8]}-{code[8:]}"
    if form.get("view"):  # the gateway signs the receipt's status into its link then
        link += f"?s={RECEIPT_TOKEN}"
    return RedirectResponse(link, status_code=303)


async def receipt(request: Request) -> Response:
    code = normalize_receipt(request.path_params["receipt_code"])
    request.query_params.get("s")  # parsed as the gateway does, not checked
    return page(request, "receipt.html", {"receipt": RECEIPT, "code": code})


app = Starlette(
    routes=[
        Route("/b/{card_code}", ballot),
        Route("/b/{card_code}/confirm", confirm, methods=["POST"]),
        Route("/b/{card_code}/cast", cast, methods=["POST"]),
        Route("/r/{receipt_code}", receipt),
    ],
    middleware=[  # as the gateway
        Middleware(LanguageMiddleware),
        Middleware(GZipMiddleware, minimum_size=500),
    ],
)
