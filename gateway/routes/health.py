"""`/healthz`: is the broker reachable, and is every service and its database up?

`/livez` and `/readyz` are the gateway's own probes for Kubernetes. They check
only the gateway: a probe on /healthz would restart, or take out of the load
balancer, every gateway whenever one service or the database is down, though
most pages would still work.
"""

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gateway.routes.pages import rpc
from shared.config import SERVICE_NAMES
from shared.contracts.common import ServiceHealth
from shared.errors import WireError

HEALTH_TIMEOUT_SECONDS = 4.0  # above the services' 3 s MongoDB server-selection timeout


async def service_health(request: Request, service: str) -> ServiceHealth | None:
    try:
        reply = await rpc(request).call(service, "health", timeout=HEALTH_TIMEOUT_SECONDS)
    except WireError:
        return None
    return ServiceHealth.model_validate(reply)


async def healthz(request: Request) -> Response:
    answers = await asyncio.gather(*(service_health(request, name) for name in SERVICE_NAMES))
    services = {
        name: {
            "status": "up" if answer else "down",
            "database": "unknown" if answer is None else ("up" if answer.database_up else "down"),
        }
        for name, answer in zip(SERVICE_NAMES, answers, strict=True)
    }
    databases = {entry["database"] for entry in services.values()}
    body = {
        "broker": "up" if rpc(request).connected else "down",
        "database": "up" if databases == {"up"} else ("down" if "down" in databases else "unknown"),
        "services": services,
    }
    healthy = body["broker"] == "up" and all(
        entry == {"status": "up", "database": "up"} for entry in services.values()
    )
    body["status"] = "ok" if healthy else "degraded"
    return JSONResponse(body, status_code=200 if healthy else 503)


async def livez(request: Request) -> Response:
    """The process answers: its event loop runs."""
    return PlainTextResponse("live")


async def readyz(request: Request) -> Response:
    """The gateway can do its work: its broker connection is up."""
    if rpc(request).connected:
        return PlainTextResponse("ready")
    return PlainTextResponse("not ready", status_code=503)


routes = [Route("/healthz", healthz), Route("/livez", livez), Route("/readyz", readyz)]
