"""POST /auth/session signs a provider user in to the portal (agency accounts are told the portal is for
providers), setting the session cookie (`server.auth.sessions`); DELETE /auth/session signs out, revoking the token
so that even a copy of it no longer works."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.auth.sessions import COOKIE, session_token
from server.core.revocation import revoke
from server.core.tokens import InvalidToken, issue_token, read_token
from server.domain.principal import PROVIDER_ROLES
from server.web.throttle import Busy, Throttled
from server.web.token import check_password, credentials, too_many

WRONG = {"error": "invalid_grant", "message": "Wrong email or password."}
NOT_A_PROVIDER = {
    "error": "provider_portal",
    "message": "The portal is for provider staff. Agency staff use Caseway through the API and GraphiQL.",
}


async def sign_in(request: Request) -> JSONResponse:
    given = await credentials(request)
    if given is None:
        return JSONResponse({"error": "invalid_request", "message": "Give your email and password."}, 400)
    settings = request.app.state.settings
    try:
        user = await check_password(request, *given)
    except (Throttled, Busy) as error:
        return too_many(error, "message")
    if user is None:
        return JSONResponse(WRONG, status_code=401)
    if user.role not in PROVIDER_ROLES:
        return JSONResponse(NOT_A_PROVIDER, status_code=403)
    token = issue_token(
        settings.secret_key, user_id=user.id, ttl_seconds=settings.token_ttl_seconds, generation=user.token_generation
    )
    response = JSONResponse({"name": user.full_name, "role": user.role.value}, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.token_ttl_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def sign_out(request: Request) -> Response:
    token = session_token(request)
    if token:
        settings, db = request.app.state.settings, request.app.state.db
        try:
            claims = read_token(settings.secret_key, token)
        except InvalidToken:
            claims = None
        if claims is not None and claims.token_id:
            async with db.write() as session:
                await revoke(session, token_id=claims.token_id, user_id=claims.user_id, expires_at=claims.expires_at)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


routes = [Route("/auth/session", sign_in, methods=["POST"]), Route("/auth/session", sign_out, methods=["DELETE"])]
