"""The Starlette app: /graphql, /auth/token, /healthz, the provider portal at /portal/ and static files."""

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.routes import routes as auth_routes
from server.auth.sessions import routes as session_routes
from server.config import Settings
from server.db import Database
from server.graphql.view import GraphQLView

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
PORTAL_DIR = Path(__file__).parent.parent / "portal-ui"

# Everything is served from this server: no CDN, no inline script. GraphiQL sets inline styles.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name.encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def healthz(request: Request) -> JSONResponse:
    """Healthy when the database answers a query."""
    try:
        async with request.app.state.db.read() as session:
            await session.exec(text("SELECT 1"))
    except Exception:
        log.exception("health check: the database did not answer")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, db: Database | None = None) -> Starlette:
    """The app; give `db` to share an engine (tests), otherwise one is made from settings and disposed."""
    settings = settings or Settings.from_env()
    owns_db = db is None
    db = db or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        if owns_db:
            await db.dispose()

    graphql = GraphQLView(db, settings)
    app = Starlette(
        routes=[
            Route("/", lambda _request: RedirectResponse("/graphql")),
            Route("/healthz", healthz, methods=["GET"]),
            *auth_routes,
            *session_routes,
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            Route("/portal", lambda _request: RedirectResponse("/portal/")),
            Mount("/portal", StaticFiles(directory=PORTAL_DIR, html=True), name="portal"),
        ],
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    return app
