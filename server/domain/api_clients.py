"""API clients: an agency's own apps, signing in with OAuth 2.0 client credentials (RFC 6749 §4.4).

Each client acts through a user of its own (`User.is_api_client`), so that every record naming who did something
(a referral's referring user, the audit trail's actor) names the client. Its scopes bound what it may do, checked in
the domain by `require(..., scope=...)` like roles."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from server.domain.columns import UTCDateTime, utcnow


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    # The user the client acts as: role AGENCY_ADMIN bounded by `scopes`, never signing in with a password.
    user_id: int = Field(foreign_key="app_user.id", sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    # The public identifier the client sends with its secret.
    client_id: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # SHA-256 of the secret (a random 256-bit value, so a fast hash suffices); the secret is shown once.
    secret_hash: str = Field(max_length=128)
    scopes: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    secret_rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_api_client_agency_name", "agency_id", "name"),)
