"""A large inbox: a provider with 5,000 referrals (and 20,000 other providers' referrals around it).

Times, through the real app in-process (httpx.ASGITransport), as the provider's staff member:
  - the portal's inbox query, exactly as portal-ui/js/views/inbox.js sends it on its "All" tab (a page of 100,
    the per-status counts and the unopened total), which the page polls every 10 s;
  - the same fields in pages of 50: the first page, then the pages that follow (`after` its endCursor);
  - the list alone (page of 50 with the portal's fields, no counts), to see what the counts cost;
  - an older inbox (the Food Pantry's 2,000 referrals, all older than the 23,000 others): its first page reads
    past every newer referral unless the plan uses ix_referral_provider_newest (provider_id, id).
Prints p50/p95 in ms and the SQL statements each request runs; with --explain, the plans of its statements.

Run: .venv/bin/python bench/large_inbox.py [ROUNDS] [--explain]
     BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test to run on PostgreSQL
     (a database named caseway_inbox_bench is created there and dropped afterwards).
"""

import asyncio
import random
import statistics
import sys
import time
from datetime import timedelta

import httpx
from sqlalchemy import event, func, insert, select
from throwaway_db import bench_database  # a sibling module: run these as scripts

from server.app import create_app
from server.config import Settings
from server.core.tokens import issue_token
from server.db import Database
from server.demo import load_demo
from server.domain.catalogue.models import Benefit
from server.domain.clients.models import BenefitAssignment, Participant, ProgramEnrollment
from server.domain.columns import utcnow
from server.domain.network.models import Provider
from server.domain.referrals.models import Referral
from server.domain.users import User
from server.migrations import upgrade

INBOX_SIZE = 5_000
OTHERS = 20_000  # referrals to the other providers
OLD_INBOX = 2_000  # of those, the Food Pantry's: all sent before every other referral (the oldest ids)
PROVIDER_USER = "ashley@griefcenter.example"  # staff of Cosville Grief Counseling Center
OLD_INBOX_USER = "bea@harvesttable.example"  # admin of Harvest Table Food Pantry
SECRET = "bench-secret-key-of-sufficient-length!!"

# Copied from portal-ui/js/views/inbox.js (QUERY); the variables are those of its "All" tab.
INBOX = """query Inbox($filter: ReferralFilter!, $names: ReferralFilter!) {
  referrals(filter: $filter, first: 100) { nodes { id status isNew isOverdue priority sentAt
    sharedParticipant { preferredName } benefit { name } } }
  referralCounts(filter: $names) { status count }
  unopened: referrals(filter: {new: true}) { totalCount } }"""
ALL_TAB = {"filter": {"statuses": None}, "names": {}}
# The same document in pages of 50 with the page's position.
PAGE_OF_50 = INBOX.replace("($filter: ReferralFilter!,", "($filter: ReferralFilter!, $after: String,").replace(
    "first: 100) { nodes {", "first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes {"
)
# The list alone: the portal's fields, no counts.
LIST_ONLY = """query Inbox($after: String) {
  referrals(first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes { id status isNew isOverdue priority
    sentAt sharedParticipant { preferredName } benefit { name } } } }"""

STATUSES = ["REQUESTED", "ACCEPTED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "REJECTED", "CANCELLED"]


async def load(db: Database) -> int:
    """The demo, then OLD_INBOX referrals to the Food Pantry, then INBOX_SIZE to the Grief Center interleaved
    in time with the rest of OTHERS to the other providers (so the inbox's referrals are spread through the
    table, and the Pantry's all lie behind the 23,000 newer ones); returns the Grief Center's id."""
    rng = random.Random(5)
    await upgrade(db)
    await load_demo(db, hash_profile="test")
    now = utcnow()
    async with db.engine.begin() as conn:
        grief = await conn.scalar(select(Provider.id).where(Provider.name == "Cosville Grief Counseling Center"))
        pantry = await conn.scalar(select(Provider.id).where(Provider.name == "Harvest Table Food Pantry"))
        others = (await conn.scalars(select(Provider.id).where(Provider.id.not_in([grief, pantry])))).all()
        benefits = (await conn.execute(select(Benefit.id, Benefit.program_id).where(Benefit.agency_id == 1))).all()
        connor = await conn.scalar(select(User.id).where(User.email == "connor@cosville.example"))
        total = INBOX_SIZE + OTHERS
        start = (await conn.scalar(select(func.max(Participant.id)))) + 1
        await conn.execute(
            insert(Participant),
            [
                {
                    "agency_id": 1,
                    "client_id": f"BENCH-{start + i:06d}",
                    "legal_first_name": f"First{i}",
                    "legal_last_name": f"Last{i}",
                    "shared_name": f"first{i}",
                    "search_text": f"first{i} last{i} bench-{start + i:06d}",
                    "detail_text": "",
                    "watch_list": False,
                }
                for i in range(total)
            ],
        )
        people = (await conn.scalars(select(Participant.id).where(Participant.id >= start).order_by("id"))).all()
        chosen = [rng.choice(benefits) for _ in people]
        await conn.execute(
            insert(ProgramEnrollment),
            [
                {"agency_id": 1, "participant_id": p, "program_id": b.program_id, "status": "IN_PROGRESS"}
                for p, b in zip(people, chosen, strict=True)
            ],
        )
        enrollments = dict(
            (
                await conn.execute(
                    select(ProgramEnrollment.participant_id, ProgramEnrollment.id).where(
                        ProgramEnrollment.participant_id >= start
                    )
                )
            ).all()
        )
        await conn.execute(
            insert(BenefitAssignment),
            [
                {
                    "agency_id": 1,
                    "participant_id": p,
                    "benefit_id": b.id,
                    "enrollment_id": enrollments[p],
                    "status": "ENROLLED",
                }
                for p, b in zip(people, chosen, strict=True)
            ],
        )
        assignments = dict(
            (
                await conn.execute(
                    select(BenefitAssignment.participant_id, BenefitAssignment.id).where(
                        BenefitAssignment.participant_id >= start
                    )
                )
            ).all()
        )
        to_inbox = set(rng.sample(range(OLD_INBOX, total), INBOX_SIZE))
        rows = []
        for i, p in enumerate(people):
            rows.append(
                {
                    "agency_id": 1,
                    "participant_id": p,
                    "benefit_assignment_id": assignments[p],
                    "provider_id": pantry if i < OLD_INBOX else grief if i in to_inbox else rng.choice(others),
                    "referring_user_id": connor,
                    "priority": rng.choice(["ROUTINE", "ROUTINE", "ROUTINE", "URGENT", "ASAP"]),
                    "status": rng.choice(STATUSES),
                    "sent_at": now - timedelta(minutes=total - i),
                    "respond_by": now + timedelta(days=rng.choice([-2, 1, 3])),
                    "first_viewed_at": None if rng.random() < 0.3 else now,
                    "shared_fields": [],
                    "authorization_status": "NOT_REQUIRED",
                    "version": 1,
                    "created_at": now - timedelta(minutes=total - i),
                    "updated_at": now,
                }
            )
        for chunk in range(0, len(rows), 5000):
            await conn.execute(insert(Referral), rows[chunk : chunk + 5000])
    async with db.engine.connect() as conn:
        if db.url.startswith("postgresql"):
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
        else:
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()
    return grief


def summary(name: str, values: list[float], statements: set[int]) -> None:
    p50 = statistics.median(values)
    p95 = statistics.quantiles(values, n=20)[-1]
    counts = "/".join(str(n) for n in sorted(statements))
    print(f"  {name:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   statements {counts}")


async def explain(db: Database, statements: list[tuple[str, object]]) -> None:
    postgres = db.url.startswith("postgresql")
    async with db.engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if postgres else "EXPLAIN QUERY PLAN "
            rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
            alone = []
            for _ in range(20):
                start = time.perf_counter()
                (await conn.exec_driver_sql(statement, parameters)).all()
                alone.append((time.perf_counter() - start) * 1000)
            print(
                f"  -- {statistics.median(alone):.2f} ms alone (p50 of 20):", " ".join(statement.split())[:120], "..."
            )
            for row in rows:
                print("    ", row[-1] if not postgres else row[0])


async def measure(db: Database, rounds: int, show_plans: bool) -> None:
    async with db.read() as session:
        ashley = await session.scalar(select(User.id).where(User.email == PROVIDER_USER))
        bea = await session.scalar(select(User.id).where(User.email == OLD_INBOX_USER))
    app = create_app(Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test"), db)
    as_ashley = {"Authorization": f"Bearer {issue_token(SECRET, user_id=ashley, ttl_seconds=3600)}"}
    as_bea = {"Authorization": f"Bearer {issue_token(SECRET, user_id=bea, ttl_seconds=3600)}"}
    ran: list[tuple[str, object]] = []
    sql_ms: list[float] = []  # each statement's time, in the order run
    started: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        started.append(time.perf_counter())
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT")):
            ran.append((statement, parameters))

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        elapsed = (time.perf_counter() - started.pop()) * 1000
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT")):
            sql_ms.append(elapsed)

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    event.listen(db.engine.sync_engine, "after_cursor_execute", after_execute)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def ask(document: str, variables: dict, headers: dict = as_ashley) -> tuple[float, int, dict]:
            ran.clear()
            sql_ms.clear()
            start = time.perf_counter()
            response = await client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, body
            return elapsed, len(ran), body["data"]

        async def timed(
            name: str, document: str, variables: dict, check=None, headers: dict = as_ashley
        ) -> list[tuple[str, object]]:
            for _ in range(5):  # warm up
                await ask(document, variables, headers)
            times, counts, cpu, in_sql = [], set(), [], []
            for _ in range(rounds):
                before_cpu = time.process_time()
                elapsed, n, data = await ask(document, variables, headers)
                cpu.append((time.process_time() - before_cpu) * 1000)
                times.append(elapsed)
                counts.add(n)
                in_sql.append(list(sql_ms))
            if check:
                check(data)
            summary(name, times, counts)
            per_statement = [statistics.median(s[i] for s in in_sql) for i in range(len(in_sql[0]))]
            print(
                f"  {'':<44} cpu p50 {statistics.median(cpu):7.2f} ms   in SQL p50 "
                f"{statistics.median(sum(s) for s in in_sql):7.2f} ms: {' '.join(f'{t:.1f}' for t in per_statement)}"
            )
            return list(ran)

        def full_inbox(data: dict) -> None:
            assert len(data["referrals"]["nodes"]) == 100, "the portal's page is not full"
            assert sum(c["count"] for c in data["referralCounts"]) == INBOX_SIZE + 2, data["referralCounts"]

        plans = {}
        plans["portal"] = await timed("portal's inbox query (page of 100 + counts)", INBOX, ALL_TAB, full_inbox)
        plans["page 1"] = await timed("same fields, first page of 50", PAGE_OF_50, {**ALL_TAB, "after": None})
        _, _, first = await ask(PAGE_OF_50, {**ALL_TAB, "after": None})
        assert len(first["referrals"]["nodes"]) == 50 and first["referrals"]["pageInfo"]["hasNextPage"]
        # The following pages: 2 to 11, each after the last one's endCursor.
        after, times, counts = first["referrals"]["pageInfo"]["endCursor"], [], set()
        for _ in range(max(1, rounds // 10)):
            cursor = after
            for _ in range(10):
                elapsed, n, data = await ask(PAGE_OF_50, {**ALL_TAB, "after": cursor})
                times.append(elapsed)
                counts.add(n)
                assert len(data["referrals"]["nodes"]) == 50
                cursor = data["referrals"]["pageInfo"]["endCursor"]
        summary("same fields, pages 2-11 of 50 (after)", times, counts)
        plans["list"] = await timed("list alone, first page of 50", LIST_ONLY, {"after": None})
        # Through to the last page: 5,002 referrals are 100 full pages of 50 and one of 2 (the demo's own).
        cursor, cursors = None, []
        while True:
            _, _, data = await ask(LIST_ONLY, {"after": cursor})
            if not data["referrals"]["pageInfo"]["hasNextPage"]:
                break
            cursor = data["referrals"]["pageInfo"]["endCursor"]
            cursors.append(cursor)
        assert len(cursors) + 1 == (INBOX_SIZE + 2 + 49) // 50, len(cursors)
        middle = {"after": cursors[len(cursors) // 2 - 1]}
        plans["list, page 50"] = await timed(f"list alone, page {len(cursors) // 2} of 50", LIST_ONLY, middle)

        def full_page(data: dict) -> None:
            assert len(data["referrals"]["nodes"]) == 50 and data["referrals"]["pageInfo"]["hasNextPage"]

        plans["old inbox"] = await timed(
            f"older inbox ({OLD_INBOX:,}, behind the rest): page 1", LIST_ONLY, {"after": None}, full_page, as_bea
        )
    event.remove(db.engine.sync_engine, "before_cursor_execute", before)
    event.remove(db.engine.sync_engine, "after_cursor_execute", after_execute)
    if show_plans:
        for name in ("portal", "list, page 50", "old inbox"):
            print(f"\nPlans of the statements of: {name}")
            await explain(db, plans[name])


async def main(rounds: int, show_plans: bool) -> None:
    async with bench_database("caseway_inbox_bench") as db:
        start = time.perf_counter()
        await load(db)
        print(
            f"Loaded {INBOX_SIZE:,} referrals to one provider and {OTHERS:,} to others in "
            f"{time.perf_counter() - start:.1f} s"
        )
        print(f"Large inbox, {db.engine.dialect.name}, {rounds} requests each (in-process, provider staff)")
        await measure(db, rounds, show_plans)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(arguments[0]) if arguments else 50, "--explain" in sys.argv))
