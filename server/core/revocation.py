"""Tokens ended before they expire: signing out of the portal revokes its session token for good."""

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.core.columns import UTCDateTime, utcnow


class RevokedToken(SQLModel, table=True):
    __tablename__ = "revoked_token"

    token_id: str = Field(primary_key=True, max_length=64)  # the token's jti
    user_id: int = Field(foreign_key="app_user.id")
    revoked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # After this the token is refused anyway; rows past it may be pruned.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)

    @staticmethod
    def expiry(timestamp: int) -> datetime:
        return datetime.fromtimestamp(timestamp, UTC)


async def revoke(session: AsyncSession, *, token_id: str, user_id: int, expires_at: int) -> None:
    """Ends the token `token_id` for good (once: revoking it again changes nothing)."""
    if await session.get(RevokedToken, token_id) is None:
        session.add(RevokedToken(token_id=token_id, user_id=user_id, expires_at=RevokedToken.expiry(expires_at)))
