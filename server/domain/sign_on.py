"""Single sign-on: an agency's or a provider's OpenID Connect identity provider, through which its staff sign in."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from server.domain.columns import UTCDateTime, utcnow


class IdentityProvider(SQLModel, table=True):
    __tablename__ = "identity_provider"
    __table_args__ = (
        sa.CheckConstraint("(agency_id IS NULL) <> (provider_id IS NULL)", name="ck_identity_provider_one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", sa_column_kwargs={"unique": True})
    provider_id: int | None = Field(default=None, foreign_key="provider.id", sa_column_kwargs={"unique": True})
    # In the sign-in URL: /auth/sso/{key}/start.
    key: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    # "Sign in with {label}".
    label: str = Field(max_length=120)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=200)
    client_secret: str = Field(max_length=500)
    # Lower-case email domains whose users may sign in through it; empty: any domain.
    allowed_domains: list[str] = Field(default_factory=list, sa_type=JSON)
    # Whether an unknown but verified email of an allowed domain becomes a user (with the least role).
    allow_new_users: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
