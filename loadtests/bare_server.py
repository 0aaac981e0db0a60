"""The bare-HTTP limit for the ward-poll benchmark: a minimal Starlette endpoint that
parses the same ballot form as the gateway and answers with the same redirect, and
does nothing else. Run with the same number of uvicorn workers as the gateway:

    .venv/bin/uvicorn loadtests.bare_server:app --workers 2 --port 8001
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route


async def cast(request: Request) -> Response:
    form = await request.form()
    answers = {key: form.getlist(key) for key in form if key.startswith("q-")}
    if not form.get("submission_id") or not answers:
        return Response("thiếu thông tin", status_code=422)
    return RedirectResponse("/r/ABCD-EFGH-JKLM", status_code=303)


app = Starlette(routes=[Route("/b/{card_code}/cast", cast, methods=["POST"])])
