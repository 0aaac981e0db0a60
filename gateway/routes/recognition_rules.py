"""Staff page of a commune's commendation and discipline rules: the amounts, periods
and authorities the decrees set, and the points the law brief marks UNCONFIRMED.
Each rule shows its value in force on a day, the article it rests on and its dated
versions; a commune administrator adds a version from a day, with a reason, and the
earlier versions still decide what came before.

Staff and inspectors read the rules; the recognition service lets only the
commune's administrators change them. Also what the recognition pages share: a
call to the service, and a rule's value as people write it (2.340.000 đ, 15 %)."""

import asyncio
import re
from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.feedback_forms import refusal, text
from gateway.forms import parse_form
from gateway.routes.pages import rpc
from gateway.routes.recognition import call
from gateway.templating import templates
from shared.calendar import parse_day
from shared.contracts.recognition import ListRules, Rule, RuleBook, RuleValue, SetRule
from shared.contracts.staff import Role
from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import N_, _, format_day, format_number, ngettext, translate

RULES = "/can-bo/xa/{commune_id}/quy-tac-khen-thuong-ky-luat"
LEADERS = frozenset({Role.COMMUNE_ADMIN})
KIND_VI = {
    "number": N_("Số"),
    "money": N_("Số tiền"),
    "percent": N_("Tỷ lệ phần trăm"),
    "days": N_("Số ngày"),
    "months": N_("Số tháng"),
    "years": N_("Số năm"),
    "text": N_("Văn bản"),
    "yes_no": N_("Có hoặc không"),
}
# Shown translated: {{ _(UNIT_VI[kind]) }} (the percent sign is the same in any language).
UNIT_VI = {
    "money": N_("đ"),
    "percent": "%",
    "days": N_("ngày"),
    "months": N_("tháng"),
    "years": N_("năm"),
}
WHOLE_KINDS = frozenset({"money", "days", "months", "years"})
NUMBER_KINDS = WHOLE_KINDS | {"number", "percent"}
# 2.340.000 or 2,340,000: thousands, whichever mark was typed.
THOUSANDS = re.compile(r"\d{1,3}([.,]\d{3})+")
FIELDS = ("value", "valid_from", "reason")


def rule_value(value: RuleValue | None, kind: str) -> str:
    """A rule's value as the reader reads it: 2.340.000 đ, 15 %, 90 ngày, Có
    (2,340,000 VND, 15 %, 90 days, Yes)."""
    if value is None:
        return _("Chưa có")
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, str):
        return translate(value)  # a default the service wrote, or what an administrator typed
    amount = format_number(value)
    if kind == "money":
        return _("{amount} đ").format(amount=amount)
    if kind == "percent":
        return f"{amount} %"
    if kind == "days":
        return ngettext("{amount} ngày", "{amount} ngày", int(value)).format(amount=amount)
    if kind == "months":
        return ngettext("{amount} tháng", "{amount} tháng", int(value)).format(amount=amount)
    if kind == "years":
        return ngettext("{amount} năm", "{amount} năm", int(value)).format(amount=amount)
    return amount


def typed_value(value: RuleValue | None, kind: str) -> str:
    """A value as the form shows it to be changed: without its unit; yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else format_number(value)


def parse_value(typed: str, kind: str) -> RuleValue:
    """What was typed, as the rule's kind: 2.340.000 or 2,340,000 → 2340000; 1,5 → 1.5
    (a decimal comma, as Vietnamese write it); raise ValueError in the reader's language."""
    if kind == "yes_no":
        if typed not in ("yes", "no"):
            raise ValueError(_("Vui lòng chọn Có hoặc Không."))
        return typed == "yes"
    if not typed:
        raise ValueError(_("Vui lòng điền mục này."))
    if kind not in NUMBER_KINDS:
        return typed
    unit = UNIT_VI.get(kind, "")
    plain = typed.replace(" ", "").removesuffix(unit).removesuffix(_(unit) if unit else "").strip()
    if THOUSANDS.fullmatch(plain):
        return int(re.sub(r"[.,]", "", plain))
    if plain.isdigit():
        return int(plain)
    if kind not in WHOLE_KINDS and re.fullmatch(r"\d+[.,]\d+", plain):
        return float(plain.replace(",", "."))
    if kind in WHOLE_KINDS:
        raise ValueError(_("Vui lòng nhập một số nguyên, ví dụ 2.340.000."))
    raise ValueError(_("Vui lòng nhập một số, ví dụ 15 hoặc 1,5."))


def _on(request: Request) -> date | None:
    """The day the book is read on: `?ngay=`, else today (the service's)."""
    try:
        return parse_day(request.query_params.get("ngay", ""))
    except ValueError:
        return None


def _blank(rule: Rule) -> dict[str, str]:
    return {"value": typed_value(rule.value, rule.kind), "valid_from": "", "reason": ""}


async def _set_rule(request: Request, commune_id: str, rule: Rule, typed: dict[str, str]) -> None:
    errors: dict[str, str] = {}
    try:
        value: RuleValue = parse_value(typed["value"], rule.kind)
    except ValueError as wrong:
        errors["value"], value = str(wrong), typed["value"]
    try:
        valid_from: date | None = parse_day(typed["valid_from"])
    except ValueError:
        errors["valid_from"] = _("Vui lòng nhập ngày bắt đầu áp dụng (ngày/tháng/năm).")
        valid_from = None
    payload = {
        "actor": request.state.staff.username,
        "commune_id": commune_id,
        "key": rule.key,
        "value": value,
        "valid_from": valid_from,
        "reason": typed["reason"],
    }
    await call(request, "set_rule", parse_form(SetRule, payload, errors))


@auth.staff_only
async def rules_page(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    query = ListRules(actor=request.state.staff.username, commune_id=commune_id, on=_on(request))
    overview, reply = await asyncio.gather(
        directory.commune_overview(rpc(request), commune_id), call(request, "list_rules", query)
    )
    book = RuleBook.model_validate(reply)
    forms = {rule.key: _blank(rule) for rule in book.rules}
    errors: dict[str, str] = {}  # of the rule `open_rule`, the one sent
    open_rule, status_code = "", 200
    if request.method == "POST":
        form = await request.form()
        auth.check_csrf(request, form.get("csrf_token"))
        rule = next((rule for rule in book.rules if rule.key == text(form, "key")), None)
        if rule is None:
            raise NotFound(_("Không có quy tắc này."))
        open_rule, typed = rule.key, {name: text(form, name) for name in FIELDS}
        forms[rule.key] = typed
        try:
            await _set_rule(request, commune_id, rule, typed)
        except (InvalidInput, Conflict) as refused:
            errors, status_code = refusal(refused), refused.http_status
        else:
            valid_from = parse_day(typed["valid_from"])
            request.session["flash"] = _("Đã lưu giá trị mới của “{name}” từ ngày {day}.").format(
                name=translate(rule.name), day=format_day(valid_from)
            )
            return RedirectResponse(RULES.format(commune_id=commune_id), status_code=303)
    context = {
        "overview": overview,
        "book": book,
        "may_change": request.state.staff.holds_in(commune_id, LEADERS),
        "forms": forms,
        "errors": errors,
        "open_rule": open_rule,
        "rule_value": rule_value,
        "KIND_VI": KIND_VI,
        "UNIT_VI": UNIT_VI,
    }
    return templates.TemplateResponse(
        request, "recognition_rules.html", context, status_code=status_code
    )


routes = [Route(RULES, rules_page, methods=["GET", "POST"], name="recognition_rules")]
