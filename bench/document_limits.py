"""Fragment fan-out: how long a real server takes to refuse it, and how its /healthz answers meanwhile.

`query{...FN} fragment F0 on Query{__typename} fragment F1 on Query{...F0 ...F0} …` is about 10N tokens and 2^N
fields once expanded. Starts `python -m server serve` on a throwaway database, times the anonymous refusal for
N = 16 to 40 (each round a new document: the parser and validation caches would otherwise answer), then /healthz
alone, while 4 clients send N=40 fan-outs back to back, and, for comparison, while they send `{ __typename }`;
prints median and max of each in ms (aim: N=40 refused in under 20 ms, /healthz unaffected). Also times the refusal
of wide selection sets (one field 497 times, 150 fragments spread into one selection set: MAX_REPEATED_FIELDS,
MAX_FRAGMENT_SPREADS).

Run: .venv/bin/python bench/document_limits.py [ROUNDS]
     BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run on PostgreSQL
     (a database named caseway_bench_limits is created there and dropped afterwards).
"""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from throwaway_db import bench_database  # a sibling module: run these as scripts

from server.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-of-sufficient-length!!"


def fan_out(n: int, name: str) -> str:
    """The fan-out of `n` fragments named `name`0 to `name``n`: a new name is a new document."""
    fragments = [f"fragment {name}0 on Query {{ __typename }}"]
    fragments += [f"fragment {name}{i} on Query {{ ...{name}{i - 1} ...{name}{i - 1} }}" for i in range(1, n + 1)]
    return f"query {{ ...{name}{n} }} " + " ".join(fragments)


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):7.2f}  max {max(values):7.2f}"


async def timed(request) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = await request
    return (time.perf_counter() - start) * 1000, response


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "PORT": str(port), "HOST": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    return server, f"http://127.0.0.1:{port}"


async def started(client: httpx.AsyncClient, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise SystemExit("the server did not start")


async def measure(client: httpx.AsyncClient, rounds: int) -> None:
    print(f"Refusing a fan-out of N fragments, anonymous, {rounds} rounds each (ms)")
    for n in range(16, 41, 4):
        times, answers = [], set()
        for round in range(rounds):
            elapsed, response = await timed(client.post("/graphql", json={"query": fan_out(n, f"F{round}x")}))
            times.append(elapsed)
            error = response.json()["errors"][0]
            answers.add(f"{response.status_code} {error['extensions'].get('limit')}")
        print(f"  N={n:<3} {summary(times)}  answers: {', '.join(sorted(answers))}")

    print("Refusing wide selection sets, anonymous (ms): graphql-core's overlap check is quadratic in them")
    wide = {
        "`viewer { name }` x497": lambda name: f"query {name} {{ " + " ".join(["viewer { name }"] * 497) + " }",
        "150 fragments, one spread": lambda name: (
            f"query {name} {{ "
            + " ".join(f"...V{i}" for i in range(150))
            + " } "
            + " ".join(f"fragment V{i} on Query {{ viewer {{ name }} }}" for i in range(150))
        ),
    }
    for label, document in wide.items():
        times, answers = [], set()
        for round in range(rounds):
            elapsed, response = await timed(client.post("/graphql", json={"query": document(f"W{round}")}))
            times.append(elapsed)
            answers |= {f"{response.status_code} {e['extensions'].get('limit')}" for e in response.json()["errors"]}
        print(f"  {label:<27} {summary(times)}  answers: {', '.join(sorted(answers))}")

    idle = [(await timed(client.get("/healthz")))[0] for _ in range(rounds)]
    print("GET /healthz (ms)")
    print(f"  alone                                 {summary(idle)}")
    for label, document in (("N=40 fan-outs", lambda name: fan_out(40, name)), ("{ __typename }", None)):
        busy, sent = await healthz_while_flooded(client, rounds, document)
        print(f"  with 4 clients sending {label:<15}{summary(busy)}  ({sent} requests sent meanwhile)")


async def healthz_while_flooded(client: httpx.AsyncClient, rounds: int, document) -> tuple[list[float], int]:
    """/healthz's times while 4 clients send `document(name)` (or `{ __typename }`) back to back."""
    busy: list[float] = []
    stop = asyncio.Event()
    sent = 0

    async def flood(attacker: int) -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=client.base_url, timeout=120) as own:
            while not stop.is_set():
                sent += 1
                query = document(f"A{attacker}x{sent}x") if document else "{ __typename }"
                await own.post("/graphql", json={"query": query})

    flooders = [asyncio.create_task(flood(a)) for a in range(4)]
    await asyncio.sleep(0.5)
    for _ in range(rounds):
        elapsed, response = await timed(client.get("/healthz"))
        assert response.status_code == 200, response.text
        busy.append(elapsed)
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*flooders)
    return busy, sent


async def main(rounds: int) -> None:
    async with bench_database("caseway_bench_limits") as db:
        await upgrade(db)
        await db.dispose()
        server, url = start_server(db.url)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                await started(client, server)
                await measure(client, rounds)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
