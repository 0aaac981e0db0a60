"""What the feedback pages share: calls to the feedback service, the filing form (a
resident's, or an official's on a resident's behalf), files read from a multipart
form with a size cap, the contracts' own reasons for a refusal, and a stored file
served so that it can never run in the page."""

import base64
import re
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from gateway.forms import attachment
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.directory import CommuneOverview
from shared.contracts.feedback import (
    CASE_STATUS_VI,
    CASE_TYPE_VI,
    DEADLINE_VI,
    PHOTO_MAX_BYTES,
    PHOTO_TYPES,
    PHOTOS_PER_CASE,
    CaseReceipt,
    CaseType,
    Categories,
    CommuneQuery,
    Complexity,
    FileCase,
    ReceptionSession,
    StoredFile,
    Upload,
)
from shared.errors import InvalidInput, WireError, parse
from shared.i18n import N_, _
from shared.ids import new_id

# What a filer may say their case is; staff decide (an Inspection Board recommendation
# is not something a resident files).
WANTS_TYPES = {
    kind: CASE_TYPE_VI[kind]
    for kind in (CaseType.FEEDBACK, CaseType.COMPLAINT, CaseType.DENUNCIATION)
}
FILING_FIELDS = (
    "request_id", "category", "title", "text", "place.address", "place.unit_id",
    "place.latitude", "place.longitude", "household", "contact.name", "contact.phone",
    "contact.email", "wants_type", "reception_id",
)  # fmt: skip
# Clearer words than pydantic's for the fields a resident most often gets wrong.
FILING_ERRORS = {
    "category": N_("Vui lòng chọn lĩnh vực."),
    "household": N_("Mã hộ chưa đúng: 6 ký tự in trên giấy báo của hộ, ví dụ HA7K2M."),
    "contact.email": N_("Địa chỉ thư điện tử chưa đúng, ví dụ: ten@example.com."),
    "wants_type": N_("Vui lòng chọn một loại đơn trong danh sách."),
    "request_id": N_("Biểu mẫu đã cũ. Vui lòng kiểm tra lại rồi gửi lần nữa."),
}
COMPLEXITY_VI = {
    Complexity.NORMAL: N_("Bình thường"),
    Complexity.COMPLEX: N_("Phức tạp"),
    Complexity.VERY_COMPLEX: N_("Đặc biệt phức tạp"),
}
NOT_A_NUMBER = N_("Vui lòng nhập một số, ví dụ 16,4637 (hoặc để trống).")
FILES_LOST = N_("Các tệp đã chọn chưa được gửi: vui lòng chọn lại sau khi sửa.")
LABELS = {
    "CASE_STATUS_VI": CASE_STATUS_VI,
    "CASE_TYPE_VI": CASE_TYPE_VI,
    "DEADLINE_VI": DEADLINE_VI,
    "WANTS_TYPES": WANTS_TYPES,
    "COMPLEXITY_VI": COMPLEXITY_VI,
    "PHOTOS_PER_CASE": PHOTOS_PER_CASE,
    "PHOTO_MAX_MB": PHOTO_MAX_BYTES // (1024 * 1024),
    "PHOTO_ACCEPT": ",".join(PHOTO_TYPES),
}


def page(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {**LABELS, **context}, status_code=status_code
    )


async def call(request: Request, method: str, command: BaseModel) -> Any:
    return await rpc(request).call("feedback", method, command.model_dump(mode="json"))


async def categories(request: Request, commune_id: str) -> Categories:
    reply = await call(request, "list_categories", CommuneQuery(commune_id=commune_id))
    return Categories.model_validate(reply)


def unit_names(overview: CommuneOverview) -> dict[str, str]:
    """Every residential unit the commune has or had, by id, and the commune itself."""
    today = {item.unit.id: item.unit.name for item in overview.residential_units}
    return {overview.commune.id: overview.commune.name} | overview.unit_names | today


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def page_number(request: Request) -> int:
    typed = request.query_params.get("page", "")
    return int(typed) if typed.isdigit() and 1 <= int(typed) <= 1000 else 1


# --- refusals -------------------------------------------------------------------


def parse_command[M: BaseModel](model: type[M], payload: dict, errors: dict[str, str]) -> M:
    """The command, or InvalidInput with the model's refusals (the feedback contracts
    give their own reasons in Vietnamese) and the page's own `errors`."""
    try:
        command = parse(model, payload)
    except InvalidInput as invalid:
        raise InvalidInput(fields={**invalid.fields, **errors}) from None
    if errors:
        raise InvalidInput(fields=errors)
    return command


def refusal(refused: WireError) -> dict[str, str]:
    """What is wrong, by field; a file's problem ("photos.1") is shown on its input."""
    fields = {
        re.sub(r"^(photos|attachments)\.\d+.*$", r"\1", k): v for k, v in refused.fields.items()
    }
    return fields or {"__root__": refused.detail or refused.message}


# --- files ----------------------------------------------------------------------


async def read_uploads(form: FormData, field: str, most: int) -> list[Upload]:
    """The files chosen in `field`, each read up to the size cap: one too big is refused
    here, before anything is sent. Their type is checked by the feedback service,
    which decodes photos (a name or a declared type proves nothing)."""
    chosen = [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]
    if len(chosen) > most:
        raise InvalidInput(fields={field: _("Chọn tối đa {most} tệp.").format(most=most)})
    uploads = []
    for upload in chosen:
        content = await upload.read(PHOTO_MAX_BYTES + 1)
        if len(content) > PHOTO_MAX_BYTES:
            raise InvalidInput(
                fields={
                    field: _(
                        "Tệp “{name}” quá lớn: mỗi tệp tối đa {most} MB. "
                        "Vui lòng chọn ảnh nhỏ hơn hoặc chụp lại."
                    ).format(name=upload.filename, most=LABELS["PHOTO_MAX_MB"])
                }
            )
        data = base64.b64encode(content).decode()
        uploads.append(Upload(filename=(upload.filename or "")[-200:], data_base64=data))
    return uploads


def stored_file(stored: StoredFile) -> Response:
    """A case's photo or an answer's attachment. Only a photo the service re-encoded is
    shown in the page; anything else is saved, never opened here, and nothing served
    may run script or load anything (nosniff, a CSP of 'none')."""
    image = stored.content_type in PHOTO_TYPES
    known = image or stored.content_type == "application/pdf"
    media_type = stored.content_type if known else "application/octet-stream"
    return Response(
        base64.b64decode(stored.data_base64),
        media_type=media_type,
        headers={
            "Content-Disposition": "inline" if image else attachment(stored.filename or "tep"),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "private, max-age=3600",
        },
    )


# --- the filing form ------------------------------------------------------------


def blank_filing() -> dict[str, Any]:
    """A new form, with its own request_id: sent twice, it still makes one case."""
    return {**dict.fromkeys(FILING_FIELDS, ""), "request_id": new_id(), "anonymous": False}


def filing_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(form, name) for name in FILING_FIELDS}
    values["anonymous"] = form.get("anonymous") == "yes"
    return values


def _coordinate(values: dict[str, Any], name: str, errors: dict[str, str]) -> float | None:
    typed = values[name].replace(",", ".")  # Vietnamese write 16,4637
    if not typed:
        return None
    try:
        return float(typed)
    except ValueError:
        errors[name] = _(NOT_A_NUMBER)
        return None


def filing_command(
    values: dict[str, Any], photos: list[Upload], errors: dict[str, str], **more: Any
) -> FileCase:
    """The FileCase the form says, or InvalidInput with a message for every field."""
    contact = {key: values[f"contact.{key}"] or None for key in ("name", "phone", "email")}
    payload = {
        "request_id": values["request_id"],
        "category": values["category"],
        "title": values["title"],
        "text": values["text"],
        "place": {
            "address": values["place.address"] or None,
            "unit_id": values["place.unit_id"] or None,
            "latitude": _coordinate(values, "place.latitude", errors),
            "longitude": _coordinate(values, "place.longitude", errors),
        },
        "photos": [photo.model_dump() for photo in photos],
        "household": values["household"] or None,
        "contact": contact if any(contact.values()) else None,
        "anonymous": values["anonymous"],
        "wants_type": values["wants_type"] or None,
        **more,
    }
    try:
        return parse_command(FileCase, payload, errors)
    except InvalidInput as refused:
        fields = {
            k: _(FILING_ERRORS[k]) if k in FILING_ERRORS else v for k, v in refused.fields.items()
        }
        raise InvalidInput(fields=fields) from None


def files_chosen(form: FormData, field: str) -> bool:
    return any(isinstance(f, UploadFile) and f.filename for f in form.getlist(field))


async def file_case(
    request: Request, form: FormData, values: dict[str, Any], **more: Any
) -> CaseReceipt:
    """Read the photos, check the form and file the case: its receipt, or
    InvalidInput (by field) or Conflict."""
    errors: dict[str, str] = {}
    try:
        photos = await read_uploads(form, "photos", PHOTOS_PER_CASE)
    except InvalidInput as too_big:
        errors, photos = dict(too_big.fields), []
    command = filing_command(values, photos, errors, **more)
    return CaseReceipt.model_validate(await call(request, "file_case", command))


def filing_page(
    request: Request,
    overview: CommuneOverview,
    offered: Categories,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    receptions: list[ReceptionSession] | None = None,
    files_lost: bool = False,
    status_code: int = 200,
) -> Response:
    """The filing form; `receptions` only for staff (a case filed at a reception)."""
    if "unit_id" in errors:  # the service names the place's unit so
        errors = {"place.unit_id": errors["unit_id"]} | errors
        del errors["unit_id"]
    if files_lost and errors:  # a browser cannot refill a file input
        errors = {**errors, "photos": errors.get("photos", _(FILES_LOST))}
    context = {
        "overview": overview,
        "categories": [category for category in offered.categories if category.active],
        "values": values,
        "errors": errors,
        "action": action,
        "receptions": receptions,
    }
    return page(request, "feedback_new.html", context, status_code)
