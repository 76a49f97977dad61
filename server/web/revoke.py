"""POST /auth/revoke: an API client revokes one of its tokens (OAuth 2.0 Token Revocation, RFC 7009).

The client authenticates as at /auth/token. The answer is 200 whether or not the token was the client's, valid or
known (RFC 7009 §2.2): only a token issued to that client is revoked, so one client cannot end another's tokens,
nor learn anything of them."""

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.core.revocation import revoke as revoke_token
from server.core.tokens import InvalidToken, read_token
from server.web.token import NO_STORE, OAuthError, authenticated_client, oauth_error, request_fields

log = logging.getLogger(__name__)

# Our tokens are a few hundred characters: a longer one is none of ours and is not worth verifying.
MAX_TOKEN = 4096


async def revoke(request: Request) -> Response | JSONResponse:
    body = await request_fields(request)
    if body is None:
        return oauth_error(400, "invalid_request", "Send token (and client credentials) as a form.")
    try:
        client = await authenticated_client(request, body)
    except OAuthError as error:
        return error.response()
    token = body.get("token")
    if not isinstance(token, str) or not token:
        return oauth_error(400, "invalid_request", "Give the token to revoke.")
    # token_type_hint (access_token, refresh_token) may be ignored (RFC 7009 §2.1): we issue access tokens only.
    settings, db = request.app.state.settings, request.app.state.db
    try:
        claims = read_token(settings.secret_key, token) if len(token) <= MAX_TOKEN else None
    except InvalidToken:
        claims = None  # expired, tampered or not ours: nothing to revoke
    if claims is not None and claims.token_id and claims.user_id == client.user_id:
        # Through db.write(): committing makes this process forget the callers it remembered, so the token is
        # refused from its next request.
        async with db.write() as session:
            await revoke_token(session, token_id=claims.token_id, user_id=claims.user_id, expires_at=claims.expires_at)
        log.info("API client %s revoked a token", client.client_id)
    return Response(status_code=200, headers=NO_STORE)


routes = [Route("/auth/revoke", revoke, methods=["POST"])]
