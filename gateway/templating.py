"""Jinja templates, with the filters pages use."""

from pathlib import Path

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from gateway import auth
from shared import i18n
from shared.calendar import vietnam_time
from shared.contracts.directory import UnitKind
from shared.contracts.households import HouseholdStatus
from shared.contracts.imports import ImportStatus
from shared.contracts.surveys import POLL_KIND_VI, TOOK_PART_VI
from shared.i18n import N_

# Labels, marked for the catalog: shown with {{ _(UNIT_KIND_VI[kind]) }}.
UNIT_KIND_VI = {
    UnitKind.PROVINCE: N_("Tỉnh, thành phố"),
    UnitKind.COMMUNE: N_("Xã"),
    UnitKind.WARD: N_("Phường"),
    UnitKind.SPECIAL_ZONE: N_("Đặc khu"),
    UnitKind.VILLAGE: N_("Thôn"),
    UnitKind.RESIDENTIAL_GROUP: N_("Tổ dân phố"),
}

STATUS_VI = {
    HouseholdStatus.ACTIVE: N_("cư trú"),
    HouseholdStatus.MOVED_OUT: N_("chuyển đi"),
    HouseholdStatus.MERGED: N_("nhập vào hộ khác"),
}


IMPORT_STATUS_VI = {
    ImportStatus.UPLOADING: N_("đang tải lên"),
    ImportStatus.CHECKING: N_("đang kiểm tra"),
    ImportStatus.CHECKED: N_("đã kiểm tra, chờ duyệt"),
    ImportStatus.APPLYING: N_("đang ghi"),
    ImportStatus.DONE: N_("đã nhập"),
    ImportStatus.FAILED: N_("không hoàn tất"),
}


# A day and a moment as the reader writes them (shared/i18n.py): 01/07/2025 or
# 1 Jul 2025; 05/01/2026 15:04 or 5 Jan 2026, 15:04, in Vietnam's time.
vn_date = i18n.format_day
vn_datetime = i18n.format_moment


class CsrfToken:
    """The session's CSRF token, made only when a page prints it (a staff form):
    a resident's ballot pages print none, so they set no session cookie."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return auth.csrf_token(self.request)

    __html__ = __str__  # a token is URL-safe text: nothing to escape


def language_context(request: Request) -> dict:
    """What every page needs of the reader's language (gateway/language.py set it)."""
    return {"language": i18n.current(), "languages": i18n.LANGUAGE_NAMES}


def page_context(request: Request) -> dict:
    return {
        **language_context(request),
        "staff": getattr(request.state, "staff", None),  # set by auth.current_staff
        "csrf_token": CsrfToken(request),
        "flash": request.session.pop("flash", None),
    }


templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[page_context]
)
# Jinja's i18n: {{ _("...") }} and {% trans %}, in the request's language (shared.i18n).
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
templates.env.install_gettext_callables(
    i18n._, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)
templates.env.filters["tr"] = i18n.translate  # text a service sent or stored
templates.env.filters["number"] = i18n.format_number
templates.env.filters["vn_date"] = vn_date
# Jinja's capitalize would also lower "Ban Thanh tra" to "ban thanh tra".
templates.env.filters["first_upper"] = lambda text: text[:1].upper() + text[1:]
templates.env.filters["vn_datetime"] = vn_datetime
templates.env.filters["vn_moment"] = vietnam_time  # "15:00 ngày 20/12/2026"
templates.env.globals["UNIT_KIND_VI"] = UNIT_KIND_VI
templates.env.globals["STATUS_VI"] = STATUS_VI
templates.env.globals["IMPORT_STATUS_VI"] = IMPORT_STATUS_VI
templates.env.globals["POLL_KIND_VI"] = POLL_KIND_VI
templates.env.globals["TOOK_PART_VI"] = TOOK_PART_VI
