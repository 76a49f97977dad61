"""Concurrent attendance saves of one roster, through the GraphQL API, while another user asks who they are.

Sends SAVES `takeAttendance` corrections of the demo's first held Wednesday session at once (Ashley, Steve marked
PRESENT and ABSENT in turn) and, meanwhile, Connor's `{ viewer { id } }` every 50 ms. Prints how the saves were
answered (saved, CONFLICT, anything else), how long they took, and how long the viewer queries waited.
The aim: 50 concurrent saves, 0 unexpected errors, the other requests answered within 1 s.

Run: .venv/bin/python bench/concurrent_attendance.py [SAVES]
     BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run on PostgreSQL
     (a database named caseway_attendance_bench is created there and dropped afterwards).
"""

import asyncio
import sys
import time
from collections import Counter

import httpx
from sqlmodel import select
from throwaway_db import bench_database  # a sibling module: run these as scripts

from server.app import create_app
from server.config import Settings
from server.core.tokens import issue_token
from server.demo import load_demo
from server.domain.clients.models import Participant
from server.domain.delivery.models import BenefitSession, SessionStatus
from server.domain.users import User
from server.migrations import upgrade

SECRET = "bench-secret-key-of-sufficient-length!!"
TAKE = """mutation T($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
  roster { session { status } } errors { code message } } }"""


async def main(saves: int) -> None:
    async with bench_database("caseway_attendance_bench") as db:
        await upgrade(db)
        await load_demo(db, hash_profile="test")
        async with db.read() as session:
            held = (
                await session.exec(
                    select(BenefitSession.id)
                    .where(BenefitSession.status == SessionStatus.COMPLETED)
                    .order_by(BenefitSession.starts_at)
                )
            ).first()
            steve = (await session.exec(select(Participant.id).where(Participant.preferred_name == "Steve"))).one()
            users = {u.email: u.id for u in (await session.exec(select(User))).all()}
        token = {
            who: issue_token(SECRET, user_id=users[email], ttl_seconds=600)
            for who, email in (("ashley", "ashley@griefcenter.example"), ("connor", "connor@cosville.example"))
        }
        app = create_app(Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test"), db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

            async def post(who: str, query: str, variables: dict | None = None) -> tuple[dict, float]:
                start = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token[who]}"},
                )
                return response.json(), time.perf_counter() - start

            def save(i: int):
                marks = [{"participantId": steve, "mark": ("PRESENT", "ABSENT")[i % 2]}]
                return post("ashley", TAKE, {"id": held, "marks": marks})

            done = asyncio.Event()
            viewer_waits: list[float] = []

            async def viewers() -> None:
                while not done.is_set():
                    body, waited = await post("connor", "query { viewer { id } }")
                    assert body.get("data", {}).get("viewer"), body
                    viewer_waits.append(waited)
                    await asyncio.sleep(0.05)

            watcher = asyncio.create_task(viewers())
            start = time.perf_counter()
            results = await asyncio.gather(*(save(i) for i in range(saves)))
            elapsed = time.perf_counter() - start
            done.set()
            await watcher

    outcomes = Counter()
    for body, _ in results:
        payload = (body.get("data") or {}).get("takeAttendance") or {}
        if body.get("errors"):
            outcomes["unexpected: " + body["errors"][0]["message"]] += 1
        elif payload.get("errors"):
            outcomes[payload["errors"][0]["code"]] += 1
        else:
            outcomes["saved"] += 1
    waits = sorted(w for _, w in results)
    print(f"{saves} concurrent takeAttendance saves of one roster on {db.url.split(':')[0]}: {elapsed:.2f} s")
    for outcome, n in outcomes.most_common():
        print(f"  {outcome:<40} {n}")
    print(f"  save answered in: median {waits[len(waits) // 2]:.2f} s, max {waits[-1]:.2f} s")
    if viewer_waits:
        viewer_waits.sort()
        print(
            f"  {len(viewer_waits)} viewer queries meanwhile: median {viewer_waits[len(viewer_waits) // 2] * 1000:.0f}"
            f" ms, max {viewer_waits[-1] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
