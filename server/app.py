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
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.config import Settings
from server.db import Database, is_busy
from server.refusals import refusal
from server.web.graphql import GraphQLView
from server.web.password import routes as password_routes
from server.web.revoke import routes as revoke_routes
from server.web.session import routes as session_routes
from server.web.sso import routes as sso_routes
from server.web.token import routes as auth_routes

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
# Answers of the API and of sign-in carry personal data and tokens: no cache keeps them.
NO_STORE_PATHS = ("/graphql", "/auth/")
# Sent on https only (browsers ignore it over http): a year, this host only (the agency's other hosts are its own).
HSTS = "max-age=31536000"


class SecurityHeaders:
    """The headers above on every answer; `no-store` on the API's and sign-in's; HSTS when the request came over
    https (directly, or through a trusted proxy: see ProxyHeadersMiddleware in create_app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        headers = dict(SECURITY_HEADERS)
        no_store = scope["path"].startswith(NO_STORE_PATHS)
        if no_store:
            headers["cache-control"] = "no-store"
        if scope.get("scheme") == "https":
            headers["strict-transport-security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not (no_store and name.lower() == b"cache-control")
                ]
                present = {name.lower() for name, _ in given}
                message["headers"] = given + [
                    (name.encode(), value.encode()) for name, value in headers.items() if name.encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """Raised to the route reading a body that has gone past the limit."""


class BodyLimit:
    """Refuses a request body over `max_bytes` with 413: at once when Content-Length says so (nothing is read), else
    as soon as the streamed (chunked) body passes it, whatever the route was doing with it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = f"The request body is over the limit of {self.max_bytes} bytes."
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None:
            if not declared.strip().isdigit():
                return await refusal(scope, 400, "BAD_REQUEST", "Content-Length is not a number.")(scope, receive, send)
            if int(declared) > self.max_bytes:
                return await refusal(scope, 413, "TOO_LARGE", too_large)(scope, receive, send)

        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge(too_large)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the route answers to the exception, the answer is the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await refusal(scope, 413, "TOO_LARGE", too_large)(scope, receive, send)


# Seconds a client is asked to wait after a 503 because the database was busy.
BUSY_RETRY_AFTER = 1
BUSY_MESSAGE = "The service is busy: try again shortly."


class BusyAnswers:
    """A request that found the database busy outside any resolver (identifying the caller, signing out, a route's
    own read) answers 503 with Retry-After, not 500. Inside GraphQL execution, busy is a typed CONFLICT instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as error:
            if started or not is_busy(error):
                raise
            log.warning("busy database: %s %s answered 503", scope.get("method"), scope["path"])
            answer = refusal(scope, 503, "BUSY", BUSY_MESSAGE)
            answer.headers["retry-after"] = str(BUSY_RETRY_AFTER)
            await answer(scope, receive, send)


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
    # Outermost: behind a trusted TLS proxy, the request's scheme and client are the ones it forwards.
    proxies = (
        [Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)] if settings.trusted_proxies else []
    )
    app = Starlette(
        routes=[
            Route("/", lambda _request: RedirectResponse("/graphql")),
            Route("/healthz", healthz, methods=["GET"]),
            *auth_routes,
            *revoke_routes,
            *session_routes,
            *sso_routes(settings.secret_key),
            *password_routes,
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            Route("/portal", lambda _request: RedirectResponse("/portal/")),
            Mount("/portal", StaticFiles(directory=PORTAL_DIR, html=True), name="portal"),
        ],
        middleware=[
            *proxies,
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(BusyAnswers),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    return app
