"""The commune's public notice board (bảng công khai, Law 10/2022 Art 11-13): what is
posted today, grouped by item of Art 11; its archive; one disclosure; the quarterly
index, as a page and a PDF to print and post. Staff post a disclosure with a form
that shows the 5-working-day deadline and asks for a reason when it is late.

The notifications service checks permissions and the law; the form shows each
refusal beside its field, keeping what was typed."""

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.board_pdf import quarterly_index_pdf
from gateway.forms import parse_form, pdf_download
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared import disclosure_periods
from shared.calendar import quarter_of, vietnam_day
from shared.contracts.disclosures import (
    CATEGORY_NAMES_VI,
    FORM_NAMES_VI,
    Disclosure,
    DisclosureCategory,
    DisclosureForm,
    DisclosureIndex,
    DisclosureList,
    GetDisclosure,
    ListDisclosures,
    PostDisclosure,
    QuarterlyIndex,
)
from shared.errors import InvalidInput, NotFound
from shared.i18n import _
from shared.ids import new_id

LABELS = {
    "CATEGORY_NAMES_VI": CATEGORY_NAMES_VI,
    "FORM_NAMES_VI": FORM_NAMES_VI,
    "categories": list(DisclosureCategory),
    "MIN_LOUDSPEAKER_DAYS": disclosure_periods.MIN_LOUDSPEAKER_DAYS,
}
TEXT_FIELDS = (
    "request_id", "category", "title", "summary", "decision_ref", "decision_date",
    "posted_from", "posted_to", "loudspeaker_days", "late_reason", "replaces",
)  # fmt: skip
REQUIRED_DATES = ("decision_date", "posted_from")


def _today() -> date:
    return vietnam_day(datetime.now(UTC))


def _page(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {**LABELS, **context}, status_code=status_code
    )


async def _call(request: Request, method: str, query: BaseModel) -> Any:
    return await rpc(request).call("notifications", method, query.model_dump(mode="json"))


def _category(text: str | None) -> DisclosureCategory | None:
    return (
        DisclosureCategory(int(text)) if text and text.isdigit() and 1 <= int(text) <= 14 else None
    )


def _quarter_of(request: Request) -> tuple[int, int]:
    year, quarter = request.path_params["year"], request.path_params["quarter"]
    if not 1 <= quarter <= 4:
        raise NotFound(_("Mỗi năm có 4 quý, từ quý 1 đến quý 4."))
    if not 2000 <= year <= 2100:
        raise NotFound(_("Không có danh mục công khai của năm này."))
    return year, quarter


def grouped(disclosures: list[Disclosure]) -> list[tuple[DisclosureCategory, list[Disclosure]]]:
    """The disclosures by item of Art 11, in the law's order."""
    return [
        (category, found)
        for category in DisclosureCategory
        if (found := [d for d in disclosures if d.category == category])
    ]


# --- what residents read ----------------------------------------------------------


async def _listing(request: Request, which: str) -> Response:
    commune_id = request.path_params["commune_id"]
    await auth.current_staff(request)
    overview = await directory.commune_overview(rpc(request), commune_id)
    category = _category(request.query_params.get("muc"))
    today = _today()
    query = ListDisclosures(commune_id=commune_id, on=today, which=which, category=category)
    listed = DisclosureList.model_validate(await _call(request, "list_disclosures", query))
    context = {
        "overview": overview,
        "groups": grouped(listed.disclosures),
        "chosen": category,
        "which": which,
        "quarter": quarter_of(today),
    }
    return _page(request, "board.html", context)


async def board_page(request: Request) -> Response:
    return await _listing(request, "current")


async def archive_page(request: Request) -> Response:
    return await _listing(request, "archive")


async def disclosure_page(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    await auth.current_staff(request)
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = GetDisclosure(commune_id=commune_id, disclosure_id=request.path_params["disclosure_id"])
    disclosure = Disclosure.model_validate(await _call(request, "get_disclosure", query))
    return _page(request, "board_item.html", {"overview": overview, "item": disclosure})


async def _index(request: Request) -> DisclosureIndex:
    year, quarter = _quarter_of(request)
    query = QuarterlyIndex(commune_id=request.path_params["commune_id"], year=year, quarter=quarter)
    return DisclosureIndex.model_validate(await _call(request, "quarterly_index", query))


async def index_page(request: Request) -> Response:
    await auth.current_staff(request)
    index = await _index(request)
    overview = await directory.commune_overview(rpc(request), index.commune_id)
    previous = (index.year, index.quarter - 1) if index.quarter > 1 else (index.year - 1, 4)
    following = (index.year, index.quarter + 1) if index.quarter < 4 else (index.year + 1, 1)
    context = {"overview": overview, "index": index, "previous": previous, "following": following}
    return _page(request, "board_index.html", context)


async def index_pdf(request: Request) -> Response:
    index = await _index(request)
    overview = await directory.commune_overview(rpc(request), index.commune_id)
    font_dir = request.app.state.settings.pdf_font_dir
    content = await run_in_threadpool(quarterly_index_pdf, index, overview.commune.name, font_dir)
    return pdf_download(content, f"danh-muc-cong-khai-{index.year}-quy-{index.quarter}.pdf")


# --- staff post a disclosure -------------------------------------------------------


def _new_values() -> dict[str, Any]:
    starts, ends = disclosure_periods.default_period(_today())
    return {
        **dict.fromkeys(TEXT_FIELDS, ""),
        "request_id": new_id(),
        "decision_date": _today().isoformat(),
        "posted_from": starts.isoformat(),
        "posted_to": ends.isoformat(),
        "forms": [DisclosureForm.POSTING.value],
    }


def _update_values(old: Disclosure) -> dict[str, Any]:
    """The form for an update of a permanent disclosure: its item, title and text to
    change, and no end date (Art 12.3: items 4 and 13 stay posted, updated on change)."""
    return {
        "replaces": old.id,
        "category": str(old.category.value),
        "title": old.title,
        "summary": old.summary,
        "posted_to": "",
        "forms": [form.value for form in old.forms if form != DisclosureForm.PORTAL],
    }


def _values_from(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name, "")
        values[name] = value.strip() if isinstance(value, str) else ""
    values["forms"] = [str(form_) for form_ in form.getlist("forms")]
    return values


def _command(values: dict[str, Any], actor: str, commune_id: str) -> PostDisclosure:
    """The command, or InvalidInput with a Vietnamese message for every field."""
    errors: dict[str, str] = {}
    if _category(values["category"]) is None:
        errors["category"] = _("Vui lòng chọn nội dung công khai (Điều 11).")
    payload: dict[str, Any] = {
        "actor": actor,
        "commune_id": commune_id,
        "forms": [*values["forms"], DisclosureForm.PORTAL.value],
        **{name: values[name] for name in TEXT_FIELDS if values[name]},
    }
    payload.setdefault("posted_to", None)  # empty: posted permanently (items 4 and 13)
    return parse_form(PostDisclosure, payload, errors)


def _dates(values: dict[str, Any]) -> dict[str, date]:
    """The dates typed that are dates."""
    dates = {}
    for name in (*REQUIRED_DATES, "posted_to"):
        try:
            dates[name] = date.fromisoformat(values[name])
        except ValueError:
            continue
    return dates


def _deadline_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The deadline of the decision date typed, and whether posting is late (Art 13)."""
    dates = _dates(values)
    if "decision_date" not in dates:
        return {"deadline": None, "late_warning": None}
    decided = dates["decision_date"]
    started = dates.get("posted_from", decided)
    late = disclosure_periods.is_late(decided, started, _today())
    warning = errors.get("late_reason") or (
        disclosure_periods.late_warning(decided, started, _today()) if late else None
    )
    return {"deadline": disclosure_periods.deadline(decided), "late_warning": warning}


@auth.staff_only
async def new_disclosure(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    values, errors = _new_values(), {}

    def page(status_code: int = 200) -> Response:
        context = {"overview": overview, "values": values, "errors": errors}
        context |= _deadline_context(values, errors)
        return _page(request, "board_new.html", context, status_code)

    if request.method == "GET":
        if updated := request.query_params.get("thay"):  # an update of a permanent one
            query = GetDisclosure(commune_id=commune_id, disclosure_id=updated)
            old = Disclosure.model_validate(await _call(request, "get_disclosure", query))
            values |= _update_values(old)
        return page()
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = _values_from(form)
    if form.get("action") == "check":  # "Kiểm tra hạn": show the deadline, post nothing
        return page()
    try:
        command = _command(values, request.state.staff.username, commune_id)
        posted = Disclosure.model_validate(await _call(request, "post_disclosure", command))
    except InvalidInput as refused:
        errors = dict(refused.fields) or {"__root__": refused.detail or refused.message}
        return page(refused.http_status)
    request.session["flash"] = _("Đã đăng công khai “{title}”.").format(title=posted.title)
    return RedirectResponse(f"/communes/{commune_id}/cong-khai/{posted.id}", status_code=303)


BOARD = "/communes/{commune_id}/cong-khai"
QUARTER = BOARD + "/quy/{year:int}-{quarter:int}"
routes = [
    Route(BOARD, board_page, name="board"),
    Route(BOARD + "/luu-tru", archive_page, name="board_archive"),
    Route(BOARD + "/moi", new_disclosure, methods=["GET", "POST"], name="new_disclosure"),
    Route(QUARTER, index_page, name="board_index"),
    Route(QUARTER + ".pdf", index_pdf, name="board_index_pdf"),
    Route(BOARD + "/{disclosure_id}", disclosure_page, name="disclosure"),  # last: any id
]
