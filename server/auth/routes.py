"""POST /auth/token: email and password in (form or JSON), a bearer token out."""

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.auth.tokens import issue_token
from server.domain.users import authenticate

REFUSED = {"error": "invalid_grant", "error_description": "Wrong email or password."}


async def credentials(request: Request) -> tuple[str, str] | None:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            body = await request.json()
        else:
            body = await request.form()
    except (json.JSONDecodeError, ValueError, UnicodeDecodeError):
        return None
    if not hasattr(body, "get"):
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    return username, password


async def token(request: Request) -> JSONResponse:
    """Unknown users and wrong passwords get the same answer after the same work."""
    given = await credentials(request)
    if given is None:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "Give username and password."}, status_code=400
        )
    settings, db = request.app.state.settings, request.app.state.db
    async with db.read() as session:
        user = await authenticate(
            session,
            email=given[0],
            password=given[1],
            hash_profile=settings.password_hash_profile,
        )
    if user is None:
        return JSONResponse(REFUSED, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    access_token = issue_token(settings.secret_key, user_id=user.id, ttl_seconds=settings.token_ttl_seconds)
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": settings.token_ttl_seconds},
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/auth/token", token, methods=["POST"])]
