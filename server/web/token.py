"""POST /auth/token: a bearer token out, for a user's email and password (form or JSON), or for an API client's
id and secret (OAuth 2.0 client credentials grant, RFC 6749 §4.4)."""

import base64
import binascii
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.core.passwords import hash_password, needs_rehash
from server.core.tokens import issue_token
from server.domain import api_clients
from server.domain.api_clients import ApiClient
from server.domain.users import User, find_user, record_sign_in_lockout, rehash_password
from server.web.throttle import Busy, Scope, Throttled, client_address, guard_of

MAX_USERNAME = 254
MAX_PASSWORD = 1024
log = logging.getLogger(__name__)

REFUSED = {"error": "invalid_grant", "error_description": "Wrong email or password."}
THROTTLED = "Too many failed sign-ins: try again later."
BUSY = "Too many sign-ins at once: try again shortly."


async def request_fields(request: Request) -> Mapping[str, Any] | None:
    """The request's parameters: its form (OAuth's encoding) or its JSON object; None when it is neither."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            body = await request.json()
        else:
            body = await request.form()
    except (json.JSONDecodeError, ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON too deep
        return None
    return body if hasattr(body, "get") else None


async def credentials(request: Request) -> tuple[str, str] | None:
    body = await request_fields(request)
    if body is None:
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    # An email is at most 254 characters; a longer name or password is no sign-in, and must not cost a hash or
    # a throttle key that size.
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return None
    return username, password


async def check_password(request: Request, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (a failed sign-in), through the app's throttle.

    Raises Throttled (answer 429) without checking the password while the account or the address has failed
    too often, and Busy (answer 503) when no verification slot frees in time. Unknown users cost a full
    verification too. A user whose hash was made with other parameters than PASSWORD_HASH_PROFILE's gets a new
    hash, stored in this request. No database connection is held while waiting for or running a verification."""
    settings, db, guard = request.app.state.settings, request.app.state.db, guard_of(request.app)
    profile = settings.password_hash_profile
    address = client_address(request)
    attempt = guard.begin(email, address)
    try:
        async with db.read() as session:
            user = await find_user(session, email)
        # An API client's user never signs in with a password: it is refused like an unknown user.
        usable = user is not None and user.active and not user.is_api_client
        new_hash = None
        async with guard.slot():
            matched = await guard.verify(user.password_hash if usable else None, password, profile)
            if matched and usable and needs_rehash(user.password_hash, profile):
                new_hash = await run_in_threadpool(hash_password, password, profile)
    except BaseException:
        guard.abandon(attempt)  # the password was not checked (busy, or the database failed): not a failure
        raise
    if not (matched and usable):
        if locked := guard.failed(attempt):
            until = datetime.fromtimestamp(guard.locked_until(attempt), UTC)
            await _lockout(request, email, address, [scope.value for scope in locked], until)
        return None
    guard.succeeded(attempt)
    if new_hash is not None:
        await _best_effort("rehash a password", rehash_password, db, user=user, new_hash=new_hash)
    return user


async def _best_effort(what: str, write, db, **values) -> None:
    """A write the answer does not depend on (a rehash, a lockout's audit): if the database is busy or fails, it
    is logged and the sign-in is answered all the same (it is tried again next time)."""
    try:
        async with db.write() as session:
            await write(session, **values)
    except Exception:
        log.exception("could not %s", what)


async def _lockout(request: Request, email: str, address: str, scopes: list[str], until: datetime) -> None:
    """Logs every lockout; audits one that locks an existing account (an address-wide lockout alone concerns no
    one account, and an unknown email has no record: those are only logged)."""
    log.warning("sign-in locked until %s: %s from %s (%s)", until.isoformat(), email, address, ", ".join(scopes))
    if scopes == [Scope.ADDRESS.value]:
        return
    await _best_effort(
        "audit a lockout",
        record_sign_in_lockout,
        request.app.state.db,
        email=email,
        address=address,
        scopes=scopes,
        until=until,
    )


def too_many(error: Throttled | Busy, message_key: str) -> JSONResponse:
    """429 for a throttled sign-in, 503 when verifications are all busy; both say when to try again.
    `message_key` names the body's message ("error_description" for OAuth clients, "message" for the portal)."""
    if isinstance(error, Throttled):
        status, body = 429, {"error": "too_many_attempts", message_key: THROTTLED}
    else:
        status, body = 503, {"error": "busy", message_key: BUSY}
    return JSONResponse(body, status_code=status, headers={"Retry-After": str(error.retry_after)})


async def token(request: Request) -> JSONResponse:
    """The password grant (`grant_type` `password`, or none) or the client credentials grant. Unknown users and wrong
    passwords get the same answer after the same work."""
    body = await request_fields(request)
    grant_type = body.get("grant_type") if body is not None else None
    if grant_type == "client_credentials":
        return await client_credentials(request, body)
    if grant_type not in (None, "password"):
        return oauth_error(400, "unsupported_grant_type", "Use grant_type client_credentials or password.")
    given = await credentials(request)
    if given is None:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "Give username and password."}, status_code=400
        )
    settings = request.app.state.settings
    try:
        user = await check_password(request, *given)
    except (Throttled, Busy) as error:
        return too_many(error, "error_description")
    if user is None:
        return JSONResponse(REFUSED, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    access_token = issue_token(
        settings.secret_key, user_id=user.id, ttl_seconds=settings.token_ttl_seconds, generation=user.token_generation
    )
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": settings.token_ttl_seconds},
        headers={"Cache-Control": "no-store"},
    )


# Client authentication (RFC 6749 §2.3.1). A client id is ours (32 hex digits); a secret is 43 characters.
MAX_CLIENT_ID = 64
MAX_CLIENT_SECRET = 256
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An OAuth error answer (RFC 6749 §5.2): `invalid_client` is 401 with a Basic challenge, the others 400."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> JSONResponse:
        return oauth_error(self.status, self.error, self.description)


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Caseway"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


BAD_CLIENT = "Unknown client, wrong secret, or a revoked client."


def _basic(request: Request) -> tuple[str, str] | None:
    """The client id and secret of an `Authorization: Basic` header, each form-url-decoded (RFC 6749 §2.3.1)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if not scheme:
        return None
    if scheme.lower() != "basic":
        raise OAuthError(401, "invalid_client", "Authenticate the client with HTTP Basic or client_secret_post.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, ValueError):  # ValueError: not UTF-8
        raise OAuthError(401, "invalid_client", "The Basic credentials are not base64 of id:secret.") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError(401, "invalid_client", "The Basic credentials are not base64 of id:secret.")
    return unquote_plus(client_id), unquote_plus(secret)


async def authenticated_client(request: Request, body: Mapping[str, Any]) -> ApiClient:
    """The live API client authenticating the request, by HTTP Basic or by `client_id` and `client_secret` in the
    body (one method, not both); raises OAuthError otherwise."""
    basic = _basic(request)
    posted = body.get("client_id"), body.get("client_secret")
    if basic is not None and posted[1] is not None:
        raise OAuthError(400, "invalid_request", "Authenticate the client one way: HTTP Basic or the body, not both.")
    client_id, secret = basic if basic is not None else posted
    if basic is not None and posted[0] is not None and posted[0] != client_id:
        raise OAuthError(400, "invalid_request", "client_id differs from the one authenticated.")
    if client_id is None and secret is None:
        raise OAuthError(401, "invalid_client", "Authenticate the client (HTTP Basic, or client_id and client_secret).")
    if not (isinstance(client_id, str) and isinstance(secret, str) and client_id and secret):
        raise OAuthError(401, "invalid_client", BAD_CLIENT)
    if len(client_id) > MAX_CLIENT_ID or len(secret) > MAX_CLIENT_SECRET:
        raise OAuthError(401, "invalid_client", BAD_CLIENT)
    async with request.app.state.db.read() as session:
        client = await api_clients.authenticate(session, client_id, secret)
    if client is None:
        log.info("refused an API client's authentication: %s", client_id)
        raise OAuthError(401, "invalid_client", BAD_CLIENT)
    return client


def _granted(client: ApiClient, asked: Any) -> list[str]:
    """The scopes the token carries: the client's, or the subset asked for (with the reads its writes imply)."""
    if asked is None or (isinstance(asked, str) and not asked.strip()):
        return list(client.scopes)
    if not isinstance(asked, str):
        raise OAuthError(400, "invalid_request", "Give scope as space-separated scopes.")
    wanted = asked.split()
    refused = [scope for scope in wanted if scope not in client.scopes]
    if refused:
        raise OAuthError(400, "invalid_scope", f"Not among this client's scopes: {' '.join(refused)[:200]}.")
    return api_clients.with_implied(wanted)


async def client_credentials(request: Request, body: Mapping[str, Any]) -> JSONResponse:
    """RFC 6749 §4.4: a short-lived token acting as the API client within its agency, bounded by its scopes."""
    settings = request.app.state.settings
    try:
        client = await authenticated_client(request, body)
        scopes = _granted(client, body.get("scope"))
    except OAuthError as error:
        return error.response()
    ttl = settings.client_token_ttl_seconds
    access_token = issue_token(settings.secret_key, user_id=client.user_id, ttl_seconds=ttl, scopes=scopes)
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": ttl, "scope": " ".join(scopes)},
        headers=NO_STORE,
    )


routes = [Route("/auth/token", token, methods=["POST"])]
