"""POST /auth/password: an invited user sets their password with their invitation's one-time link.

JSON or form `{token, password}` → 200 `{"portal": true}` (a provider user, who signs in to the portal) or
`{"portal": false}` (agency staff, who sign in through their agency's app or GraphiQL). 400 with
`{error, message, field}` in words when the link cannot be used (`invalid_link`, `used_link`, `replaced_link`,
`expired_link`, `inactive_account`; field `token`) or the password breaks the rule (`weak_password`; field
`password`). Not a GraphQL mutation: no one is signed in.

An unknown token costs one SHA-256 and one indexed lookup, no more (tokens are 256 random bits: guessing is
hopeless, so no throttle is needed). The Argon2 hash of a new password is made outside any transaction, in one of
the app's bounded verification slots (the sign-in throttle's: 503 with Retry-After when none frees in time).
"""

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.core.passwords import hash_password
from server.domain.errors import DomainError
from server.domain.invitations import LinkRefused, set_password_with_invitation, usable_invitation
from server.domain.principal import PROVIDER_ROLES
from server.domain.users import check_password_rule
from server.web.throttle import Busy, guard_of
from server.web.token import BUSY, MAX_PASSWORD

MISSING = {"error": "invalid_request", "message": "Give the link's token and a password.", "field": None}


async def _given(request: Request) -> tuple[str, str] | None:
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = await request.form()
    except (json.JSONDecodeError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not hasattr(body, "get"):
        return None
    token, password = body.get("token"), body.get("password")
    if not isinstance(token, str) or not isinstance(password, str) or not token or not password:
        return None
    return token, password


def _refused(error: DomainError) -> JSONResponse:
    reason = error.reason if isinstance(error, LinkRefused) else "weak_password"
    return JSONResponse({"error": reason, "message": error.message, "field": error.field}, status_code=400)


async def set_password(request: Request) -> JSONResponse:
    given = await _given(request)
    if given is None:
        return JSONResponse(MISSING, status_code=400)
    token, password = given
    if len(password) > MAX_PASSWORD:
        return JSONResponse(
            {"error": "weak_password", "message": f"Keep it to {MAX_PASSWORD} characters.", "field": "password"}, 400
        )
    settings, db = request.app.state.settings, request.app.state.db
    try:
        # Checked first, so a bad link or password costs no hash; checked again when it is stored.
        async with db.read() as session:
            _, user = await usable_invitation(session, token)
        check_password_rule(password, user.email)
        try:
            async with guard_of(request.app).slot():
                new_hash = await run_in_threadpool(hash_password, password, settings.password_hash_profile)
        except Busy as busy:
            return JSONResponse(
                {"error": "busy", "message": BUSY, "field": None},
                status_code=503,
                headers={"Retry-After": str(busy.retry_after)},
            )
        async with db.write() as session:
            user = await set_password_with_invitation(session, token=token, password=password, password_hash=new_hash)
    except DomainError as error:
        return _refused(error)
    return JSONResponse({"portal": user.role in PROVIDER_ROLES})


routes = [Route("/auth/password", set_password, methods=["POST"])]
