"""The language a person is served in: the one they chose with the link on every
page (kept in a cookie), else their browser's Accept-Language, else Vietnamese."""

from babel import negotiate_locale
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.routes.staff import safe_next
from shared import i18n

COOKIE = "danban_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def from_accept_language(header: str) -> str:
    """The best of our languages for `Accept-Language: en-GB,en;q=0.9,vi;q=0.5`."""
    ranked = []
    for part in header.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            ranked.append((float(quality or 1), tag.strip().replace("-", "_")))
        except ValueError:
            continue
    preferred = [tag for _, tag in sorted(ranked, key=lambda item: -item[0]) if tag]
    return negotiate_locale(preferred, list(i18n.LANGUAGES), sep="_") or i18n.DEFAULT


def chosen(headers: Headers, cookies: dict[str, str]) -> str:
    if cookies.get(COOKIE) in i18n.LANGUAGES:
        return cookies[COOKIE]
    return from_accept_language(headers.get("accept-language", ""))


class LanguageMiddleware:
    """Sets the request's language (shared.i18n) and says it in Content-Language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = chosen(Headers(scope=scope), Request(scope).cookies)
        i18n.use(language)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", language)
                headers.add_vary_header("Cookie")
                headers.add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, send_with_language)


async def choose_language(request: Request) -> Response:
    """GET /ngon-ngu/<lang>?next=/path: keep the choice and go back to the page."""
    language = i18n.supported(request.path_params["language"])
    response = RedirectResponse(safe_next(request.query_params.get("next")), 303)
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        samesite="lax",
        secure=request.app.state.settings.production,
    )
    return response


routes = [Route("/ngon-ngu/{language}", choose_language)]
