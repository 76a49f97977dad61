"""Who is calling: the principal behind a request's `Authorization: Bearer …` header."""

import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam
from sqlmodel import func, select
from starlette.requests import HTTPConnection

from server.auth.callers import RecentCallers
from server.auth.sessions import session_token
from server.config import Settings
from server.core.revocation import RevokedToken
from server.core.tokens import InvalidToken, read_token
from server.db import Database, RequestDatabase
from server.domain.agencies import Agency
from server.domain.api_clients import ApiClient
from server.domain.network.models import Provider
from server.domain.principal import Principal
from server.domain.users import User
from server.domain.zones import provider_zone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    principal: Principal | None
    # Why a presented token was refused, in words fit for the client ("expired", "invalid").
    problem: str | None = None
    # The zone the caller works in (their agency's or provider's), in which times are shown; UTC when signed out.
    time_zone: tzinfo = UTC


@cache
def _caller() -> Select:
    """The caller's user, the zone they work in and whether their token was revoked: one statement, built once (its
    construction costs more than running it), for the parameters `user_id` and `token_id`."""
    revoked = select(RevokedToken.token_id).where(RevokedToken.token_id == bindparam("token_id")).exists()
    return (
        select(
            User.id,
            User.full_name,
            User.role,
            User.agency_id,
            User.provider_id,
            User.active,
            User.token_generation,
            func.coalesce(Agency.time_zone, provider_zone(Provider)).label("time_zone"),
            revoked.label("revoked"),
            ApiClient.id.label("client_id"),
            ApiClient.name.label("client_name"),
            ApiClient.scopes,
            ApiClient.revoked_at.label("client_revoked_at"),
        )
        .outerjoin(Agency, Agency.id == User.agency_id)
        .outerjoin(Provider, Provider.id == User.provider_id)
        .outerjoin(ApiClient, ApiClient.user_id == User.id)
        .where(User.id == bindparam("user_id"))
    )


def bearer_token(connection: HTTPConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def identify(
    connection: HTTPConnection,
    db: Database | RequestDatabase,
    settings: Settings,
    recent: RecentCallers[Caller] | None = None,
) -> Caller:
    """The signed-in principal, if the request carries a valid, unrevoked token of an active user: in the
    Authorization header (API clients) or in the portal's session cookie. `recent`: callers identified lately by
    this process, asked first (see server/auth/callers.py)."""
    token = bearer_token(connection) or session_token(connection)
    if token is None:
        return Caller(None)
    try:
        claims = read_token(settings.secret_key, token)
    except InvalidToken as error:
        log.info("refused a token: %s", error.reason)
        expired = error.reason == "ExpiredTokenError"
        return Caller(None, "Your sign-in has expired: sign in again." if expired else "This token is not valid.")
    if recent is not None and (known := recent.get(claims.user_id, claims.token_id)) is not None:
        return known
    generation = recent.generation if recent is not None else 0
    async with db.read() as session:
        # Columns, not a User record: the ORM's bookkeeping would cost more than the statement.
        conn = await session.connection()
        params = {"user_id": claims.user_id, "token_id": claims.token_id}
        row = (await conn.execute(_caller(), params)).first()
    if row is None or not row.active or (row.client_id is not None and row.client_revoked_at is not None):
        return Caller(None, "This account cannot sign in.")
    if row.revoked or claims.generation != row.token_generation:
        return Caller(None, "You have signed out: sign in again.")
    principal = Principal(row.id, row.full_name, row.role, row.agency_id, row.provider_id, row.time_zone)
    if row.client_id is not None:
        # The client's scopes now, narrowed to those its token was issued with (a subset it asked for).
        scopes = frozenset(_scopes(row.scopes))
        if claims.scopes is not None:
            scopes &= claims.scopes
        principal = replace(principal, client_id=row.client_id, scopes=scopes)
    caller = Caller(principal, time_zone=_zone(row.time_zone))
    if recent is not None:
        # Not if a change was committed while the lookup ran: what it read may predate it (a sign-out).
        recent.put(claims.user_id, claims.token_id, caller, generation=generation)
    return caller


def _scopes(stored) -> list[str]:
    # A JSON column read as a bare column: SQLite's driver hands back its text.
    return json.loads(stored) if isinstance(stored, str) else list(stored or ())


@lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)
