"""The outbox: `emit` writes an event, and a pending delivery for each endpoint that asked for its type, in the
change's own transaction; on PostgreSQL the other processes hear of it at commit, not before."""

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from server.db import Database
from server.domain.events import CHANNEL, Event, emit
from server.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def endpoint(db: Database, agency_id: int, types: list[str], *, active: bool = True) -> int:
    async with db.write() as session:
        row = WebhookEndpoint(
            agency_id=agency_id, url="https://apps.example/hook", event_types=types, secret="whsec_x", active=active
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_an_event_is_written_with_a_delivery_per_endpoint_that_asked_for_it(db: Database, world: World, people):
    wanted = await endpoint(db, 1, ["referral.sent", "referral.status_changed"])
    await endpoint(db, 1, ["session.cancelled"])  # another type
    await endpoint(db, 1, ["referral.sent"], active=False)
    other_agency = await endpoint(db, 2, ["referral.sent"])
    async with db.write() as session:
        event = await emit(
            session,
            people["caseworker"],
            "referral.sent",
            agency_id=1,
            provider_id=world.grief_center,
            referral_id=world.new_referral,
            data={"to": "REQUESTED"},
        )
    async with db.read() as session:
        stored = await session.get(Event, event.id)
        deliveries = (await session.exec(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))).all()
    assert (stored.type, stored.referral_id, stored.data) == ("referral.sent", world.new_referral, {"to": "REQUESTED"})
    assert [(d.endpoint_id, d.event_id, d.order_key, d.status) for d in deliveries] == [
        (wanted, event.id, f"referral:{world.new_referral}", DeliveryStatus.PENDING)
    ]
    assert other_agency not in [d.endpoint_id for d in deliveries]


async def counts(db: Database) -> tuple[int, int]:
    async with db.read() as session:
        events = (await session.exec(select(func.count()).select_from(Event))).one()
        return events, (await session.exec(select(func.count()).select_from(WebhookDelivery))).one()


async def test_a_change_that_fails_leaves_no_event(db: Database, world: World, people):
    await endpoint(db, 1, ["referral.sent"])
    before = await counts(db)
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            await emit(
                session,
                people["caseworker"],
                "referral.sent",
                agency_id=1,
                provider_id=world.grief_center,
                referral_id=world.new_referral,
            )
            raise RuntimeError("the change failed after its event")
    assert await counts(db) == before


async def test_an_unknown_event_type_is_a_programming_error(db: Database, people):
    with pytest.raises(ValueError):
        async with db.write() as session:
            await emit(session, people["caseworker"], "referral.teleported", agency_id=1, provider_id=None)


async def test_other_processes_hear_of_an_event_at_commit(db: Database, world: World, people):
    if not db.url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    url = make_url(db.url)
    listener = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[-1]))
    try:
        async with db.write() as session:
            event = await emit(
                session,
                people["caseworker"],
                "referral.sent",
                agency_id=1,
                provider_id=world.grief_center,
                referral_id=world.new_referral,
            )
            await asyncio.sleep(0.2)
            assert heard.empty()  # not before the commit
        assert await asyncio.wait_for(heard.get(), 5) == str(event.id)
    finally:
        await listener.close()
