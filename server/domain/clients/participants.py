"""Participants (clients): kept by agency staff, searched with one box, never listed to providers."""

import re
import unicodedata
from datetime import date

from sqlalchemy import and_, case, false, literal, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.agencies import Agency
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.clients.models import AlertSeverity, Participant, ParticipantAlert
from server.domain.errors import Conflict, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import apply_changes, fetch
from server.domain.zones import check_not_after_today

RULES = {
    "client_id": v.text(40),
    "legal_first_name": v.text(100, required=True),
    "legal_last_name": v.text(100, required=True),
    "preferred_name": v.text(100),
    "pronouns": v.text(40),
    "birth_date": v.a_date(),
    "phone": v.phone(),
    "email": v.email(),
    "address_line1": v.text(200),
    "address_line2": v.text(200),
    "city": v.text(100),
    "region": v.text(100),
    "postal_code": v.text(20),
    "photo_reference": v.text(500),
    "latitude": v.number_between(-90, 90),
    "longitude": v.number_between(-180, 180),
    "preferred_language": v.text(40),
    "watch_list": v.flag(),
}
ALERT_RULES = {"text": v.text(500, required=True), "severity": v.choice(AlertSeverity)}


def fold(text: str) -> str:
    """Lower case without accents: 'Zoë Ünal' → 'zoe unal'. Search text and needles both pass through it; a NUL
    (which no stored text holds, and PostgreSQL refuses in a parameter) is dropped."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\x00", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(p: Participant) -> str:
    """Names and client ID: what ranks first in a search."""
    parts = [p.legal_first_name, p.legal_last_name, p.preferred_name, p.client_id]
    return fold(" ".join(part for part in parts if part))[:1000]


def detail_text(p: Participant, alerts: list[str]) -> str:
    """Every other text field: phone (digits too), email, address, the active alerts."""
    digits = re.sub(r"\D", "", p.phone or "")
    parts = [p.phone, digits, p.email, p.address_line1, p.address_line2, p.city, p.region, p.postal_code, *alerts]
    return fold(" ".join(part for part in parts if part))[:4000]


async def refresh_detail_text(session: AsyncSession, participant: Participant) -> None:
    alerts = (
        await session.exec(
            select(ParticipantAlert.text).where(
                ParticipantAlert.participant_id == participant.id, ParticipantAlert.active.is_(True)
            )
        )
    ).all()
    participant.detail_text = detail_text(participant, list(alerts))
    session.add(participant)


def shared_name(p: Participant) -> str:
    return fold(p.preferred_name or p.legal_first_name)[:100]


def matches(needle: str):
    """Every word of the needle must appear somewhere in the participant's search text."""
    words = [w for w in fold(needle).split() if w]
    phone_digits = re.sub(r"\D", "", needle)
    if len(phone_digits) >= 4 and len(phone_digits) >= len(needle.replace(" ", "")) - 4:
        words = [phone_digits]  # a phone number as typed, with its punctuation dropped
    everything = Participant.search_text + " " + Participant.detail_text
    return and_(*(everything.contains(w, autoescape=True) for w in words))


def matches_name(needle: str):
    """Every word of the needle is in the names or the client ID."""
    words = [w for w in fold(needle).split() if w]
    return and_(*(Participant.search_text.contains(w, autoescape=True) for w in words))


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_of(participant: Participant, day: date) -> int | None:
    """The participant's age in whole years on `day`; None when the birth date is not known."""
    born = participant.birth_date
    return None if born is None else age_on(born, day)


def in_reading_order(alerts: list[ParticipantAlert]) -> list[ParticipantAlert]:
    """Active alerts first; each group keeps the order given (newest first, as they are loaded)."""
    return sorted(alerts, key=lambda a: not a.active)


async def _check(session: AsyncSession, principal: Principal, values: dict) -> None:
    await check_not_after_today(session, principal, values, "birth_date")
    if ("latitude" in values) != ("longitude" in values) or (
        (values.get("latitude") is None) != (values.get("longitude") is None)
    ):
        raise Invalid("Give both latitude and longitude, or neither.", field="latitude")


async def _next_client_id(session: AsyncSession, agency_id: int) -> str:
    """The agency's next client ID from its pattern; the counter moves in the same transaction."""
    while True:
        number = (
            await session.exec(
                update(Agency)
                .where(Agency.id == agency_id)
                .values(next_client_number=Agency.next_client_number + 1)
                .returning(Agency.next_client_number, Agency.client_id_pattern)
            )
        ).one()
        client_id = number.client_id_pattern.format(number=number.next_client_number - 1)
        if not await _client_id_taken(session, agency_id, client_id):
            return client_id


async def _client_id_taken(session: AsyncSession, agency_id: int, client_id: str, but: int | None = None) -> bool:
    query = select(Participant.id).where(Participant.agency_id == agency_id, Participant.client_id == client_id)
    if but is not None:
        query = query.where(Participant.id != but)
    return (await session.exec(query)).first() is not None


async def list_participants(
    session: AsyncSession,
    principal: Principal | None,
    *,
    search: str | None = None,
    first: int,
    after: str | None = None,
) -> Page[Participant]:
    """The agency's participants by last and first name; `search` matches names, client ID, phone or email,
    in any case and with or without accents."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_READ)
    query = select(Participant).where(Participant.agency_id == principal.agency_id)
    if search and search.strip():
        query = query.where(matches(search))
    order = [(Participant.legal_last_name, "asc"), (Participant.legal_first_name, "asc"), (Participant.id, "asc")]
    return await paginate(session, query, order=order, first=first, after=after)


async def search_clients(
    session: AsyncSession, principal: Principal | None, needle: str, *, first: int, after: str | None = None
) -> Page[Participant]:
    """Client search across every text field of the client; a name or client ID match ranks first, then by last
    and first name. A blank needle finds no one."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_READ)
    if needle and needle.strip():
        found, rank = matches(needle), case((matches_name(needle), 0), else_=1)
    else:
        found, rank = false(), literal(1)
    rank = rank.label("name_rank")
    query = select(Participant, rank).where(Participant.agency_id == principal.agency_id, found)
    order = [
        (rank, "asc"),
        (Participant.legal_last_name, "asc"),
        (Participant.legal_first_name, "asc"),
        (Participant.id, "asc"),
    ]
    page = await paginate(
        session,
        query,
        order=order,
        first=first,
        after=after,
        values_of=lambda row: [
            row.name_rank,
            row.Participant.legal_last_name,
            row.Participant.legal_first_name,
            row.Participant.id,
        ],
    )
    page.items = [row.Participant for row in page.items]
    return page


async def get_participant(
    session: AsyncSession, principal: Principal | None, participant_id: int, *, field: str = "id"
) -> Participant:
    """One of the principal's agency's participants (agency staff only)."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_READ)
    return await fetch(
        session,
        Participant,
        participant_id,
        scope=Participant.agency_id == principal.agency_id,
        field=field,
        what="participant",
    )


async def create_participant(
    session: AsyncSession, principal: Principal | None, values: dict, alerts: list[dict] | None = None
) -> Participant:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    values = v.clean(RULES, values, partial=False)
    await _check(session, principal, values)
    if values.get("client_id"):
        if await _client_id_taken(session, principal.agency_id, values["client_id"]):
            raise Conflict(f"Client ID {values['client_id']} is taken in your agency.", field="clientId")
    else:
        values["client_id"] = await _next_client_id(session, principal.agency_id)
    participant = Participant(agency_id=principal.agency_id, **values)
    participant.search_text = search_text(participant)
    participant.shared_name = shared_name(participant)
    participant.detail_text = detail_text(participant, [])
    session.add(participant)
    await record_event(
        session, principal, action="participant.create", record=participant, before=None, agency_id=principal.agency_id
    )
    for alert in alerts or []:
        await add_alert(session, principal, participant.id, alert)
    return participant


async def update_participant(
    session: AsyncSession, principal: Principal | None, participant_id: int, values: dict
) -> Participant:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    participant = await get_participant(session, principal, participant_id)
    values = v.clean(RULES, values, partial=True)
    if values.get("client_id") is None:
        values.pop("client_id", None)  # a client ID is changed, never cleared
    merged = {"latitude": participant.latitude, "longitude": participant.longitude, **values}
    await _check(session, principal, {**values, "latitude": merged["latitude"], "longitude": merged["longitude"]})
    if "client_id" in values and await _client_id_taken(
        session, participant.agency_id, values["client_id"], but=participant.id
    ):
        raise Conflict(f"Client ID {values['client_id']} is taken in your agency.", field="clientId")
    before = snapshot(participant)
    if apply_changes(participant, values):
        participant.search_text = search_text(participant)
        participant.shared_name = shared_name(participant)
        await refresh_detail_text(session, participant)
        await record_event(
            session,
            principal,
            action="participant.update",
            record=participant,
            before=before,
            agency_id=participant.agency_id,
        )
    return participant


async def add_alert(
    session: AsyncSession, principal: Principal | None, participant_id: int, values: dict
) -> ParticipantAlert:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    participant = await get_participant(session, principal, participant_id)
    values = v.clean(ALERT_RULES, values, partial=False)
    alert = ParticipantAlert(participant_id=participant.id, **values)
    session.add(alert)
    await session.flush()
    await refresh_detail_text(session, participant)
    await record_event(
        session,
        principal,
        action="participant_alert.create",
        record=alert,
        before=None,
        agency_id=participant.agency_id,
    )
    return alert


async def deactivate_alert(session: AsyncSession, principal: Principal | None, alert_id: int) -> ParticipantAlert:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    alert = await fetch(
        session,
        ParticipantAlert,
        alert_id,
        what="alert",
        scope=ParticipantAlert.participant_id.in_(
            select(Participant.id).where(Participant.agency_id == principal.agency_id)
        ),
    )
    before = snapshot(alert)
    if apply_changes(alert, {"active": False}):
        await session.flush()
        await refresh_detail_text(session, await session.get(Participant, alert.participant_id))
        await record_event(
            session,
            principal,
            action="participant_alert.deactivate",
            record=alert,
            before=before,
            agency_id=principal.agency_id,
        )
    return alert
