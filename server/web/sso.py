"""Single sign-on through an organisation's OpenID Connect identity provider (authorization code with PKCE, by
Authlib's Starlette client):

- GET /auth/sso/providers: the active identity providers, [{key, label, kind}], for the sign-in pages' buttons;
- GET /auth/sso/{key}/start?to=portal|graphiql: to the identity provider's sign-in, its state, nonce and PKCE
  verifier kept in a signed, short-lived cookie limited to /auth/sso (SameSite=Lax: it must come back with the
  identity provider's redirect);
- GET /auth/sso/callback: the code exchanged, the ID token checked (signature, iss, aud, nonce, exp), its verified
  email matched to a Caseway user (server/domain/sign_on.py), then the same session cookie as the portal's password
  sign-in, and on to the portal or GraphiQL. Sign-out is the portal's: DELETE /auth/session revokes that token.

Whatever fails ends on a page saying so in words, never an error trace.
"""

import hashlib
import hmac
import html
import logging

from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.sessions import COOKIE
from server.core.tokens import issue_token
from server.domain import sign_on
from server.domain.errors import DomainError
from server.domain.principal import PROVIDER_ROLES
from server.domain.sign_on import IdentityProvider
from server.web.session import NOT_A_PROVIDER

log = logging.getLogger(__name__)

FLOW_COOKIE = "caseway_sso"
# How long a browser has, from "Sign in with …" to coming back: the identity provider's sign-in page included.
FLOW_SECONDS = 600
# Clock difference tolerated between Caseway and the identity provider when checking an ID token's times.
LEEWAY_SECONDS = 60
# How long Caseway waits for the identity provider (discovery, keys, token).
TIMEOUT_SECONDS = 10
DESTINATIONS = {"portal": "/portal/", "graphiql": "/graphql"}
SCOPE = "openid email profile"


class FlowCookie:
    """Starlette's SessionMiddleware for the sign-in's state: Secure on https requests, plain on http (the flags
    of one SessionMiddleware are fixed, so one of each)."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        # A key of its own, derived from the app's, so this cookie's signature says nothing about access tokens'.
        key = hmac.new(secret_key.encode(), b"caseway single sign-on flow", hashlib.sha256).hexdigest()
        common = {
            "secret_key": key,
            "session_cookie": FLOW_COOKIE,
            "max_age": FLOW_SECONDS,
            "path": "/auth/sso",
            "same_site": "lax",
        }
        self.plain = SessionMiddleware(app, https_only=False, **common)
        self.secure = SessionMiddleware(app, https_only=True, **common)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self.secure if scope.get("scheme") == "https" else self.plain)(scope, receive, send)


class Clients:
    """One Authlib client per identity provider as configured (a changed configuration gets a new one), so that its
    discovery document and keys are fetched once, not at every sign-in."""

    def __init__(self) -> None:
        self._clients: dict[tuple[int, str], StarletteOAuth2App] = {}

    def of(self, provider: IdentityProvider) -> StarletteOAuth2App:
        version = (provider.id, provider.updated_at.isoformat())
        client = self._clients.get(version)
        if client is None:
            for stale in [known for known in self._clients if known[0] == provider.id]:
                del self._clients[stale]
            client = OAuth().register(
                name=provider.key,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.issuer + "/.well-known/openid-configuration",
                client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
            )
            self._clients[version] = client
        return client


def _clients(request: Request) -> Clients:
    state = request.app.state
    if not hasattr(state, "sign_on_clients"):
        state.sign_on_clients = Clients()
    return state.sign_on_clients


def page(status: int, title: str, message: str, *, to: str = "portal") -> HTMLResponse:
    """A page in words, with the way back to the sign-in the person came from."""
    back = DESTINATIONS.get(to, "/portal/")
    where = "the portal" if back == "/portal/" else "GraphiQL"
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — Caseway</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>{html.escape(title)}</h1>
<p id="sso-message">{html.escape(message)}</p>
<p><a href="{back}">Back to {where}'s sign-in</a></p>
</body>
</html>
"""
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def not_signed_in(message: str, to: str, status: int = 403) -> HTMLResponse:
    return page(status, "You are not signed in", message, to=to)


async def providers(request: Request) -> JSONResponse:
    """The active identity providers: what the sign-in pages offer ("Sign in with <label>")."""
    async with request.app.state.db.read() as session:
        found = await sign_on.choices(session)
    return JSONResponse([{"key": c.key, "label": c.label, "kind": c.kind} for c in found])


async def _active(request: Request, key: str) -> IdentityProvider | None:
    async with request.app.state.db.read() as session:
        return await sign_on.active_provider(session, key)


async def _metadata(client: StarletteOAuth2App, provider: IdentityProvider) -> None:
    """Discovery, checked: the document must name the configured issuer (OpenID Connect Discovery §4.3)."""
    metadata = await client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != provider.issuer:
        client.server_metadata.clear()  # fetched again next time, in case the provider is put right
        raise ValueError(f"the discovery document names the issuer {metadata.get('issuer')!r}")


def _unreachable(provider: IdentityProvider, to: str) -> HTMLResponse:
    return page(
        502,
        "Sign-in is unavailable",
        f"{provider.label}'s identity provider did not answer as expected: try again later, or sign in with your "
        "email and password.",
        to=to,
    )


async def start(request: Request) -> Response:
    to = request.query_params.get("to", "portal")
    if to not in DESTINATIONS:
        return page(400, "Unknown destination", "Sign in from the portal or from GraphiQL.")
    provider = await _active(request, request.path_params["key"])
    if provider is None:
        return not_signed_in("This organisation does not offer single sign-on (any more).", to, 404)
    if to == "portal" and sign_on.kind_of(provider) == "agency":
        return not_signed_in(NOT_A_PROVIDER["message"], to)
    client = _clients(request).of(provider)
    try:
        await _metadata(client, provider)
        request.session.clear()
        request.session["flow"] = {"key": provider.key, "to": to}
        return await client.authorize_redirect(request, str(request.base_url) + "auth/sso/callback")
    except Exception:
        log.exception("single sign-on: could not start with %s (%s)", provider.key, provider.issuer)
        return _unreachable(provider, to)


async def callback(request: Request) -> Response:
    flow = request.session.get("flow")
    if not isinstance(flow, dict) or flow.get("to") not in DESTINATIONS:
        return not_signed_in("This sign-in was not started here, or took too long: start again.", "portal", 400)
    to = flow["to"]
    provider = await _active(request, flow.get("key", ""))
    if provider is None:
        request.session.clear()
        return not_signed_in("This organisation does not offer single sign-on (any more).", to, 404)
    client = _clients(request).of(provider)
    try:
        await _metadata(client, provider)
        token = await client.authorize_access_token(
            request,
            # Authlib checks `aud` only when told to: the ID token must be for Caseway's client, from this issuer.
            claims_options={
                "iss": {"essential": True, "values": [provider.issuer]},
                "aud": {"essential": True, "values": [provider.client_id]},
                "exp": {"essential": True},
                "nonce": {"essential": True},
            },
            leeway=LEEWAY_SECONDS,
        )
    except OAuthError as error:
        log.info("single sign-on with %s refused: %s %s", provider.key, error.error, error.description)
        if error.error == "mismatching_state":
            message = "This sign-in was not started here, or took too long: start again."
        elif error.error == "access_denied":
            message = f"The sign-in at {provider.label} was cancelled or refused."
        else:
            message = f"{provider.label} did not sign you in ({error.error})."
        return not_signed_in(message, to, 400)
    except JoseError as error:
        log.warning("single sign-on with %s: an ID token failed its checks: %r", provider.key, error)
        return not_signed_in(
            f"The identity token from {provider.label} did not pass Caseway's checks "
            f"({error.error}): you are not signed in. Try again; if this goes on, tell your administrator.",
            to,
        )
    except Exception:  # unreachable, or an answer that is not OpenID Connect (httpx.HTTPError, ValueError, …)
        log.exception("single sign-on with %s: the identity provider failed", provider.key)
        return _unreachable(provider, to)
    finally:
        request.session.clear()
    claims = token.get("userinfo")
    if not claims:
        return not_signed_in(f"{provider.label} sent no identity token: you are not signed in.", to)
    settings, db = request.app.state.settings, request.app.state.db
    try:
        async with db.write() as session:
            outcome = await sign_on.sign_in(session, provider, claims, hash_profile=settings.password_hash_profile)
    except DomainError as error:  # a user made with that email at the same moment, say
        return not_signed_in(error.message, to, 409)
    if outcome.user is None:
        return not_signed_in(outcome.refusal, to)
    user = outcome.user
    if to == "portal" and user.role not in PROVIDER_ROLES:
        return not_signed_in(NOT_A_PROVIDER["message"], to)
    log.info("single sign-on: user %s signed in with %s", user.id, provider.key)
    response = RedirectResponse(DESTINATIONS[to], status_code=303)
    response.set_cookie(
        COOKIE,
        issue_token(
            settings.secret_key,
            user_id=user.id,
            ttl_seconds=settings.token_ttl_seconds,
            generation=user.token_generation,
        ),
        max_age=settings.token_ttl_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def routes(secret_key: str) -> list[Mount]:
    return [
        Mount(
            "/auth/sso",
            routes=[
                Route("/providers", providers, methods=["GET"]),
                Route("/callback", callback, methods=["GET"]),
                Route("/{key}/start", start, methods=["GET"]),
            ],
            middleware=[Middleware(FlowCookie, secret_key=secret_key)],
        )
    ]
