"""Agencies: the tenants. Every client, referral and catalogue entry belongs to one."""

from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.audit import record_event, snapshot
from server.domain.columns import UTCDateTime, utcnow
from server.domain.errors import Invalid
from server.domain.principal import Principal, Role, require
from server.domain.records import apply_changes


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    time_zone: str = Field(default="America/Chicago", max_length=64)
    # New client IDs: the pattern's {number} is the agency's next number, e.g. CL-{number:06d} → CL-000123.
    client_id_pattern: str = Field(default="CL-{number:06d}", max_length=40)
    next_client_number: int = 1
    # A referral still REQUESTED this long after it was sent is overdue, for both sides.
    referral_response_hours: int = 72
    # A client with no note, disbursement or referral update for this many days is due a follow-up.
    follow_up_days: int = Field(default=30, sa_column_kwargs={"server_default": "30"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def check_time_zone(name: str) -> str:
    try:
        return v.time_zone(required=True).clean(name)
    except ValueError:
        raise Invalid(f"Unknown time zone {name!r}: give an IANA name (America/Chicago).", field="timeZone") from None


async def get_or_create_agency(session: AsyncSession, *, name: str, time_zone: str) -> Agency:
    """For the CLI and the demo: agencies are set up by operators, not through the API."""
    agency = (await session.exec(select(Agency).where(Agency.name == name))).first()
    if agency is None:
        agency = Agency(name=name, time_zone=check_time_zone(time_zone))
        session.add(agency)
        await session.flush()
    return agency


SETTINGS_RULES = {
    "time_zone": v.time_zone(nullable=False),
    "referral_response_hours": v.whole(1, 24 * 60, nullable=False),
    "follow_up_days": v.whole(1, 365, nullable=False),
}


async def update_settings(session: AsyncSession, principal: Principal | None, values: dict) -> Agency:
    """The agency's own settings, changed by its admins: time zone, referral response window, follow-up window."""
    principal = require(principal, {Role.AGENCY_ADMIN})
    values = v.clean(SETTINGS_RULES, values, partial=True)
    agency = await session.get(Agency, principal.agency_id)
    before = snapshot(agency)
    if apply_changes(agency, values):
        await record_event(
            session, principal, action="agency.settings", record=agency, before=before, agency_id=agency.id
        )
    return agency
