"""Pages anyone can open: the list of communes and a commune's residential units."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.rpc import RpcClient
from gateway.templating import templates
from shared.contracts.notifications import StaffNoticeList
from shared.contracts.surveys import ListPolls, Poll, PollList
from shared.errors import ServiceUnavailable

NOTICES_TIMEOUT_SECONDS = 2.0  # the page still shows the units if notices are slow
POLLS_TIMEOUT_SECONDS = 2.0  # likewise for the commune's polls


def rpc(request: Request) -> RpcClient:
    return request.app.state.rpc


async def home(request: Request) -> Response:
    await auth.current_staff(request)
    listed = await directory.communes(rpc(request))
    return templates.TemplateResponse(request, "home.html", {"communes": listed.communes})


async def current_polls(request: Request, commune_id: str) -> list[Poll] | None:
    """The commune's polls that opened, newest first; None if surveys is down."""
    try:
        reply = await rpc(request).call(
            "surveys",
            "list_polls",
            ListPolls(commune_id=commune_id).model_dump(),
            timeout=POLLS_TIMEOUT_SECONDS,
        )
    except ServiceUnavailable:
        return None
    return PollList.model_validate(reply).polls


async def commune(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    notices, notices_down = [], False
    staff = await auth.current_staff(request)
    if staff is not None and staff.works_in(commune_id):
        try:
            reply = await rpc(request).call(
                "notifications",
                "list_staff_notices",
                {"commune_id": commune_id},
                timeout=NOTICES_TIMEOUT_SECONDS,
            )
            notices = StaffNoticeList.model_validate(reply).notices
        except ServiceUnavailable:
            notices_down = True
    return templates.TemplateResponse(
        request,
        "commune.html",
        {
            "overview": overview,
            "notices": notices,
            "notices_down": notices_down,
            "polls": await current_polls(request, commune_id),
            "may_edit": staff is not None and staff.works_in(commune_id),
        },
    )


routes = [
    Route("/", home, name="home"),
    Route("/communes/{commune_id}", commune, name="commune"),
]
