"""Who is calling: the principal behind a request's `Authorization: Bearer …` header."""

import logging
from dataclasses import dataclass
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from sqlmodel import select
from starlette.requests import HTTPConnection

from server.auth.revocation import RevokedToken
from server.auth.sessions import session_token
from server.auth.tokens import InvalidToken, read_token
from server.config import Settings
from server.db import Database
from server.domain.agencies import Agency
from server.domain.principal import Principal
from server.domain.users import User, principal_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    principal: Principal | None
    # Why a presented token was refused, in words fit for the client ("expired", "invalid").
    problem: str | None = None
    # The agency's time zone for agency staff, in which times are shown; UTC for everyone else.
    time_zone: tzinfo = UTC


def bearer_token(connection: HTTPConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def identify(connection: HTTPConnection, db: Database, settings: Settings) -> Caller:
    """The signed-in principal, if the request carries a valid, unrevoked token of an active user: in the
    Authorization header (API clients) or in the portal's session cookie."""
    token = bearer_token(connection) or session_token(connection)
    if token is None:
        return Caller(None)
    try:
        claims = read_token(settings.secret_key, token)
    except InvalidToken as error:
        log.info("refused a token: %s", error.reason)
        expired = error.reason == "ExpiredTokenError"
        return Caller(None, "Your sign-in has expired: sign in again." if expired else "This token is not valid.")
    revoked = select(RevokedToken.token_id).where(RevokedToken.token_id == claims.token_id).exists()
    query = (
        select(User, Agency.time_zone, revoked)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.id == claims.user_id)
    )
    async with db.read() as session:
        row = (await session.exec(query)).first()
    if row is None or not row[0].active:
        return Caller(None, "This account cannot sign in.")
    user, time_zone, was_revoked = row
    if was_revoked:
        return Caller(None, "You have signed out: sign in again.")
    return Caller(principal_of(user), time_zone=ZoneInfo(time_zone) if time_zone else UTC)
