"""How long POST /auth/token takes for a wrong password and for an unknown user (they should match).

Run: .venv/bin/python bench/sign_in_timing.py [ROUNDS]
Uses a throwaway SQLite database and the production Argon2 profile; prints median and spread per case.
"""

import asyncio
import statistics
import sys
import tempfile
import time

import httpx

from server.app import create_app
from server.config import Settings
from server.db import Database
from server.demo import load_demo
from server.migrations import upgrade


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(db)
        await load_demo(db)
        app = create_app(Settings(database_url=db.url, secret_key="bench-secret-key-of-enough-length!!"), db)
        cases = {
            "right password": {"username": "connor@cosville.example", "password": "cosville-demo"},
            "wrong password": {"username": "connor@cosville.example", "password": "wrong-password"},
            "unknown user": {"username": "nobody@cosville.example", "password": "wrong-password"},
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for _ in range(rounds):
                for name, form in cases.items():
                    start = time.perf_counter()
                    await client.post("/auth/token", data=form)
                    timings[name].append((time.perf_counter() - start) * 1000)
        await db.dispose()
    print(f"POST /auth/token, {rounds} rounds each (ms)")
    for name, values in timings.items():
        print(f"  {name:<15} median {statistics.median(values):7.1f}  min {min(values):7.1f}  max {max(values):7.1f}")
    wrong, unknown = statistics.median(timings["wrong password"]), statistics.median(timings["unknown user"])
    print(f"  unknown/wrong median ratio: {unknown / wrong:.2f} (1.00 means indistinguishable)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
