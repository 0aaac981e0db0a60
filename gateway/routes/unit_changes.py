"""Staff pages to rename, merge and split a commune's thôn and tổ dân phố, each
on a date and citing the decision. The directory service checks and carries out
the change; a page only reads the form and shows what was refused, field by field."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.directory import CommuneOverview, ResidentialUnitSummary
from shared.contracts.households import HouseholdList, ListHouseholds
from shared.contracts.succession import MergeUnits, RenameUnit, SplitUnit, UnitChangeResult
from shared.errors import Conflict, InvalidInput, NotFound, parse
from shared.i18n import _, format_day
from shared.ids import new_id

MAX_PARTS = 10  # SplitUnit's limit
LISTED_HOUSEHOLDS = 1000  # shown on the split page to copy codes from
# The local labels a clerk may pick, on every form that names a thôn or tổ dân phố.
templates.env.globals["local_labels"] = directory.LOCAL_LABEL_CHOICES


def _unit(overview: CommuneOverview, unit_id: str) -> ResidentialUnitSummary:
    """A current unit of the commune that no recorded change ends yet."""
    for item in overview.residential_units:
        if item.unit.id == unit_id and item.ended_by is None:
            return item
    raise NotFound(_("Không tìm thấy thôn, tổ dân phố này, hoặc đơn vị đã có quyết định thay đổi."))


def _text(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def _codes(text: str) -> list[str]:
    """Household codes typed or pasted: separated by spaces, commas or new lines."""
    return [code for code in re.split(r"[\s,;]+", text.upper()) if code]


async def _change_page(
    request: Request,
    method: str,
    template: str,
    context: dict[str, Any],
    command: Callable[[FormData, dict[str, Any]], BaseModel],
) -> Response:
    """GET shows the form; POST checks it, asks the directory to `method`, and
    goes back to the commune page, or shows the form again with the reasons."""
    overview: CommuneOverview = context["overview"]
    values = context.setdefault("values", {})
    values.setdefault("on", date.today().isoformat())
    values.setdefault("decision", "")
    values.setdefault("request_id", new_id())
    context.setdefault("errors", {})

    def page(status_code: int = 200) -> Response:
        return templates.TemplateResponse(request, template, context, status_code=status_code)

    if request.method == "GET":
        return page()
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values.update({name: _text(form, name) for name in ("on", "decision", "request_id")})
    common = {**values, "actor": request.state.staff.username, "commune_id": overview.commune.id}
    adding_a_part = form.get("action") == "add_part"  # the same form again, one row longer
    try:
        sent = command(form, common)
        if adding_a_part:
            return page()
        reply = await rpc(request).call("directory", method, sent.model_dump(mode="json"))
    except (InvalidInput, Conflict) as refused:
        if adding_a_part:
            return page()
        context["errors"] = _errors(refused)
        return page(refused.http_status)
    request.session["flash"] = _done(method, overview, UnitChangeResult.model_validate(reply))
    return RedirectResponse(request.url_for("commune", commune_id=overview.commune.id), 303)


def _errors(refused: InvalidInput | Conflict) -> dict[str, str]:
    """Errors by field, with a bad household code reported on its part's box."""
    errors: dict[str, str] = {}
    for name, message in (
        refused.fields or {"__root__": refused.detail or refused.message}
    ).items():
        if match := re.fullmatch(r"(parts\.\d+\.household_codes)\.\d+", name):
            errors[match[1]] = _(
                "Có mã hộ không hợp lệ (mã gồm 4-12 chữ và số, không có 0, O, 1, I)."
            )
        else:
            errors.setdefault(name, message)
    return errors


def _done(method: str, overview: CommuneOverview, result: UnitChangeResult) -> str:
    change = result.succession
    names = overview.unit_names
    before = ", ".join(names.get(unit_id, unit_id) for unit_id in change.from_unit_ids)
    after = ", ".join(unit.name for unit in result.units)
    done = {
        "rename_unit": _("Đã đổi tên {before} thành {after} từ ngày {day}."),
        "merge_units": _("Đã sáp nhập {before} vào {after} từ ngày {day}."),
        "split_unit": _("Đã chia {before} thành {after} từ ngày {day}."),
    }[method]
    return done.format(before=before, after=after, day=format_day(change.on))


@auth.staff_only
async def rename_unit(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    item = _unit(overview, request.path_params["unit_id"])
    context: dict[str, Any] = {
        "overview": overview,
        "item": item,
        "values": {"name": "", "local_label": ""},
    }

    def command(form: FormData, common: dict[str, Any]) -> RenameUnit:
        context["values"].update(name=_text(form, "name"), local_label=_text(form, "local_label"))
        label = context["values"]["local_label"] or None
        return parse(
            RenameUnit,
            {
                **common,
                "unit_id": item.unit.id,
                "name": context["values"]["name"],
                "local_label": label,
            },
        )

    return await _change_page(request, "rename_unit", "unit_rename.html", context, command)


@auth.staff_only
async def merge_units(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    units = [item for item in overview.residential_units if item.ended_by is None]
    values = {"unit_ids": [], "into_unit_id": "", "name": "", "kind": "", "local_label": ""}
    context: dict[str, Any] = {
        "overview": overview,
        "units": units,
        "mixed_kinds": len({item.unit.kind for item in units}) > 1,
        "values": values,
    }

    def command(form: FormData, common: dict[str, Any]) -> MergeUnits:
        values.update(
            {name: _text(form, name) for name in ("into_unit_id", "name", "kind", "local_label")}
        )
        values["unit_ids"] = [str(unit_id) for unit_id in form.getlist("unit_ids")]
        sent = {
            name: values[name] or None for name in ("into_unit_id", "name", "kind", "local_label")
        }
        return parse(MergeUnits, {**common, **sent, "unit_ids": values["unit_ids"]})

    return await _change_page(request, "merge_units", "unit_merge.html", context, command)


@auth.staff_only
async def split_unit(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    item = _unit(overview, request.path_params["unit_id"])
    query = ListHouseholds(unit_id=item.unit.id, as_of=date.today(), limit=LISTED_HOUSEHOLDS)
    listed = HouseholdList.model_validate(
        await rpc(request).call("directory", "list_households", query.model_dump(mode="json"))
    )
    blank = {"name": "", "local_label": "", "household_codes": ""}
    context: dict[str, Any] = {
        "overview": overview,
        "item": item,
        "households": listed.households,
        "values": {"parts": [dict(blank), dict(blank)]},
    }

    def command(form: FormData, common: dict[str, Any]) -> SplitUnit:
        count = _text(form, "part_count")
        count = min(int(count), MAX_PARTS) if count.isdigit() else 2
        parts = [{key: _text(form, f"parts.{i}.{key}") for key in blank} for i in range(count)]
        if form.get("action") == "add_part" and count < MAX_PARTS:
            parts.append(dict(blank))
        context["values"]["parts"] = parts
        while len(parts) > 2 and not any(parts[-1].values()):  # rows left empty at the end
            parts = parts[:-1]
        sent = [
            {
                "name": part["name"],
                "local_label": part["local_label"] or None,
                "household_codes": _codes(part["household_codes"]),
            }
            for part in parts
        ]
        return parse(SplitUnit, {**common, "unit_id": item.unit.id, "parts": sent})

    return await _change_page(request, "split_unit", "unit_split.html", context, command)


routes = [
    Route(
        "/communes/{commune_id}/units/merge",
        merge_units,
        methods=["GET", "POST"],
        name="merge_units",
    ),
    Route(
        "/communes/{commune_id}/units/{unit_id}/rename",
        rename_unit,
        methods=["GET", "POST"],
        name="rename_unit",
    ),
    Route(
        "/communes/{commune_id}/units/{unit_id}/split",
        split_unit,
        methods=["GET", "POST"],
        name="split_unit",
    ),
]
