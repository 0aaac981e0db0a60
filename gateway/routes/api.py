"""The JSON API (read side of the directory for now). Errors come back as
`{"error": {"code", "message", "fields", ...}}` with the matching status."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import directory
from gateway.routes.pages import rpc


async def communes(request: Request) -> Response:
    listed = await directory.communes(rpc(request))
    return JSONResponse(listed.model_dump(mode="json"))


async def commune(request: Request) -> Response:
    overview = await directory.commune_overview(rpc(request), request.path_params["commune_id"])
    return JSONResponse(
        {**overview.model_dump(mode="json"), "household_count": overview.household_count}
    )


routes = [
    Route("/communes", communes),
    Route("/communes/{commune_id}", commune),
]
