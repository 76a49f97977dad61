"""POST /auth/token: email and password in (form or JSON), a bearer token out."""

import json
import logging
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.core.passwords import hash_password, needs_rehash
from server.core.tokens import issue_token
from server.domain.users import User, find_user, record_sign_in_lockout, rehash_password
from server.web.throttle import Busy, Scope, Throttled, client_address, guard_of

MAX_USERNAME = 254
MAX_PASSWORD = 1024
log = logging.getLogger(__name__)

REFUSED = {"error": "invalid_grant", "error_description": "Wrong email or password."}
THROTTLED = "Too many failed sign-ins: try again later."
BUSY = "Too many sign-ins at once: try again shortly."


async def credentials(request: Request) -> tuple[str, str] | None:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            body = await request.json()
        else:
            body = await request.form()
    except (json.JSONDecodeError, ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON too deep
        return None
    if not hasattr(body, "get"):
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
        usable = user is not None and user.active
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
    """Unknown users and wrong passwords get the same answer after the same work."""
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
    access_token = issue_token(settings.secret_key, user_id=user.id, ttl_seconds=settings.token_ttl_seconds)
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": settings.token_ttl_seconds},
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/auth/token", token, methods=["POST"])]
