"""The DânBàn gateway: server-rendered pages for residents and staff, and a JSON API.

    python -m deploy.serve_http gateway.app:create_app --factory --workers 2

The RPC client belongs to the app's lifespan: opened when a worker starts,
closed when it stops, one per worker process.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from gateway import language
from gateway.errors import EXCEPTION_HANDLERS
from gateway.routes import (
    accounts,
    api,
    api_tokens,
    api_v1,
    audit,
    ballots,
    board,
    commendations_staff,
    discipline_staff,
    feedback,
    feedback_settings,
    feedback_staff,
    health,
    households,
    imports,
    inbox,
    messages,
    open311,
    pages,
    polls,
    positions,
    recognition,
    recognition_reports,
    recognition_rules,
    results,
    staff,
    training,
    training_staff,
    unit_changes,
    webhooks_staff,
)
from gateway.rpc import RpcClient
from gateway.wrong_codes import WrongCodes
from shared.config import ConfigurationError, Settings, load_settings

STATIC_DIR = Path(__file__).parent / "static"
SESSION_MAX_AGE_SECONDS = 8 * 3600  # a staff session lasts one working day


def create_app(settings: Settings | None = None, rpc: RpcClient | None = None) -> Starlette:
    """Build the app; tests pass their own `settings` and a fake `rpc`."""
    settings = settings or load_settings()
    if len(settings.secret_key) < 32:
        raise ConfigurationError(
            "DANBAN_SECRET_KEY (32+ characters) is not set; `./dev run` generates one."
        )
    client = rpc or RpcClient(settings.amqp_uri, settings.rpc_timeout)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await client.start()
        try:
            yield
        finally:
            await client.close()

    app = Starlette(
        routes=[
            *pages.routes,
            *staff.routes,
            *unit_changes.routes,
            *households.routes,
            *audit.routes,
            *accounts.routes,
            *api_tokens.routes,
            *imports.routes,
            *ballots.routes,
            *polls.routes,
            *results.routes,
            *board.routes,
            *inbox.routes,
            *messages.routes,
            *feedback.routes,
            *feedback_staff.routes,
            *feedback_settings.routes,
            *positions.routes,
            *training.routes,
            *training_staff.routes,
            *recognition.routes,
            *commendations_staff.routes,
            *discipline_staff.routes,
            *recognition_rules.routes,
            *recognition_reports.routes,
            *webhooks_staff.routes,
            *health.routes,
            *language.routes,
            Mount("/api/open311/v2", routes=open311.routes),  # before /api, which takes all
            Mount("/api/v1", routes=api_v1.routes),  # before /api, which takes all
            Mount("/api", routes=api.routes),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(language.LanguageMiddleware),  # first: error pages speak it too
            # Residents vote over slow mobile connections: pages and CSS shrink ~70%.
            Middleware(GZipMiddleware, minimum_size=500),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="danban_session",
                max_age=SESSION_MAX_AGE_SECONDS,
                same_site="lax",
                https_only=settings.production,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rpc = client
    app.state.wrong_codes = WrongCodes()
    # Filings counted per address as wrong codes are, over an hour.
    app.state.filings = WrongCodes(feedback.FILINGS_PER_HOUR, window=3600.0)
    return app
