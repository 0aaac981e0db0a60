"""A commune's holders of the six positions to be trained in grassroots democracy
(Law 10/2022 Art 8.1): who holds which, where, from when to when. Staff enter a
member of the Community Investment Supervision Board (Art 41), a head of a Front
work committee or a member of a convention drafting team (Decree 61/2023 Art 8),
one by one or from a CSV file, and record when someone leaves; the other three
positions follow staff roles (the staff page).

A CSV row's request_id is a hash of what the row says, once read: the same file
uploaded again, or the same person written a little differently ("1/7/2025",
"tdp-1" for "Tổ dân phố 1"), adds nothing twice."""

import csv
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import unit_names
from gateway.forms import parse_form
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.calendar import parse_day, vietnam_day
from shared.contracts.directory import CommuneOverview
from shared.contracts.positions import (
    ENTERED_POSITIONS,
    POSITION_NAMES_VI,
    AddHolding,
    EndHolding,
    Holding,
    Holdings,
    ListHoldings,
    Position,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.i18n import N_, _, format_day
from shared.ids import new_id

FORM_FIELDS = ("request_id", "position", "full_name", "unit_id", "household", "phone", "email")
# Clearer words than pydantic's for what people most often get wrong.
FIELD_ERRORS = {
    "position": N_("Vui lòng chọn chức danh."),
    "full_name": N_("Vui lòng ghi họ tên (tối đa 80 ký tự)."),
    "unit_id": N_("Vui lòng chọn đơn vị."),
    "household": N_("Mã hộ chưa đúng: 6 ký tự in trên giấy báo của hộ, ví dụ HA7K2M."),
    "phone": N_("Số điện thoại chưa đúng: 10 chữ số, bắt đầu bằng 0."),
    "email": N_("Địa chỉ thư điện tử chưa đúng, ví dụ: ten@example.com."),
    "starts_on": N_("Vui lòng ghi ngày bắt đầu."),
    "request_id": N_("Biểu mẫu đã cũ. Vui lòng tải lại trang rồi gửi lần nữa."),
}
REFUSALS = (InvalidInput, Conflict, NotFound)  # shown on the page, beside what was sent

CSV_COLUMNS = ("ho_ten", "chuc_danh", "don_vi", "ma_ho", "dien_thoai", "email", "tu_ngay")
CSV_REQUIRED = ("ho_ten", "chuc_danh", "don_vi", "tu_ngay")
COLUMN_OF = {  # AddHolding's field → the column it is read from
    "full_name": "ho_ten",
    "position": "chuc_danh",
    "unit_id": "don_vi",
    "household": "ma_ho",
    "phone": "dien_thoai",
    "email": "email",
    "starts_on": "tu_ngay",
}
CSV_MAX_BYTES = 512 * 1024
CSV_MAX_ROWS = 500  # a commune has a few hundred holders at most
NOT_UTF8 = N_(
    "Tệp CSV không ở mã UTF-8 nên chữ tiếng Việt sẽ bị lỗi. Trong Excel, chọn "
    "“Lưu thành” → “CSV UTF-8 (Comma delimited)” rồi tải lên lại."
)


def _today() -> date:
    return vietnam_day(datetime.now(UTC))


def _key(text: str) -> str:
    """Compared without regard to case, spacing or how accents were typed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# --- reading a CSV file (pure) ----------------------------------------------------


@dataclass
class ImportReport:
    added: list[Holding] = field(default_factory=list)
    existing: list[Holding] = field(default_factory=list)  # in a file uploaded before
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, name, why


def csv_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file by line number (the header is line 1), keyed by column;
    empty rows left out. InvalidInput (on "file") for a file that cannot be read."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(fields={"file": _(NOT_UTF8)}) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # Excel in Vietnamese often writes ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [[unicodedata.normalize("NFC", cell).strip() for cell in row] for row in reader]
    if not rows:
        raise InvalidInput(fields={"file": _("Tệp không có dữ liệu.")})
    header = [_key(name) for name in rows[0]]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise InvalidInput(
            fields={
                "file": _(
                    "Tệp thiếu cột: {missing}. Dòng đầu phải là tên các cột: {columns}."
                ).format(missing=", ".join(missing), columns=", ".join(CSV_COLUMNS))
            }
        )
    found = [
        (line, dict(zip(header, row, strict=False)))
        for line, row in enumerate(rows[1:], start=2)
        if any(row)
    ]
    if len(found) > CSV_MAX_ROWS:
        raise InvalidInput(
            fields={"file": _("Tệp có quá {count} người; hãy chia nhỏ.").format(count=CSV_MAX_ROWS)}
        )
    return found


def entered_position(text: str) -> Position:
    """One of the entered positions, by its code or its Vietnamese name."""
    for position in ENTERED_POSITIONS:
        if _key(text) in (position.value, _key(POSITION_NAMES_VI[position])):
            return position
    names = "; ".join(POSITION_NAMES_VI[p] for p in ENTERED_POSITIONS)  # as the file writes them
    raise ValueError(
        _("Chức danh “{text}” không nhập từ tệp được. Hãy ghi một trong: {names}.").format(
            text=text, names=names
        )
    )


def unit_of(text: str, units: dict[str, str]) -> str:
    """The id of a unit (id → name) named by its id or its name."""
    for unit_id, name in units.items():
        if _key(text) in (unit_id.casefold(), _key(name)):
            return unit_id
    raise ValueError(_("Không có đơn vị “{text}” trong xã, phường này.").format(text=text))


def row_command(
    cells: dict[str, str], commune_id: str, units: dict[str, str], actor: str
) -> AddHolding:
    """The AddHolding a CSV row says, with a request_id from what it says; or
    InvalidInput with the reason of each wrong column."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    readers = {
        "position": ("chuc_danh", entered_position),
        "unit_id": ("don_vi", lambda text: unit_of(text, units)),
        "starts_on": ("tu_ngay", parse_day),
    }
    for name, (column, read) in readers.items():
        try:
            values[name] = read(cells.get(column, ""))
        except ValueError as wrong:
            errors[name] = str(wrong)
    payload = {
        "actor": actor,
        "commune_id": commune_id,
        "full_name": cells.get("ho_ten") or None,
        "household": cells.get("ma_ho") or None,
        "phone": cells.get("dien_thoai") or None,
        "email": cells.get("email") or None,
        **values,
    }
    if not payload["full_name"]:
        errors["full_name"] = _("Vui lòng ghi họ tên.")
    command = add_command({**payload, "request_id": "0" * 32}, errors)
    # What the row says, as read (phone 0912.345.678 is 0912345678), names the person.
    said = command.model_dump(mode="json", exclude={"actor", "request_id"})
    said["full_name"] = _key(said["full_name"])
    said["email"] = said["email"] and said["email"].casefold()
    request_id = hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()[:32]
    return command.model_copy(update={"request_id": request_id})


def add_command(payload: dict[str, Any], errors: dict[str, str]) -> AddHolding:
    """The AddHolding, or InvalidInput with our own reasons as they are, and
    pydantic's in clearer words."""
    try:
        return parse_form(AddHolding, payload, errors)
    except InvalidInput as refused:
        fields = {
            name: errors.get(name) or _(FIELD_ERRORS.get(name, message))
            for name, message in refused.fields.items()
        }
        raise InvalidInput(fields=fields) from None


def row_problem(fields: dict[str, str], detail: str) -> str:
    """A row's refusal in one sentence, each reason after the column it is about."""
    said = [
        f"{COLUMN_OF[name]}: {why}" if name in COLUMN_OF else why for name, why in fields.items()
    ]
    return " ".join(said) or detail


# --- the page -----------------------------------------------------------------------


def _blank_form() -> dict[str, str]:
    return dict.fromkeys(FORM_FIELDS, "") | {
        "request_id": new_id(),
        "starts_on": _today().isoformat(),
    }


def _choosable_units(overview: CommuneOverview) -> dict[str, str]:
    """The commune itself and its thôn and tổ dân phố of today, id → name."""
    commune = overview.commune
    return {commune.id: commune.name} | {
        item.unit.id: item.unit.name for item in overview.residential_units
    }


async def _page(
    request: Request,
    overview: CommuneOverview,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    end_errors: dict[str, str] | None = None,
    report: ImportReport | None = None,
    file_error: str | None = None,
    status_code: int = 200,
) -> Response:
    holdings, today = await _holdings(request, overview.commune.id), _today()
    grouped = []  # position, its holdings, how many hold it today
    for position in Position:
        held = [h for h in holdings if h.position == position]
        grouped.append((position, held, sum(h.held_on(today) for h in held)))
    context = {
        "overview": overview,
        "groups": grouped,
        "names": POSITION_NAMES_VI,
        "entered": ENTERED_POSITIONS,
        "unit_names": unit_names(overview),
        "units": _choosable_units(overview),
        "today": today,
        "may_edit": request.state.staff.works_in(overview.commune.id),
        "values": values or _blank_form(),
        "errors": errors or {},
        "end_errors": end_errors or {},
        "report": report,
        "file_error": file_error,
        "columns": CSV_COLUMNS,
    }
    return templates.TemplateResponse(request, "positions.html", context, status_code=status_code)


async def _holdings(request: Request, commune_id: str) -> list[Holding]:
    query = ListHoldings(commune_id=commune_id)
    reply = await rpc(request).call("directory", "list_holdings", query.model_dump(mode="json"))
    return Holdings.model_validate(reply).holdings


async def _overview(request: Request, *, editing: bool) -> CommuneOverview:
    """The commune, if the signed-in staff member may see (or, `editing`, change) its
    holders: its own staff, and the People's Inspection Board, which oversees it."""
    commune_id = request.path_params["commune_id"]
    staff = request.state.staff
    allowed = staff.works_in(commune_id) or (not editing and staff.oversees(commune_id))
    if not allowed:
        raise Forbidden(_("Chỉ cán bộ của xã, phường này xem được người giữ chức danh."))
    return await directory.commune_overview(rpc(request), commune_id)


async def _add(request: Request, command: AddHolding) -> Holding:
    reply = await rpc(request).call("directory", "add_holding", command.model_dump(mode="json"))
    return Holding.model_validate(reply)


@auth.staff_only
async def positions(request: Request) -> Response:
    overview = await _overview(request, editing=request.method == "POST")
    if request.method == "GET":
        return await _page(request, overview)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = {name: str(form.get(name, "")).strip() for name in (*FORM_FIELDS, "starts_on")}
    errors = {} if values["full_name"] else {"full_name": _(FIELD_ERRORS["full_name"])}
    payload = {
        **{name: value or None for name, value in values.items()},
        "actor": request.state.staff.username,
        "commune_id": overview.commune.id,
    }
    try:
        holding = await _add(request, add_command(payload, errors))
    except REFUSALS as refused:
        shown = refused.fields or {"__root__": refused.detail or refused.message}
        return await _page(
            request, overview, values=values, errors=shown, status_code=refused.http_status
        )
    name = _(POSITION_NAMES_VI[holding.position])
    request.session["flash"] = _("Đã ghi nhận {name}: {position}.").format(
        name=holding.person.full_name, position=name
    )
    return RedirectResponse(request.url.path, status_code=303)


@auth.staff_only
async def end_holding(request: Request) -> Response:
    overview = await _overview(request, editing=True)
    holding_id = request.path_params["holding_id"]
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    ends_on = str(form.get("ends_on", "")).strip() or None
    payload = {"actor": request.state.staff.username, "holding_id": holding_id, "ends_on": ends_on}
    try:
        command = parse_form(EndHolding, payload, {})
        reply = await rpc(request).call("directory", "end_holding", command.model_dump(mode="json"))
    except REFUSALS as refused:
        why = next(iter(refused.fields.values()), refused.detail or refused.message)
        if "ends_on" in refused.fields and ends_on is None:
            why = _("Vui lòng ghi ngày thôi giữ chức danh.")
        return await _page(
            request, overview, end_errors={holding_id: why}, status_code=refused.http_status
        )
    ended = Holding.model_validate(reply)
    request.session["flash"] = _("Đã ghi nhận {name} thôi giữ chức danh từ ngày {day}.").format(
        name=ended.person.full_name, day=format_day(ended.ends_on)
    )
    return RedirectResponse(
        request.url_for("positions", commune_id=overview.commune.id), status_code=303
    )


@auth.staff_only
async def import_holders(request: Request) -> Response:
    overview = await _overview(request, editing=True)
    try:
        async with request.form(max_files=1, max_fields=3) as form:  # closes the temp file
            auth.check_csrf(request, form.get("csrf_token"))
            rows = csv_rows(await _read_file(form.get("file")))
    except InvalidInput as refused:
        why = refused.fields.get("file") or refused.detail or refused.message
        return await _page(request, overview, file_error=why, status_code=422)
    before = {h.holding_id for h in await _holdings(request, overview.commune.id)}
    report = ImportReport()
    units, actor = _choosable_units(overview), request.state.staff.username
    for line, cells in rows:
        try:
            holding = await _add(request, row_command(cells, overview.commune.id, units, actor))
        except REFUSALS as refused:
            why = row_problem(refused.fields, refused.detail or refused.message)
            report.problems.append((line, cells.get("ho_ten", ""), why))
            continue
        (report.existing if holding.holding_id in before else report.added).append(holding)
    return await _page(request, overview, report=report)


async def _read_file(upload: object) -> bytes:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(
            fields={"file": _("Vui lòng chọn tệp .csv danh sách người giữ chức danh.")}
        )
    content = await upload.read(CSV_MAX_BYTES + 1)
    if len(content) > CSV_MAX_BYTES:
        raise InvalidInput(fields={"file": _("Tệp quá lớn (tối đa 512 KB).")})
    return content


PAGE = "/can-bo/xa/{commune_id}/chuc-danh"
routes = [
    Route(PAGE, positions, methods=["GET", "POST"], name="positions"),
    Route(PAGE + "/nhap-tep", import_holders, methods=["POST"], name="import_holders"),
    Route(PAGE + "/{holding_id}/thoi-giu", end_holding, methods=["POST"], name="end_holding"),
]
