"""Staff pages for polls: a commune's consultations, decisions and satisfaction
surveys; creating one; its page with the ballot cards of each unit; entering the
paper ballots returned, the count minutes and the meeting of a unit; the table of
explanations after a consultation; and the sign-off.

The surveys service checks permissions and the law; a page reads the form, sends
it, and shows each refusal beside its field, keeping what was typed."""

import base64
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.ballot_cards import card_sheet_pdf
from gateway.forms import parse_form, pdf_download
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.calendar import VIETNAM
from shared.contracts.directory import CommuneOverview
from shared.contracts.surveys import (
    ACCEPTANCE_VI,
    MATTER_NAMES_VI,
    PHOTO_MAX_BYTES,
    PHOTO_SIGNATURES,
    POLL_KIND_VI,
    CardSheet,
    Channel,
    CreatePoll,
    IssueCards,
    ListPolls,
    Matter,
    MeetingRecord,
    Poll,
    PollKind,
    PollList,
    PollRef,
    PollStatus,
    QuestionType,
    RecordExplanations,
    RecordMeeting,
    RecordPaperReturns,
    RecordPaperTally,
    RolledCall,
    SignOff,
)
from shared.errors import Conflict, InvalidInput, NotFound, parse
from shared.i18n import N_, _, ngettext
from shared.ids import CODE_PATTERN, new_id

# Labels, marked for the catalog: shown with {{ _(POLL_STATUS_VI[status]) }}.
POLL_STATUS_VI = {
    PollStatus.OPEN: N_("Đang mở"),
    PollStatus.SCHEDULED: N_("Chưa mở"),
    PollStatus.CLOSED: N_("Đã kết thúc, chờ ký xác nhận"),
    PollStatus.FINALISED: N_("Đã hoàn tất"),
}
CHANNEL_FORM_VI = {
    Channel.ONLINE: N_("Trực tuyến (mã QR, đường dẫn)"),
    Channel.PAPER: N_("Phiếu giấy của hộ gia đình"),
    Channel.MEETING: N_("Họp cộng đồng dân cư"),
}
QUESTION_TYPE_VI = {
    QuestionType.SINGLE: N_("Chọn một phương án"),
    QuestionType.MULTIPLE: N_("Chọn nhiều phương án"),
    QuestionType.TEXT: N_("Ý kiến tự do"),
    QuestionType.RATING: N_("Chấm điểm từ 1 đến 5"),
}
LABELS = {
    "POLL_STATUS_VI": POLL_STATUS_VI,
    "CHANNEL_FORM_VI": CHANNEL_FORM_VI,
    "QUESTION_TYPE_VI": QUESTION_TYPE_VI,
    "ACCEPTANCE_VI": ACCEPTANCE_VI,
    "MATTER_NAMES_VI": MATTER_NAMES_VI,
}
STATUS_ORDER = (PollStatus.OPEN, PollStatus.SCHEDULED, PollStatus.CLOSED, PollStatus.FINALISED)
MAX_QUESTIONS = 30  # CreatePoll's limit
MAX_GROUPS = 200  # RecordExplanations' limit
BAD_CODE = N_("Mã hộ gồm 4-12 chữ in hoa và chữ số, không có 0, O, 1, I.")
BAD_CODES = N_("Mã hộ gồm 4-12 chữ in hoa và chữ số, không có 0, O, 1, I: {codes}.")
# A decision's question as the form first fills it in: the ballot's own words, which
# residents read in Vietnamese whatever language the clerk reads the form in.
AGREE = "dong-y: Đồng ý\nkhong-dong-y: Không đồng ý"  # i18n-exempt: ballot wording (data)
AGREE_QUESTION = "Hộ gia đình có đồng ý với nội dung trên không?"  # i18n-exempt: ballot wording
_OPTION_LINE = re.compile(r"^([a-z0-9][a-z0-9_-]{0,31})\s*:\s*(.+)$")


# --- small helpers --------------------------------------------------------------


def _page(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {**LABELS, **context}, status_code=status_code
    )


async def _call(request: Request, method: str, command: BaseModel) -> Any:
    return await rpc(request).call("surveys", method, command.model_dump(mode="json"))


def _actor(request: Request) -> str:
    return request.state.staff.username


async def _poll(request: Request) -> Poll:
    ref = PollRef(poll_id=request.path_params["poll_id"], actor=_actor(request))
    return Poll.model_validate(await _call(request, "get_poll", ref))


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _codes(text: str) -> list[str]:
    """Household codes typed or pasted: separated by spaces, commas or new lines,
    each once, in the order given."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text.upper()) if code))


def _bad_codes(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if not re.fullmatch(CODE_PATTERN, code)]


def local_input(moment: datetime) -> str:
    """A moment as a datetime-local input shows it, in Vietnam's time."""
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def local_moment(text: str) -> datetime | None:
    """What a datetime-local input sent, as a moment in Vietnam's time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def _moments(values: dict, names: Iterable[str], errors: dict) -> dict[str, datetime | None]:
    moments = {name: local_moment(values[name]) for name in names}
    for name, moment in moments.items():
        if moment is None:
            errors[name] = _("Vui lòng nhập ngày và giờ (ngày/tháng/năm giờ:phút).")
    return moments


def _refusal(refused: InvalidInput | Conflict) -> dict[str, str]:
    return dict(refused.fields) or {"__root__": refused.detail or refused.message}


def _counts_from(form: FormData, poll: Poll) -> dict[str, dict[str, str]]:
    """Per question with options, per option, the number typed (blank is 0)."""
    return {
        question.id: {
            option.id: _text(form, f"counts.{question.id}.{option.id}") or "0"
            for option in question.options
        }
        for question in poll.questions
        if question.options
    }


def _counted_questions(poll: Poll) -> list:
    return [question for question in poll.questions if question.options]


def _unit_names(poll: Poll, overview: CommuneOverview) -> dict[str, str]:
    """The residential units of the poll's scope, by id."""
    if poll.electorate is not None:
        names = poll.electorate.unit_names
        return {unit_id: names.get(unit_id, unit_id) for unit_id in poll.electorate.by_unit}
    if poll.unit_id == poll.commune_id:
        return {item.unit.id: item.unit.name for item in overview.residential_units}
    return {poll.unit_id: poll.unit_name}


async def _poll_and_unit(request: Request) -> tuple[Poll, str, str]:
    """The poll, and the unit of its scope the URL names (or 404)."""
    poll = await _poll(request)
    overview = await directory.commune_overview(rpc(request), poll.commune_id)
    unit_id = request.path_params["unit_id"]
    names = _unit_names(poll, overview)
    if unit_id not in names:
        raise NotFound(_("Thôn, tổ dân phố này không thuộc phạm vi của cuộc lấy ý kiến."))
    return poll, unit_id, names[unit_id]


# --- the commune's polls --------------------------------------------------------


@auth.staff_only
async def poll_list(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = ListPolls(commune_id=commune_id, include_scheduled=True)
    listed = PollList.model_validate(await _call(request, "list_polls", query))
    groups = [
        (status, [poll for poll in listed.polls if poll.status == status])
        for status in STATUS_ORDER
    ]
    context = {"overview": overview, "groups": groups, "empty": not listed.polls}
    return _page(request, "poll_list.html", context)


# --- a new poll -----------------------------------------------------------------


def _blank_question(kind: str) -> dict[str, str]:
    if kind == PollKind.DECISION:
        return {"type": QuestionType.SINGLE, "text": AGREE_QUESTION, "options": AGREE}
    if kind == PollKind.SATISFACTION:
        return {"type": QuestionType.RATING, "text": "", "options": ""}
    return {"type": QuestionType.SINGLE, "text": "", "options": ""}


def _new_values(kind: str, commune_id: str) -> dict[str, Any]:
    """What the form shows first, by kind: opening in two days (the notice of a
    decision, Art 18), for the shortest time the law allows a consultation."""
    opens = datetime.combine(date.today() + timedelta(days=2), time(7), VIETNAM)
    days = {PollKind.CONSULTATION: 20, PollKind.DECISION: 7}.get(kind, 30)
    closes = datetime.combine(opens.date() + timedelta(days=days), time(17), VIETNAM)
    channels = {
        PollKind.CONSULTATION: ["online", "paper"],
        PollKind.DECISION: ["paper", "meeting"],
    }.get(kind, ["online"])
    return {
        "request_id": new_id(),
        "kind": kind,
        "unit_id": commune_id,
        "title": "",
        "description": "",
        "matter": "",
        "noticed_on": date.today().isoformat(),
        "online_opt_in": "",
        "meeting_fell_short": False,
        "secret": False,
        "channels": channels,
        "public_results": True,
        "opens_at": local_input(opens),
        "closes_at": local_input(closes),
        "deciding_options": "dong-y" if kind == PollKind.DECISION else "",
        "questions": [_blank_question(kind)],
    }


def options_from(text: str) -> list[dict[str, str]]:
    """Options one per line, "id: label" or just the label (ids opt1, opt2...)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    options = []
    for number, line in enumerate(lines, start=1):
        match = _OPTION_LINE.match(line)
        options.append(
            {"id": match[1], "label": match[2]} if match else {"id": f"opt{number}", "label": line}
        )
    return options


def _kind(text: str | None) -> PollKind:
    return PollKind(text) if text in set(PollKind) else PollKind.CONSULTATION


def _questions_from(form: FormData, kind: str) -> list[dict[str, str]]:
    count = _text(form, "question_count")
    count = min(int(count), MAX_QUESTIONS) if count.isdigit() else 1
    if kind == PollKind.DECISION:
        count = 1  # Art 21: one matter, one question
    return [
        {key: _text(form, f"questions.{i}.{key}") for key in ("type", "text", "options")}
        for i in range(count)
    ]


def _create_command(values: dict[str, Any], request: Request, commune_id: str) -> CreatePoll:
    errors: dict[str, str] = {}
    moments = _moments(values, ("opens_at", "closes_at"), errors)
    questions = list(values["questions"])
    while len(questions) > 1 and not any(questions[-1][key] for key in ("text", "options")):
        questions.pop()  # fieldsets left empty at the end
    decision = values["kind"] == PollKind.DECISION
    payload = {
        **{name: values[name] for name in ("request_id", "kind", "unit_id", "title")},
        **moments,
        "actor": _actor(request),
        "commune_id": commune_id,
        "description": values["description"],
        "channels": values["channels"],
        "public_results": values["public_results"],
        "questions": [
            {
                "id": f"q{number}",
                "type": question["type"],
                "text": question["text"],
                "options": options_from(question["options"])
                if question["type"] in (QuestionType.SINGLE, QuestionType.MULTIPLE)
                else [],
            }
            for number, question in enumerate(questions, start=1)
        ],
    }
    if decision:
        payload.update(
            matter=values["matter"] or None,
            noticed_on=values["noticed_on"] or None,
            online_opt_in=values["online_opt_in"] or None,
            meeting_fell_short=values["meeting_fell_short"],
            secret=values["secret"],
            deciding_options=[
                option for option in re.split(r"[\s,;]+", values["deciding_options"]) if option
            ],
        )
    return parse_form(CreatePoll, payload, errors)


def _form_errors(fields: dict[str, str]) -> dict[str, str]:
    """A question's problem is shown on its fieldset ("questions.0.options.1.label"
    on "questions.0")."""
    errors: dict[str, str] = {}
    for name, message in fields.items():
        if match := re.match(r"(questions\.\d+)\.", name):
            errors.setdefault(match[1], message)
        else:
            errors.setdefault(name, message)
    return errors


@auth.staff_only
async def new_poll(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    values = _new_values(_kind(request.query_params.get("kind")), commune_id)
    context = {"overview": overview, "values": values, "errors": {}, "matters": list(Matter)}

    def page(status_code: int = 200) -> Response:
        return _page(request, "poll_new.html", context, status_code)

    if request.method == "GET":
        return page()
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    kind = _kind(_text(form, "kind"))
    values.update(
        {
            name: _text(form, name)
            for name in (
                "request_id",
                "unit_id",
                "title",
                "description",
                "matter",
                "noticed_on",
                "online_opt_in",
                "opens_at",
                "closes_at",
                "deciding_options",
            )
        },
        kind=kind,
        meeting_fell_short=form.get("meeting_fell_short") == "yes",
        secret=form.get("secret") == "yes",
        public_results=form.get("public_results") == "yes",
        channels=[str(channel) for channel in form.getlist("channels")],
        questions=_questions_from(form, kind),
    )
    if form.get("action") == "add_question":
        if kind != PollKind.DECISION and len(values["questions"]) < MAX_QUESTIONS:
            values["questions"].append(_blank_question(kind))
        return page()
    try:
        command = _create_command(values, request, commune_id)
        poll = Poll.model_validate(await _call(request, "create_poll", command))
    except (InvalidInput, Conflict) as refused:
        context["errors"] = _form_errors(_refusal(refused))
        return page(refused.http_status)
    request.session["flash"] = _("Đã tạo “{title}” ({kind}).").format(
        title=poll.title, kind=_(POLL_KIND_VI[poll.kind]).lower()
    )
    return RedirectResponse(f"/polls/{poll.id}", status_code=303)


# --- one poll -------------------------------------------------------------------


async def _poll_page(
    request: Request, poll: Poll, errors: dict | None = None, status_code: int = 200
) -> Response:
    overview = await directory.commune_overview(rpc(request), poll.commune_id)
    context = {
        "overview": overview,
        "poll": poll,
        "units": _unit_names(poll, overview),
        "errors": errors or {},
        "matter_name": _(MATTER_NAMES_VI.get(poll.matter, "")) if poll.matter else "",
    }
    return _page(request, "poll.html", context, status_code)


@auth.staff_only
async def poll_page(request: Request) -> Response:
    return await _poll_page(request, await _poll(request))


async def _card_sheet(request: Request, poll: Poll, unit_id: str, code: str | None) -> bytes:
    command = parse(
        IssueCards,
        {"actor": _actor(request), "poll_id": poll.id, "unit_id": unit_id, "household_code": code},
    )
    sheet = CardSheet.model_validate(await _call(request, "issue_cards", command))
    font_dir = request.app.state.settings.pdf_font_dir
    # A sheet of a thousand cards takes seconds of CPU: not on the event loop.
    return await run_in_threadpool(
        card_sheet_pdf, sheet, str(request.base_url).rstrip("/"), font_dir
    )


@auth.staff_only
async def cards_pdf(request: Request) -> Response:
    poll, unit_id, _name = await _poll_and_unit(request)
    content = await _card_sheet(request, poll, unit_id, None)
    return pdf_download(content, f"phieu-{poll.id}-{unit_id}.pdf")


@auth.staff_only
async def reissue_card(request: Request) -> Response:
    poll, unit_id, _name = await _poll_and_unit(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    code = _text(form, "household_code").upper()
    try:
        if not code or _bad_codes([code]):
            raise InvalidInput(fields={"household_code": _(BAD_CODE)})
        content = await _card_sheet(request, poll, unit_id, code)
    except InvalidInput as refused:
        message = next(iter(refused.fields.values()), refused.detail or refused.message)
        return await _poll_page(request, poll, {f"reissue.{unit_id}": message}, 422)
    return pdf_download(content, f"phieu-cap-lai-{poll.id}-{code}.pdf")


# --- paper ballots: who returned theirs, and the count minutes ------------------


def _paper_values(poll: Poll) -> dict[str, Any]:
    now = local_input(datetime.now(VIETNAM))
    return {
        "household_codes": "",
        "minutes_number": "",
        "counted_at": now,
        "returned": "",
        "valid": "",
        "invalid": "",
        "counts": {q.id: {o.id: "" for o in q.options} for q in _counted_questions(poll)},
    }


async def read_photo(upload: object) -> dict[str, str]:
    """The photo of the minutes: a JPEG or PNG of at most 5 MB, as base64."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(fields={"photo": _("Vui lòng chụp hoặc chọn ảnh biên bản kiểm phiếu.")})
    content = await upload.read(PHOTO_MAX_BYTES + 1)
    if len(content) > PHOTO_MAX_BYTES:
        raise InvalidInput(fields={"photo": _("Ảnh quá lớn (tối đa 5 MB). Vui lòng chụp lại.")})
    kind = next(
        (kind for kind, magic in PHOTO_SIGNATURES.items() if content.startswith(magic)), None
    )
    if kind is None:
        raise InvalidInput(fields={"photo": _("Ảnh biên bản phải là tệp JPEG hoặc PNG.")})
    return {"content_type": kind, "data_base64": base64.b64encode(content).decode()}


async def _record_returns(request: Request, poll: Poll, unit_id: str, values: dict) -> RolledCall:
    codes = _codes(values["household_codes"])
    if bad := _bad_codes(codes):
        raise InvalidInput(fields={"household_codes": _(BAD_CODES).format(codes=", ".join(bad))})
    if not codes:
        raise InvalidInput(fields={"household_codes": _("Vui lòng nhập mã các hộ đã nộp phiếu.")})
    payload = {"actor": _actor(request), "poll_id": poll.id, "unit_id": unit_id}
    command = parse_form(RecordPaperReturns, {**payload, "household_codes": codes}, {})
    return RolledCall.model_validate(await _call(request, "record_paper_returns", command))


async def _record_tally(
    request: Request, poll: Poll, unit_id: str, values: dict, upload: object
) -> None:
    errors: dict[str, str] = {}
    moments = _moments(values, ("counted_at",), errors)
    try:
        photo = await read_photo(upload)
    except InvalidInput as refused:
        errors.update(refused.fields)
        photo = None
    payload = {
        **{name: values[name] for name in ("minutes_number", "returned", "valid", "invalid")},
        **moments,
        "actor": _actor(request),
        "poll_id": poll.id,
        "unit_id": unit_id,
        "counts": values["counts"],
        "photo": photo,
    }
    command = parse_form(RecordPaperTally, payload, errors)
    await _call(request, "record_paper_tally", command)


@auth.staff_only
async def paper_entry(request: Request) -> Response:
    poll, unit_id, unit_name = await _poll_and_unit(request)
    values = _paper_values(poll)
    context = {
        "poll": poll,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "values": values,
        "errors": {},
        "rolled": None,
        "questions": _counted_questions(poll),
    }
    if request.method == "GET":
        return _page(request, "poll_paper.html", context)
    async with request.form(max_files=1, max_fields=1000) as form:  # closes the temp file
        auth.check_csrf(request, form.get("csrf_token"))
        part = _text(form, "part")
        try:
            if part == "returns":
                values["household_codes"] = _text(form, "household_codes")
                context["rolled"] = await _record_returns(request, poll, unit_id, values)
                values["household_codes"] = ""
                return _page(request, "poll_paper.html", context)
            values.update(
                {n: _text(form, n) for n in ("minutes_number", "counted_at", "returned")},
                valid=_text(form, "valid"),
                invalid=_text(form, "invalid"),
                counts=_counts_from(form, poll),
            )
            await _record_tally(request, poll, unit_id, values, form.get("photo"))
        except (InvalidInput, Conflict) as refused:
            context["errors"] = {
                (f"returns.{key}" if part == "returns" else key): message
                for key, message in _refusal(refused).items()
            }
            return _page(request, "poll_paper.html", context, refused.http_status)
    request.session["flash"] = _("Đã lưu biên bản kiểm phiếu số {number} của {unit}.").format(
        number=values["minutes_number"], unit=unit_name
    )
    return RedirectResponse(f"/polls/{poll.id}", status_code=303)


# --- the meeting of a unit ------------------------------------------------------


@auth.staff_only
async def meeting_entry(request: Request) -> Response:
    poll, unit_id, unit_name = await _poll_and_unit(request)
    households = poll.electorate.by_unit.get(unit_id) if poll.electorate else None
    values: dict[str, Any] = {
        "held_at": local_input(datetime.now(VIETNAM)),
        "present_codes": "",
        "counts": {q.id: {o.id: "" for o in q.options} for q in _counted_questions(poll)},
    }
    context = {
        "poll": poll,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "households": households,
        "values": values,
        "errors": {},
        "record": None,
        "questions": _counted_questions(poll),
    }
    if request.method == "GET":
        return _page(request, "poll_meeting.html", context)
    form = await request.form(max_fields=1000)
    auth.check_csrf(request, form.get("csrf_token"))
    values.update(
        held_at=_text(form, "held_at"),
        present_codes=_text(form, "present_codes"),
        counts=_counts_from(form, poll),
    )
    try:
        errors: dict[str, str] = {}
        moments = _moments(values, ("held_at",), errors)
        codes = _codes(values["present_codes"])
        if bad := _bad_codes(codes):
            errors["present_codes"] = _(BAD_CODES).format(codes=", ".join(bad))
        elif not codes:
            errors["present_codes"] = _("Vui lòng nhập mã các hộ có mặt tại cuộc họp.")
        payload = {"actor": _actor(request), "poll_id": poll.id, "unit_id": unit_id}
        command = parse_form(
            RecordMeeting,
            {**payload, **moments, "present_codes": codes, "counts": values["counts"]},
            errors,
        )
        reply = await _call(request, "record_meeting", command)
    except (InvalidInput, Conflict) as refused:
        context["errors"] = _refusal(refused)
        return _page(request, "poll_meeting.html", context, refused.http_status)
    context["record"] = MeetingRecord.model_validate(reply)
    return _page(request, "poll_meeting.html", context)


# --- after closing: explanations and sign-off -----------------------------------

_BLANK_GROUP = {"question_id": "", "summary": "", "count": "", "acceptance": "", "explanation": ""}


@auth.staff_only
async def explanations(request: Request) -> Response:
    poll = await _poll(request)
    if poll.kind != PollKind.CONSULTATION:
        raise NotFound(_("Chỉ cuộc lấy ý kiến mới có bảng tiếp thu, giải trình."))
    first = poll.questions[0].id if poll.questions else ""
    context: dict[str, Any] = {
        "poll": poll,
        "rows": [{**_BLANK_GROUP, "question_id": first}],
        "errors": {},
    }

    def page(status_code: int = 200) -> Response:
        return _page(request, "poll_explanations.html", context, status_code)

    if request.method == "GET":
        return page()
    form = await request.form(max_fields=MAX_GROUPS * 6 + 10)
    auth.check_csrf(request, form.get("csrf_token"))
    count = _text(form, "row_count")
    count = min(int(count), MAX_GROUPS) if count.isdigit() else 1
    rows = [{key: _text(form, f"groups.{i}.{key}") for key in _BLANK_GROUP} for i in range(count)]
    context["rows"] = rows
    if form.get("action") == "add_row":
        if len(rows) < MAX_GROUPS:
            rows.append({**_BLANK_GROUP, "question_id": first})
        return page()
    filled = [row for row in rows if any(row[key] for key in ("summary", "count", "explanation"))]
    try:
        command = parse_form(
            RecordExplanations,
            {"actor": _actor(request), "poll_id": poll.id, "groups": filled},
            {},
        )
        await _call(request, "record_explanations", command)
    except (InvalidInput, Conflict) as refused:
        context["rows"] = filled or rows[:1]
        context["errors"] = _refusal(refused)
        return page(refused.http_status)
    request.session["flash"] = ngettext(
        "Đã lưu bảng tiếp thu, giải trình ({count} nhóm ý kiến).",
        "Đã lưu bảng tiếp thu, giải trình ({count} nhóm ý kiến).",
        len(filled),
    ).format(count=len(filled))
    return RedirectResponse(f"/polls/{poll.id}", status_code=303)


@auth.staff_only
async def finalise(request: Request) -> Response:
    poll = await _poll(request)
    values = {name: "" for name in ("head_name", "front_head_name", "rep_1", "rep_2")}
    values["decision_text"] = ""
    context: dict[str, Any] = {"poll": poll, "values": values, "errors": {}}
    if request.method == "GET":
        return _page(request, "poll_finalise.html", context)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    payload: dict[str, Any] = {"actor": _actor(request), "poll_id": poll.id}
    if poll.kind == PollKind.DECISION:
        values.update({name: _text(form, name) for name in values})
        payload.update(
            head_name=values["head_name"],
            front_head_name=values["front_head_name"],
            household_representatives=[values["rep_1"], values["rep_2"]],
            decision_text=values["decision_text"],
        )
    try:
        await _call(request, "finalise_poll", parse_form(SignOff, payload, {}))
    except (InvalidInput, Conflict) as refused:
        errors = _refusal(refused)
        for index in (0, 1):  # household_representatives.0 → the first box
            if message := errors.pop(f"household_representatives.{index}", None):
                errors[f"rep_{index + 1}"] = message
        context["errors"] = errors
        return _page(request, "poll_finalise.html", context, refused.http_status)
    request.session["flash"] = _("Đã ký xác nhận kết quả.")
    return RedirectResponse(f"/polls/{poll.id}/summary", status_code=303)


routes = [
    Route("/communes/{commune_id}/polls", poll_list, name="poll_list"),
    Route("/communes/{commune_id}/polls/new", new_poll, methods=["GET", "POST"], name="new_poll"),
    Route("/polls/{poll_id}", poll_page, name="poll"),
    Route("/polls/{poll_id}/cards/{unit_id}.pdf", cards_pdf, name="cards_pdf"),
    Route(
        "/polls/{poll_id}/cards/{unit_id}/reissue",
        reissue_card,
        methods=["POST"],
        name="reissue_card",
    ),
    Route(
        "/polls/{poll_id}/units/{unit_id}/paper",
        paper_entry,
        methods=["GET", "POST"],
        name="paper_entry",
    ),
    Route(
        "/polls/{poll_id}/units/{unit_id}/meeting",
        meeting_entry,
        methods=["GET", "POST"],
        name="meeting_entry",
    ),
    Route(
        "/polls/{poll_id}/explanations",
        explanations,
        methods=["GET", "POST"],
        name="poll_explanations",
    ),
    Route("/polls/{poll_id}/finalise", finalise, methods=["GET", "POST"], name="poll_finalise"),
]
