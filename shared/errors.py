"""Errors that cross a service boundary, declared once.

A service raises one of these; nameko sends its class name and args over the
wire; the gateway rebuilds it with `from_wire` (translated into the reader's language,
shared.i18n) and shows `message` with `http_status`. Any other exception is an internal error.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from shared.i18n import N_, _, translate


class WireError(Exception):
    """Base of every error a resident or clerk may be shown.

    `detail` is a sentence for the person (Vietnamese), `fields` maps a form
    field to what is wrong with it. Both survive the trip through nameko,
    which sends `exc.args`.
    """

    http_status: ClassVar[int] = 500
    message_vi: ClassVar[str] = N_("Đã có lỗi xảy ra. Vui lòng thử lại sau.")

    def __init__(self, detail: str = "", fields: dict[str, str] | None = None) -> None:
        super().__init__(detail, fields or {})
        self.detail = detail
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.detail or self.message_vi

    @property
    def message(self) -> str:
        """The class's sentence in the reader's language."""
        return _(self.message_vi)


class InvalidInput(WireError):
    http_status = 422
    message_vi = N_("Thông tin chưa hợp lệ. Vui lòng kiểm tra các ô được đánh dấu.")


class NotFound(WireError):
    http_status = 404
    message_vi = N_("Không tìm thấy nội dung bạn yêu cầu.")


class Conflict(WireError):
    http_status = 409
    message_vi = N_("Thông tin này đã có trong hệ thống.")


class NotSignedIn(WireError):
    http_status = 401
    message_vi = N_("Tên đăng nhập hoặc mật khẩu không đúng, hoặc phiên làm việc đã hết hạn.")


class AccountLocked(WireError):
    http_status = 423
    message_vi = N_("Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau.")


class Forbidden(WireError):
    http_status = 403
    message_vi = N_("Bạn không có quyền thực hiện việc này.")


class AlreadyVoted(WireError):
    """A household's second ballot, by any channel (Law 10/2022 Art 21: one household,
    one vote). `detail` says how and when it took part."""

    http_status = 409
    message_vi = N_("Hộ gia đình của bạn đã tham gia lần này. Mỗi hộ chỉ có một phiếu.")


class PollNotOpen(WireError):
    """A ballot before the poll opened or after it closed; `detail` says which."""

    http_status = 409
    message_vi = N_("Cuộc lấy ý kiến, biểu quyết này hiện không nhận phiếu.")


class TooManyRequests(WireError):
    """Too many submissions from one source in a short time (e.g. filings of
    feedback from one address); `detail` says when to try again."""

    http_status = 429
    message_vi = N_("Bạn đã gửi quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau.")


class ServiceUnavailable(WireError):
    """Raised by the gateway itself when a service does not answer."""

    http_status = 503
    message_vi = N_(
        "Dịch vụ đang tạm ngừng. Vui lòng thử lại sau ít phút; "
        "thông tin đã gửi trước đó không bị mất."
    )


WIRE_ERRORS: tuple[type[WireError], ...] = (
    InvalidInput,
    NotFound,
    Conflict,
    NotSignedIn,
    AccountLocked,
    Forbidden,
    AlreadyVoted,
    PollNotOpen,
    TooManyRequests,
    ServiceUnavailable,
)
_BY_NAME = {cls.__name__: cls for cls in WIRE_ERRORS}


def from_wire(error: dict[str, Any]) -> WireError:
    """Rebuild the error a nameko RPC reply carries (`{"exc_type", "exc_args", ...}`)."""
    cls = _BY_NAME.get(str(error.get("exc_type")))
    if cls is None:
        return WireError(str(error.get("value") or ""))
    args = error.get("exc_args") or []
    detail = args[0] if args and isinstance(args[0], str) else ""
    fields = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    # Services speak Vietnamese; the person reads their own language (shared.i18n).
    return cls(translate(detail), {str(k): translate(str(v)) for k, v in fields.items()})


# Vietnamese wording of pydantic's error types, for form fields.
_FIELD_MESSAGES_VI = {
    "missing": N_("Vui lòng điền mục này."),
    "string_too_short": N_("Vui lòng điền mục này."),
    "string_shorter_than_minimum": N_("Quá ngắn: ít nhất {min_length} ký tự."),
    "string_too_long": N_("Quá dài: tối đa {max_length} ký tự."),
    "string_pattern_mismatch": N_("Có ký tự không được phép."),
    "enum": N_("Vui lòng chọn một giá trị trong danh sách."),
    "literal_error": N_("Vui lòng chọn một giá trị trong danh sách."),
    "int_parsing": N_("Vui lòng nhập một số nguyên."),
    "date_from_datetime_parsing": N_("Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
    "date_parsing": N_("Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
}


_ANY_OTHER_FIELD_MESSAGE = N_("Giá trị không hợp lệ.")

REASON_VI = "reason_vi"  # the error type of a contract's own reason, in Vietnamese


def reason_vi(message: str) -> PydanticCustomError:
    """Raise in a contract's validator to tell the person `message` as it is written
    (other validators' messages are for developers and become a generic one)."""
    return PydanticCustomError(REASON_VI, message)


def invalid_input_from(error: ValidationError) -> InvalidInput:
    """Turn pydantic's errors into one InvalidInput with a Vietnamese message per field."""
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "__root__"
        kind, ctx = item["type"], item.get("ctx") or {}
        if kind == REASON_VI:
            fields.setdefault(name, translate(item["msg"]))
            continue
        if kind == "string_too_short" and ctx.get("min_length", 1) > 1:
            kind = "string_shorter_than_minimum"  # "too short", not "empty"
        template = _(_FIELD_MESSAGES_VI.get(kind, _ANY_OTHER_FIELD_MESSAGE))
        fields.setdefault(name, template.format(**ctx))
    return InvalidInput(fields=fields)


def parse[M: BaseModel](model: type[M], payload: Any) -> M:
    """Validate what arrived over the wire or from a form; raise InvalidInput if it is wrong."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise invalid_input_from(exc) from None
