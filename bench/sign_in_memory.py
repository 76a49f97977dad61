"""Memory and latency while many sign-ins arrive at once: a real server process (production Argon2 profile), 80
right-password sign-ins at 40 concurrent, while a provider reads the inbox every 100 ms. Argon2 verifications are
bounded (PASSWORD_CHECKS_AT_ONCE, 4), so memory should stay near its resting level and the inbox keep answering.

Run: .venv/bin/python bench/sign_in_memory.py [SIGN_INS] [CONCURRENCY]
     (BENCH_DATABASE_URL=postgresql+asyncpg://… for PostgreSQL; a throwaway SQLite file otherwise)
Prints the server's resident memory before, at its peak and after; sign-in answers by status; inbox latency.
"""

import asyncio
import statistics
import sys
import time

import httpx
from server_process import serve  # sibling modules: run these as scripts
from throwaway_db import bench_database

from server.demo import DEMO_PASSWORD, load_demo
from server.migrations import upgrade

INBOX = "query { referrals { nodes { id status isNew sharedParticipant { preferredName phone } availableActions } } }"
STAFF = ["connor@cosville.example", "ashley@griefcenter.example", "marcus@griefcenter.example"]


async def sign_in(client: httpx.AsyncClient, email: str, address: str) -> int:
    """A sign-in from `address` (forwarded through the trusted loopback proxy): one client's in-flight attempts
    count against its throttle, so the bench spreads them over many clients as a busy morning would."""
    response = await client.post(
        "/auth/token", data={"username": email, "password": DEMO_PASSWORD}, headers={"X-Forwarded-For": address}
    )
    return response.status_code


async def main(sign_ins: int, concurrency: int) -> None:
    async with bench_database("bench_sign_in_memory") as db:
        await upgrade(db)
        await load_demo(db)
        url = db.url
        with serve(url, TRUSTED_PROXIES="127.0.0.1") as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                token = (
                    await client.post("/auth/token", data={"username": STAFF[1], "password": DEMO_PASSWORD})
                ).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                for _ in range(20):  # warm up: the first requests build caches every later one shares
                    await client.post("/graphql", json={"query": INBOX}, headers=headers)
                before = server.rss_mib()
                peak = before
                done = asyncio.Event()
                inbox_ms: list[float] = []

                async def watch() -> None:
                    nonlocal peak
                    while not done.is_set():
                        peak = max(peak, server.rss_mib())
                        await asyncio.sleep(0.05)

                async def read_inbox() -> None:
                    while not done.is_set():
                        start = time.perf_counter()
                        answer = await client.post("/graphql", json={"query": INBOX}, headers=headers)
                        assert answer.status_code == 200, answer.text
                        inbox_ms.append((time.perf_counter() - start) * 1000)
                        await asyncio.sleep(0.1)

                gate = asyncio.Semaphore(concurrency)

                async def one(i: int) -> int:
                    async with gate:
                        return await sign_in(client, STAFF[i % len(STAFF)], f"10.0.{i // 250}.{i % 250 + 1}")

                watcher, reader = asyncio.create_task(watch()), asyncio.create_task(read_inbox())
                start = time.perf_counter()
                statuses = await asyncio.gather(*(one(i) for i in range(sign_ins)))
                elapsed = time.perf_counter() - start
                done.set()
                await asyncio.gather(watcher, reader)
                after = server.rss_mib()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"{sign_ins} sign-ins at {concurrency} concurrent on {url.split(':')[0]}: {elapsed:.1f} s, answers {counts}")
    print(f"  server memory (MiB): before {before:.0f}, peak {peak:.0f}, after {after:.0f}")
    if inbox_ms:
        ordered = sorted(inbox_ms)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"  inbox meanwhile: {len(ordered)} reads, p50 {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms,"
            f" max {ordered[-1]:.0f} ms"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [80, 40][len(args) :])))
