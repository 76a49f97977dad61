"""Bulk disbursement at 10,000 recipients, through the GraphQL API.

Times one `disburseInBulk` of 10,000 walk-ins (each needing a new program enrollment and benefit assignment) and
one of 10,000 anonymous recipients, next to the same rows written one per request through the API:
per walk-in `enrollParticipant`, `assignBenefit` and `recordBenefitDisbursement`; per anonymous recipient a
`disburseInBulk` of one. The one-per-request runs take SAMPLE recipients and are scaled to 10,000 (pass --full
to write all 10,000 that way). The aim is under 2 s for a bulk of 10,000 on SQLite.

Run: .venv/bin/python bench/bulk_disbursement.py [--full] [SAMPLE]
     BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run on PostgreSQL
     (a database named caseway_bulk_bench is created there and dropped afterwards).
"""

import asyncio
import sys
import time

import httpx
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import select
from throwaway_db import bench_database  # a sibling module: run these as scripts

from server.app import create_app
from server.config import Settings
from server.core.tokens import issue_token
from server.db import Database
from server.demo import load_demo
from server.domain.catalogue.models import Benefit, Program
from server.domain.clients.models import Participant
from server.domain.columns import utcnow
from server.domain.users import User
from server.migrations import upgrade

RECIPIENTS = 10_000
SECRET = "bench-secret-key-of-sufficient-length!!"
BULK = """mutation B($input: BulkDisbursementInput!, $key: String!) { disburseInBulk(input: $input,
  idempotencyKey: $key) { bulk { recipientCount } errors { field message } } }"""
ENROLL = """mutation E($p: ID!, $g: ID!) { enrollParticipant(input: {participantId: $p, programId: $g,
  status: IN_PROGRESS}) { enrollment { id } errors { message } } }"""
ASSIGN = """mutation A($e: ID!, $b: ID!) { assignBenefit(input: {enrollmentId: $e, benefitId: $b}) {
  assignment { id } errors { message } } }"""
RECORD = """mutation R($a: ID!) { recordBenefitDisbursement(input: {benefitAssignmentId: $a,
  serviceDate: "2026-11-20", quantity: "1"}) { disbursement { id } errors { message } } }"""


async def participants(db: Database, how_many: int, tag: str) -> list[int]:
    now = utcnow()
    async with db.write() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Participant),
            [
                {
                    "agency_id": 1,
                    "client_id": f"{tag}-{i}",
                    "legal_first_name": "Walk",
                    "legal_last_name": f"In {i}",
                    "search_text": "",
                    "watch_list": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(how_many)
            ],
        )
        rows = await session.exec(select(Participant.id).where(Participant.client_id.startswith(f"{tag}-")))
        return list(rows.all())


class Api:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    async def __call__(self, document: str, variables: dict) -> dict:
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=self.headers
        )
        data = response.json()["data"]
        (payload,) = data.values()
        assert not payload["errors"], payload["errors"]
        return payload


async def timed(coroutine) -> float:
    start = time.perf_counter()
    await coroutine
    return time.perf_counter() - start


async def run(db: Database, sample: int) -> None:
    await upgrade(db)
    await load_demo(db, hash_profile="test")
    async with db.read() as session:
        connor = (await session.exec(select(User).where(User.email == "connor@cosville.example"))).one()
        food_box = (await session.exec(select(Benefit).where(Benefit.name == "Weekly Food Box"))).one()
        program = (await session.exec(select(Program).where(Program.id == food_box.program_id))).one()
    settings = Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test")
    app = create_app(settings, db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        api = Api(client, issue_token(SECRET, user_id=connor.id, ttl_seconds=3600))
        common = {"benefitId": food_box.id, "serviceDate": "2026-11-20", "quantity": "1"}

        walk_ins = await participants(db, RECIPIENTS, "bulk")
        bulk_walk_in = await timed(
            api(BULK, {"input": {**common, "recipientType": "WALK_IN", "participantIds": walk_ins}, "key": "w"})
        )
        bulk_anonymous = await timed(
            api(BULK, {"input": {**common, "recipientType": "ANONYMOUS", "recipientCount": RECIPIENTS}, "key": "a"})
        )

        singles = await participants(db, sample, "single")

        async def one_walk_in(participant_id: int) -> None:
            enrollment = await api(ENROLL, {"p": participant_id, "g": program.id})
            assignment = await api(ASSIGN, {"e": enrollment["enrollment"]["id"], "b": food_box.id})
            await api(RECORD, {"a": assignment["assignment"]["id"]})

        async def walk_ins_one_by_one() -> None:
            for participant_id in singles:
                await one_walk_in(participant_id)

        async def anonymous_one_by_one() -> None:
            for i in range(sample):
                await api(
                    BULK, {"input": {**common, "recipientType": "ANONYMOUS", "recipientCount": 1}, "key": f"s{i}"}
                )

        scale = RECIPIENTS / sample
        single_walk_in = await timed(walk_ins_one_by_one()) * scale
        single_anonymous = await timed(anonymous_one_by_one()) * scale

    how = "measured" if sample == RECIPIENTS else f"{sample:,} measured, scaled to {RECIPIENTS:,}"
    print(f"\n{RECIPIENTS:,} recipients on {make_url(db.url).get_backend_name()}:")
    print(
        f"  walk-in    bulk {bulk_walk_in:7.2f} s   one per request {single_walk_in:8.1f} s ({how})"
        f"   ratio {single_walk_in / bulk_walk_in:6.0f}x"
    )
    print(
        f"  anonymous  bulk {bulk_anonymous:7.2f} s   one per request {single_anonymous:8.1f} s ({how})"
        f"   ratio {single_anonymous / bulk_anonymous:6.0f}x"
    )
    print("  aim: a bulk of 10,000 under 2 s on SQLite")


async def main(sample: int) -> None:
    async with bench_database("caseway_bulk_bench") as db:
        await run(db, sample)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--full"]
    full = "--full" in sys.argv[1:]
    asyncio.run(main(RECIPIENTS if full else int(arguments[0]) if arguments else 500))
