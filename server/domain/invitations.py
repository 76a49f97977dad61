"""Invitations: a one-time link with which an invited user sets their password (valid 72 hours)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.domain.columns import UTCDateTime, utcnow


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # SHA-256 of the link's token; the token itself is shown once, to the admin who invited.
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
