"""How errors reach people: a page in Vietnamese, or JSON under /api."""

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.templating import templates
from shared.errors import NotFound, WireError

log = logging.getLogger(__name__)


def error_response(request: Request, error: WireError, status: int | None = None) -> Response:
    status = status or error.http_status
    if status >= 500:
        log.warning("%s %s: %s: %s", request.method, request.url.path, type(error).__name__, error)
    if request.url.path.startswith("/api/"):
        body = {
            "error": {
                "code": type(error).__name__,
                "message": error.message,  # in the caller's language (Accept-Language)
                # Above 500 the detail is for the log only: it may name hosts and ports.
                "detail": error.detail if status < 500 else "",
                "fields": error.fields,
            }
        }
        # RFC 6750: a refused API token says which scheme the API expects.
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    return templates.TemplateResponse(
        request, "error.html", {"error": error, "status": status}, status_code=status
    )


async def handle_wire_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WireError)
    return error_response(request, exc)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(request, NotFound())
    return error_response(request, WireError(exc.detail), status=exc.status_code)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, WireError())


EXCEPTION_HANDLERS = {
    WireError: handle_wire_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}
