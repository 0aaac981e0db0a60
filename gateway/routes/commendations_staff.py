"""Staff pages for commendations (thi đua, khen thưởng: Law 06/2022, Decree 98/2023,
Decree 152/2025): a commune's nominations of a year by status, proposing one with the
minutes of the meeting that reviewed it, and posting the proposed nominees for public
comment; a nomination with its history, its minutes, the comments received, the
council's vote, the decision and its award, rejecting or revoking it with a reason,
its photo for the honour board and its certificate as a PDF.

Commune staff use every form. The People's Inspection Board reads them and proposes
in its own name (Law 10/2022 Art 38.5); a group head proposes for their unit's
year-end conference (Art 33) and sees no list. The recognition service checks
permissions and rules again; a page reads the form, sends it, and shows each refusal
beside its field, keeping what was typed."""

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import (
    FILES_LOST,
    FILING_ERRORS,
    files_chosen,
    read_uploads,
    refusal,
    stored_file,
    text,
)
from gateway.forms import attachment, parse_form, pdf_download
from gateway.recognition_pdf import certificate_pdf
from gateway.routes.pages import rpc
from gateway.routes.recognition import call, page
from shared.calendar import parse_day, vietnam_day
from shared.contracts.directory import CommuneOverview
from shared.contracts.feedback import PHOTO_MAX_BYTES, PHOTO_TYPES, StoredFile
from shared.contracts.recognition import (
    RECIPIENT_KINDS_VI,
    TITLE_NAMES_VI,
    TITLE_RECIPIENTS,
    DecideCommendation,
    ListNominations,
    Nomination,
    NominationRef,
    Nominations,
    NominationStatus,
    Posting,
    PostingComments,
    PostingRef,
    PostNominees,
    ProposeCommendation,
    ProposedBy,
    ReasonedChange,
    RecipientKind,
    RecordCouncilVote,
    SetPhoto,
    Title,
)
from shared.contracts.staff import Role, StaffAccount
from shared.errors import Conflict, Forbidden, InvalidInput, WireError
from shared.i18n import N_, _, format_day, ngettext, translate
from shared.ids import new_id

COMMUNE = "/can-bo/xa/{commune_id}/khen-thuong"
NOMINATION = "/can-bo/khen-thuong/{nomination_id}"
POSTING = "/can-bo/khen-thuong/dot/{posting_id}/y-kien"
PROPOSE_FIELDS = (
    "request_id", "title", "recipient.kind", "recipient.name", "recipient.unit",
    "recipient.household", "recipient.username", "achievement", "proposed_by",
)  # fmt: skip
VOTE_FIELDS = ("met_on", "members", "present", "votes_for", "votes_against", "notes")
# Clearer words than the contract's for what is most often wrong.
PROPOSE_ERRORS = {
    "title": N_("Vui lòng chọn danh hiệu, hình thức khen thưởng."),
    "recipient.kind": N_("Vui lòng chọn cá nhân, hộ gia đình hay tập thể."),
    "recipient.household": FILING_ERRORS["household"],
    "recipient.username": N_("Tên đăng nhập gồm 3 đến 32 chữ thường, số, dấu chấm hoặc gạch."),
    "proposed_by": N_("Vui lòng chọn nơi đề nghị."),
    "request_id": FILING_ERRORS["request_id"],
}
PHOTO_MAX_MB = PHOTO_MAX_BYTES // (1024 * 1024)  # read_uploads' cap on each file
MINUTES_ACCEPT = ",".join(("application/pdf", *PHOTO_TYPES))
NO_MINUTES = N_("Vui lòng chọn tệp biên bản họp xét đề nghị (PDF hoặc ảnh chụp).")
HISTORY_VI = {
    "proposed": N_("Đề nghị khen thưởng"),
    "posted": N_("Đăng danh sách lấy ý kiến"),
    "reviewed": N_("Hội đồng thi đua, khen thưởng xét"),
    "decided": N_("Quyết định khen thưởng"),
    "rejected": N_("Không khen thưởng"),
    "revoked": N_("Hủy bỏ quyết định khen thưởng"),
    "photo": N_("Cập nhật ảnh vinh danh"),
}
NOT_PRINTABLE = N_("Chỉ in được giấy khen của khen thưởng đã có quyết định và chưa bị hủy bỏ.")


# --- small helpers --------------------------------------------------------------


def _actor(request: Request) -> str:
    return request.state.staff.username


def _year(request: Request) -> int:
    """The year the page is about: `?nam=`, else this year in Vietnam."""
    typed = request.query_params.get("nam", "")
    if typed.isdigit() and 2000 <= int(typed) <= 2100:
        return int(typed)
    return vietnam_day(datetime.now(UTC)).year


@dataclass(frozen=True)
class Access:
    """What an official may do with a commune's commendations (the service decides)."""

    may_edit: bool  # commune staff: every form
    may_read: bool  # the year's nominations and each nomination
    proposes_as: tuple[ProposedBy, ...]


def _access(staff: StaffAccount, overview: CommuneOverview) -> Access:
    commune_id = overview.commune.id
    if staff.works_in(commune_id):
        return Access(True, True, tuple(ProposedBy))
    if staff.oversees(commune_id):
        return Access(False, True, (ProposedBy.INSPECTION_BOARD,))
    units = {item.unit.id for item in overview.residential_units}
    if any(g.role == Role.GROUP_HEAD and g.unit_id in units for g in staff.roles):
        return Access(False, False, (ProposedBy.YEAR_END_CONFERENCE,))
    raise Forbidden()


def _errors(part: str, refused: WireError, inside: str = "") -> dict[str, str]:
    """A refusal's messages by the form's fields, `part.field`: a contract's field
    `inside` a group (`vote.members`) by its name in the form, a file's problem
    (`minutes.data_base64`) on its input, an item of a list (`nomination_ids.0`) on
    the list; clearer words for the fields most often wrong."""
    errors: dict[str, str] = {}
    for name, message in refusal(refused).items():
        name = re.sub(r"\.\d+$", "", name.removeprefix(inside))
        name = re.sub(r"^(minutes|photo)\..*$", r"\1", name)
        errors.setdefault(
            f"{part}.{name}", _(PROPOSE_ERRORS[name]) if name in PROPOSE_ERRORS else message
        )
    return errors


def _day(typed: str, name: str, errors: dict[str, str]) -> str | None:
    """A day typed as a date input sends it or as Vietnamese write it (01/07/2026)."""
    if not typed:
        return None  # the contract says it is missing
    try:
        return parse_day(typed).isoformat()
    except ValueError as wrong:
        errors[name] = translate(str(wrong))
        return None


def _for_whom(kinds: frozenset[RecipientKind]) -> str:
    """Whom a title is for, in words: "cá nhân, hộ gia đình"."""
    return ", ".join(_(RECIPIENT_KINDS_VI[kind]).lower() for kind in RecipientKind if kind in kinds)


def _minutes_url(nomination_id: str) -> str:
    return NOMINATION.format(nomination_id=nomination_id) + "/bien-ban"


# --- the year's nominations -----------------------------------------------------


def _year_url(commune_id: str, year: int) -> str:
    return f"{COMMUNE.format(commune_id=commune_id)}?nam={year}"


def _blank_proposal(access: Access) -> dict[str, str]:
    return dict.fromkeys(PROPOSE_FIELDS, "") | {
        "request_id": new_id(),
        "recipient.kind": RecipientKind.INDIVIDUAL.value,
        "proposed_by": access.proposes_as[0].value,
    }


def _blank_posting() -> dict[str, Any]:
    return {"request_id": new_id(), "nomination_ids": [], "days": "", "posted_on": ""}


async def _year_page(
    request: Request,
    forms: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    commune_id = request.path_params["commune_id"]
    year = _year(request)
    overview = await directory.commune_overview(rpc(request), commune_id)
    access = _access(request.state.staff, overview)
    nominations: list[Nomination] = []
    if access.may_read:
        query = ListNominations(actor=_actor(request), commune_id=commune_id, year=year)
        reply = await call(request, "list_nominations", query)
        nominations = Nominations.model_validate(reply).nominations
    by_status = [
        (status, [n for n in nominations if n.status == status]) for status in NominationStatus
    ]
    shown = {"propose": _blank_proposal(access), "post": _blank_posting()} | (forms or {})
    context = {
        "overview": overview,
        "year": year,
        "access": access,
        "groups": [(status, listed) for status, listed in by_status if listed],
        "count": len(nominations),
        "forms": shown,
        "errors": errors or {},
        "titles": list(Title),
        "title_hints": {title: _for_whom(kinds) for title, kinds in TITLE_RECIPIENTS.items()},
        "PHOTO_MAX_MB": PHOTO_MAX_MB,
        "MINUTES_ACCEPT": MINUTES_ACCEPT,
    }
    return page(request, "commendation_year.html", context, status_code)


@auth.staff_only
async def year_page(request: Request) -> Response:
    return await _year_page(request)


def _proposal(values: dict[str, str], access: Access, errors: dict[str, str]) -> dict[str, Any]:
    """What the propose form says, as ProposeCommendation reads it; a title that is
    not for the kind of recipient explained in `errors`."""
    kind, title = values["recipient.kind"], values["title"]
    if kind in set(RecipientKind) and title in set(Title):
        allowed = TITLE_RECIPIENTS[Title(title)]
        if RecipientKind(kind) not in allowed:
            named = _(TITLE_NAMES_VI[Title(title)])
            errors["title"] = _("Danh hiệu “{title}” dành cho {whom}.").format(
                title=named, whom=_for_whom(allowed)
            )
    proposed_by = values["proposed_by"]
    if proposed_by not in access.proposes_as:  # an inspector or a group head: their own
        proposed_by = access.proposes_as[0].value
    return {
        "request_id": values["request_id"],
        "title": title or None,
        "recipient": {
            "kind": kind or None,
            "name": values["recipient.name"],
            "unit": values["recipient.unit"],
            "household": values["recipient.household"] or None,
            "username": values["recipient.username"] or None,
        },
        "achievement": values["achievement"],
        "proposed_by": proposed_by,
    }


@auth.staff_only
async def propose(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    year = _year(request)
    overview = await directory.commune_overview(rpc(request), commune_id)
    access = _access(request.state.staff, overview)
    async with request.form(max_files=2) as form:  # closes the temp file
        auth.check_csrf(request, form.get("csrf_token"))
        values = {name: text(form, name) for name in PROPOSE_FIELDS}
        errors: dict[str, str] = {}
        try:
            minutes = await read_uploads(form, "minutes", 1)
        except InvalidInput as too_big:
            errors, minutes = dict(too_big.fields), []
        if not (minutes or errors):
            errors["minutes"] = _(NO_MINUTES)
        payload = {"actor": _actor(request), "commune_id": commune_id, "year": year}
        payload |= _proposal(values, access, errors)
        payload["minutes"] = minutes[0].model_dump() if minutes else None
        try:
            command = parse_form(ProposeCommendation, payload, errors)
            nomination = Nomination.model_validate(await call(request, "propose", command))
        except (InvalidInput, Conflict, Forbidden) as refused:  # said beside the form
            errors = _errors("propose", refused) | {f"propose.{k}": v for k, v in errors.items()}
            if files_chosen(form, "minutes"):  # a browser cannot refill a file input
                errors.setdefault("propose.minutes", _(FILES_LOST))
            forms = {"propose": values}
            return await _year_page(request, forms, errors, refused.http_status)
    who = nomination.recipient.name
    request.session["flash"] = _("Đã ghi đề nghị khen thưởng {name}.").format(name=who)
    if not access.may_read:  # a group head: back to their form
        return RedirectResponse(_year_url(commune_id, year), status_code=303)
    return RedirectResponse(
        NOMINATION.format(nomination_id=nomination.nomination_id), status_code=303
    )


def _chosen(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


@auth.staff_only
async def post_nominees(request: Request) -> Response:
    """The chosen proposed nominees onto the notice board for comment."""
    commune_id = request.path_params["commune_id"]
    auth.may_edit(request, commune_id, change=True)
    year = _year(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = {
        "request_id": text(form, "request_id"),
        "nomination_ids": _chosen(form, "nomination_ids"),
        "days": text(form, "days"),
        "posted_on": text(form, "posted_on"),
    }
    errors: dict[str, str] = {}
    if not values["nomination_ids"]:
        errors["nomination_ids"] = _("Vui lòng chọn ít nhất một người được đề nghị.")
    payload = {
        "actor": _actor(request),
        "commune_id": commune_id,
        **values,
        "days": values["days"] or None,
        "posted_on": _day(values["posted_on"], "posted_on", errors),
    }
    try:
        command = parse_form(PostNominees, payload, errors)
        posting = Posting.model_validate(await call(request, "post_nominees", command))
    except (InvalidInput, Conflict) as refused:
        forms = {"post": values}
        return await _year_page(request, forms, _errors("post", refused), refused.http_status)
    count = len(posting.nominations)
    request.session["flash"] = ngettext(
        "Đã đăng danh sách {count} người được đề nghị khen thưởng "
        "để lấy ý kiến đến hết ngày {day}.",
        "Đã đăng danh sách {count} người được đề nghị khen thưởng "
        "để lấy ý kiến đến hết ngày {day}.",
        count,
    ).format(count=count, day=format_day(posting.comment_until))
    return RedirectResponse(_year_url(commune_id, year), status_code=303)


# --- a nomination -----------------------------------------------------------------


async def _nomination(request: Request) -> Nomination:
    ref = NominationRef(actor=_actor(request), nomination_id=request.path_params["nomination_id"])
    return Nomination.model_validate(await call(request, "get_nomination", ref))


def _blank_forms() -> dict[str, dict[str, str]]:
    return {
        "vote": dict.fromkeys(VOTE_FIELDS, ""),
        "decide": {"decision_number": "", "decided_on": ""},
        "reject": {"reason": ""},
        "revoke": {"reason": ""},
    }


async def _nomination_page(
    request: Request,
    nomination: Nomination,
    forms: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    may_edit = auth.may_edit(request, nomination.commune_id)
    overview = await directory.commune_overview(rpc(request), nomination.commune_id)
    here = NOMINATION.format(nomination_id=nomination.nomination_id)
    posting = nomination.posting_id
    context = {
        "overview": overview,
        "nomination": nomination,
        "may_edit": may_edit,
        "here": here,
        "minutes_url": _minutes_url(nomination.nomination_id),
        "comments_url": POSTING.format(posting_id=posting) if posting else None,
        "year_url": _year_url(nomination.commune_id, nomination.year),
        "forms": _blank_forms() | (forms or {}),
        "errors": errors or {},
        "HISTORY_VI": HISTORY_VI,
        "RECIPIENT_KINDS_VI": RECIPIENT_KINDS_VI,
        "PHOTO_MAX_MB": PHOTO_MAX_MB,
        "PHOTO_ACCEPT": ",".join(PHOTO_TYPES),
    }
    return page(request, "commendation_nomination.html", context, status_code)


@auth.staff_only
async def nomination_page(request: Request) -> Response:
    return await _nomination_page(request, await _nomination(request))


async def _change(
    request: Request,
    nomination: Nomination,
    part: str,
    values: dict[str, str],
    send: Callable[[], Awaitable[Any]],
    inside: str = "",
) -> Response:
    """Send one of the nomination page's forms (`send` makes the call); its refusal
    is shown beside the form's fields, keeping what was typed."""
    try:
        changed = Nomination.model_validate(await send())
    except (InvalidInput, Conflict) as refused:
        errors = _errors(part, refused, inside)
        return await _nomination_page(
            request, nomination, {part: values}, errors, refused.http_status
        )
    request.session["flash"] = _(DONE[part]).format(name=changed.recipient.name)
    return RedirectResponse(NOMINATION.format(nomination_id=changed.nomination_id), 303)


DONE = {
    "vote": N_("Đã ghi kết quả họp Hội đồng thi đua, khen thưởng về {name}."),
    "decide": N_("Đã ghi quyết định khen thưởng {name}."),
    "reject": N_("Đã ghi không khen thưởng {name}."),
    "revoke": N_("Đã hủy bỏ quyết định khen thưởng {name}."),
    "photo": N_("Đã cập nhật ảnh vinh danh của {name}."),
}


async def _form(request: Request) -> tuple[Nomination, FormData]:
    """The nomination and the form of its page, from its commune's staff."""
    nomination = await _nomination(request)
    auth.may_edit(request, nomination.commune_id, change=True)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    return nomination, form


def _vote_payload(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The council's vote; its counts checked against each other here, in words."""
    counts = {name: values[name] for name in ("members", "present", "votes_for", "votes_against")}
    if all(typed.isdigit() for typed in counts.values()):
        members, present, yes, no = (int(typed) for typed in counts.values())
        if present > members:
            errors["present"] = _("Số thành viên có mặt không được nhiều hơn số thành viên.")
        if yes + no > present:
            errors["votes_for"] = _("Số phiếu đồng ý và không đồng ý cộng lại vượt số có mặt.")
    return {
        "met_on": _day(values["met_on"], "met_on", errors),
        **{name: typed or None for name, typed in counts.items()},
        "notes": values["notes"],
    }


@auth.staff_only
async def record_vote(request: Request) -> Response:
    nomination, form = await _form(request)
    values = {name: text(form, name) for name in VOTE_FIELDS}

    async def send() -> Any:
        errors: dict[str, str] = {}
        payload = {
            "actor": _actor(request),
            "nomination_id": nomination.nomination_id,
            "vote": _vote_payload(values, errors),
        }
        try:
            command = parse_form(RecordCouncilVote, payload, errors)
        except InvalidInput as refused:
            fields = dict(refused.fields)
            if errors:  # the page's words replace the contract's about the counts
                fields.pop("vote", None)
            raise InvalidInput(fields=fields) from None
        return await call(request, "record_council_vote", command)

    return await _change(request, nomination, "vote", values, send, inside="vote.")


@auth.staff_only
async def decide(request: Request) -> Response:
    nomination, form = await _form(request)
    values = {name: text(form, name) for name in ("decision_number", "decided_on")}

    async def send() -> Any:
        errors: dict[str, str] = {}
        payload = {
            "actor": _actor(request),
            "nomination_id": nomination.nomination_id,
            "decision_number": values["decision_number"],
            "decided_on": _day(values["decided_on"], "decided_on", errors),
        }
        return await call(request, "decide", parse_form(DecideCommendation, payload, errors))

    return await _change(request, nomination, "decide", values, send)


async def _reasoned(request: Request, part: str) -> Response:
    """Reject or revoke (`part`, the method's name too), with the reason kept."""
    nomination, form = await _form(request)
    values = {"reason": text(form, "reason")}

    async def send() -> Any:
        payload = {"actor": _actor(request), "nomination_id": nomination.nomination_id}
        command = parse_form(ReasonedChange, {**payload, **values}, {})
        return await call(request, part, command)

    return await _change(request, nomination, part, values, send)


@auth.staff_only
async def reject(request: Request) -> Response:
    return await _reasoned(request, "reject")


@auth.staff_only
async def revoke(request: Request) -> Response:
    return await _reasoned(request, "revoke")


@auth.staff_only
async def set_photo(request: Request) -> Response:
    """A photo for the honour board, or none (`remove`); the service re-encodes it."""
    nomination = await _nomination(request)
    auth.may_edit(request, nomination.commune_id, change=True)
    async with request.form(max_files=2) as form:  # closes the temp file
        auth.check_csrf(request, form.get("csrf_token"))

        async def send() -> Any:
            errors: dict[str, str] = {}
            photos = []
            if form.get("remove") != "yes":
                try:
                    photos = await read_uploads(form, "photo", 1)
                except InvalidInput as too_big:
                    errors = dict(too_big.fields)
                if not (photos or errors):
                    errors["photo"] = _("Vui lòng chọn một ảnh (JPEG, PNG hoặc WebP).")
            payload = {
                "actor": _actor(request),
                "nomination_id": nomination.nomination_id,
                "photo": photos[0].model_dump() if photos else None,
            }
            return await call(request, "set_photo", parse_form(SetPhoto, payload, errors))

        return await _change(request, nomination, "photo", {}, send)


@auth.staff_only
async def minutes(request: Request) -> Response:
    """The review meeting's minutes, saved (never opened here); the service decides
    who may."""
    ref = NominationRef(actor=_actor(request), nomination_id=request.path_params["nomination_id"])
    stored = StoredFile.model_validate(await call(request, "nomination_minutes", ref))
    response = stored_file(stored)
    response.headers["Content-Disposition"] = attachment(stored.filename or "bien-ban")
    return response


@auth.staff_only
async def certificate(request: Request) -> Response:
    """The certificate to print, for a decided commendation not revoked."""
    nomination = await _nomination(request)
    auth.may_edit(request, nomination.commune_id)
    if nomination.status != NominationStatus.DECIDED or not nomination.certificate_code:
        raise Conflict(_(NOT_PRINTABLE))
    overview = await directory.commune_overview(rpc(request), nomination.commune_id)
    settings = request.app.state.settings
    content = await run_in_threadpool(
        certificate_pdf,
        nomination,
        overview.commune.name,
        settings.public_url,
        settings.pdf_font_dir,
    )
    return pdf_download(content, f"giay-khen-{nomination.certificate_code}.pdf")


# --- the comments on a posted list -------------------------------------------------


@auth.staff_only
async def posting_comments(request: Request) -> Response:
    """What residents said about a posted list; a comment on one nominee names them."""
    ref = PostingRef(actor=_actor(request), posting_id=request.path_params["posting_id"])
    received = PostingComments.model_validate(await call(request, "posting_comments", ref))
    about = sorted({c.nomination_id for c in received.comments if c.nomination_id})
    found = await asyncio.gather(
        *(
            call(request, "get_nomination", NominationRef(actor=ref.actor, nomination_id=n))
            for n in about
        )
    )
    nominations = {n.nomination_id: n for n in map(Nomination.model_validate, found)}
    context = {
        "received": received,
        "nominations": nominations,
        "commune_id": next((n.commune_id for n in nominations.values()), None),
    }
    return page(request, "commendation_comments.html", context)


routes = [
    Route(COMMUNE, year_page, name="commendations"),
    Route(COMMUNE + "/de-nghi", propose, methods=["POST"], name="commendation_propose"),
    Route(COMMUNE + "/lay-y-kien", post_nominees, methods=["POST"], name="commendation_post"),
    Route(POSTING, posting_comments, name="commendation_posting_comments"),
    Route(NOMINATION, nomination_page, name="commendation"),
    Route(NOMINATION + "/bien-ban", minutes, name="commendation_minutes"),
    Route(NOMINATION + "/giay-khen.pdf", certificate, name="commendation_certificate_pdf"),
    Route(NOMINATION + "/hoi-dong", record_vote, methods=["POST"], name="commendation_vote"),
    Route(NOMINATION + "/quyet-dinh", decide, methods=["POST"], name="commendation_decide"),
    Route(NOMINATION + "/khong-khen", reject, methods=["POST"], name="commendation_reject"),
    Route(NOMINATION + "/huy-bo", revoke, methods=["POST"], name="commendation_revoke"),
    Route(NOMINATION + "/anh", set_photo, methods=["POST"], name="commendation_photo"),
]
