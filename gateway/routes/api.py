"""The JSON API (read side of the directory for now). Errors come back as
`{"error": {"code", "message", "fields", ...}}` with the matching status."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.routes.pages import rpc
from shared.contracts.directory import CommuneList, CommuneOverview


async def communes(request: Request) -> Response:
    reply = CommuneList.model_validate(await rpc(request).call("directory", "list_communes"))
    return JSONResponse(reply.model_dump(mode="json"))


async def commune(request: Request) -> Response:
    reply = await rpc(request).call(
        "directory", "get_commune_overview", request.path_params["commune_id"]
    )
    overview = CommuneOverview.model_validate(reply)
    return JSONResponse(
        {**overview.model_dump(mode="json"), "household_count": overview.household_count}
    )


routes = [
    Route("/communes", communes),
    Route("/communes/{commune_id}", commune),
]
