"""Staff pages for the census: find a household, see its members and history."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.households import HouseholdList, HouseholdView, SearchHouseholds
from shared.errors import InvalidInput, parse
from shared.i18n import _


@auth.staff_only
async def search(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    text = request.query_params.get("q", "").strip()
    context = {"overview": overview, "text": text, "found": None, "error": None}
    if text:
        try:
            query = parse(
                SearchHouseholds,
                {"actor": request.state.staff.username, "commune_id": commune_id, "text": text},
            )
        except InvalidInput:
            context["error"] = _("Vui lòng nhập ít nhất 2 ký tự: mã hộ, số điện thoại hoặc tên.")
        else:
            reply = await rpc(request).call("directory", "search_households", query.model_dump())
            context["found"] = HouseholdList.model_validate(reply).households
    names = {item.unit.id: item.unit.name for item in overview.residential_units}
    names |= overview.unit_names  # former units too: a household may have left from one
    return templates.TemplateResponse(request, "households.html", {**context, "unit_names": names})


@auth.staff_only
async def details(request: Request) -> Response:
    reply = await rpc(request).call(
        "directory",
        "household_details",
        {"actor": request.state.staff.username, "code": request.path_params["code"]},
    )
    view = HouseholdView.model_validate(reply)
    return templates.TemplateResponse(request, "household.html", {"view": view})


routes = [
    Route("/communes/{commune_id}/households", search, name="households"),
    Route("/households/{code}", details, name="household"),
]
