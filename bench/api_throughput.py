"""Throughput of the API next to what the same work costs without it (issue 12): one real server process over
HTTP, on SQLite or PostgreSQL, with the Cosville demo loaded.

The server is the real app (`create_app(Settings.from_env())`, run by uvicorn with `python -m server serve`'s
options) plus one route, /bench/raw-inbox: the provider's inbox done by hand. It verifies the bearer token as the API
does, runs through the same engine and driver the SQL the inbox needs (the user; the referrals sent to their provider,
with the participant's shared name and phone) and answers the GraphQL inbox's JSON, availableActions included (from
the domain's own rule on each row's status). The bench first checks that both answers are equal, then loads each
endpoint at a fixed concurrency for a fixed time, after a warm-up:

  GET /healthz                     a `SELECT 1` through a pooled session
  POST /graphql { viewer { id } }  the GraphQL pipeline: identify the caller, answer their id
  POST /graphql, the inbox         query { referrals { nodes { id status isNew sharedParticipant { preferredName
                                   phone } availableActions } } }, as ashley@griefcenter.example (provider staff)
  GET /bench/raw-inbox             the same answer without GraphQL

It prints req/s, p50 and p95 of each, and the aims:
  - the inbox query at >= 70% of the raw route's req/s;
  - `{ viewer { id } }` at >= 85% of /healthz's req/s;
  - the server's resident memory (VmRSS, with its children) after 5,000 more inbox requests within 10% of before.

Run: .venv/bin/python bench/api_throughput.py [--seconds 5] [--concurrency 10] [--memory-requests 5000]
     (BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test for PostgreSQL; a throwaway SQLite
     file otherwise). `--serve` is the server side, which the bench starts itself.
The load comes from this process (asyncio + httpx, keep-alive connections); it prints its own CPU use, since a
client near a whole core would cap the figures rather than the server.
"""

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from server_process import serve  # sibling modules: run these as scripts
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from throwaway_db import bench_database

from server.__main__ import server_options
from server.app import create_app
from server.auth.requests import bearer_token
from server.config import Settings
from server.core.tokens import InvalidToken, read_token
from server.demo import DEMO_PASSWORD, load_demo
from server.domain.principal import Principal, Role
from server.domain.referrals.models import AuthorizationStatus, ReferralStatus
from server.domain.referrals.referrals import available_actions
from server.graphql.pagination import DEFAULT_PAGE_SIZE  # the inbox's page: the raw route lists as many
from server.graphql.referrals.types import ReferralAction
from server.migrations import upgrade

PROVIDER_STAFF = "ashley@griefcenter.example"
INBOX = "query { referrals { nodes { id status isNew sharedParticipant { preferredName phone } availableActions } } }"
VIEWER = "query { viewer { id } }"
RAW_INBOX_PATH = "/bench/raw-inbox"
SERVER_COMMAND = (str(Path(__file__).resolve()), "--serve")  # this script, serving: see run_server
WARM_UP_SECONDS = 1.0
# Each endpoint's time is measured in slices, the endpoints taking turns: a busy spell of a shared machine then
# weighs on all of them alike, rather than on whichever endpoint it happened to fall on.
SLICES = 5
INBOX_AIM = 0.70
VIEWER_AIM = 0.85
MEMORY_GROWTH_AIM = 0.10

# The raw route's SQL: what identifying the caller and listing their provider's inbox need, written by hand.
USER_SQL = text("""
SELECT u.full_name, u.role, u.active, u.provider_id,
       EXISTS (SELECT 1 FROM revoked_token t WHERE t.token_id = :token_id) AS revoked
FROM app_user u
WHERE u.id = :user_id
""")
INBOX_SQL = text("""
SELECT r.id, r.status, r.authorization_status, r.first_viewed_at IS NULL AS is_new, r.shared_fields,
       COALESCE(NULLIF(p.preferred_name, ''), p.legal_first_name) AS preferred_name, p.phone
FROM referral r
JOIN participant p ON p.id = r.participant_id
WHERE r.provider_id = :provider_id AND r.sent_at IS NOT NULL
ORDER BY r.id DESC
LIMIT :page_size
""")


# ---------------------------------------------------------------------------------------------------------------------
# The server side: `python bench/api_throughput.py --serve`, started by `serve(..., command=...)` below.


def raw_inbox_route() -> Route:
    """The Starlette route answering the inbox by hand, through the app's own engine."""
    action_names = {action.value: action.name for action in ReferralAction}

    @dataclass(frozen=True)
    class Row:  # what `available_actions` reads of a referral
        status: ReferralStatus
        authorization_status: AuthorizationStatus

    def node(row, principal: Principal) -> dict:
        shared = row.shared_fields if isinstance(row.shared_fields, list) else json.loads(row.shared_fields)
        actions = available_actions(
            principal, Row(ReferralStatus(row.status), AuthorizationStatus(row.authorization_status))
        )
        return {
            "id": str(row.id),
            "status": row.status,
            "isNew": bool(row.is_new),
            "sharedParticipant": {
                "preferredName": row.preferred_name,
                "phone": row.phone if "PHONE" in shared else None,
            },
            "availableActions": [action_names[a] for a in actions],
        }

    async def raw_inbox(request: Request) -> JSONResponse:
        token = bearer_token(request)
        try:
            claims = read_token(request.app.state.settings.secret_key, token or "")
        except InvalidToken:
            return JSONResponse({"error": "not signed in"}, status_code=401)
        async with request.app.state.db.engine.connect() as conn:
            user = (await conn.execute(USER_SQL, {"user_id": claims.user_id, "token_id": claims.token_id})).first()
            if user is None or not user.active or user.revoked or user.provider_id is None:
                return JSONResponse({"error": "not a provider user"}, status_code=403)
            page = {"provider_id": user.provider_id, "page_size": DEFAULT_PAGE_SIZE}
            rows = (await conn.execute(INBOX_SQL, page)).all()
        principal = Principal(claims.user_id, user.full_name, Role(user.role), provider_id=user.provider_id)
        return JSONResponse({"data": {"referrals": {"nodes": [node(row, principal) for row in rows]}}})

    return Route(RAW_INBOX_PATH, raw_inbox, methods=["GET"])


def run_server() -> None:
    """The real app, plus the raw route, served as `python -m server serve` serves it (one process)."""
    settings = Settings.from_env()
    app = create_app(settings)
    app.router.routes.append(raw_inbox_route())
    uvicorn.run(app, **server_options(settings))


# ---------------------------------------------------------------------------------------------------------------------
# The load side.


@dataclass
class Figures:
    name: str
    requests: int
    failures: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def add(self, other: "Figures") -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100)[p - 1]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict | None = None
    signed_in: bool = True


INBOX_ENDPOINT = Endpoint("inbox query", "POST", "/graphql", {"query": INBOX})
ENDPOINTS = [
    Endpoint("GET /healthz", "GET", "/healthz", signed_in=False),
    Endpoint("viewer { id }", "POST", "/graphql", {"query": VIEWER}),
    INBOX_ENDPOINT,
    Endpoint("raw inbox route", "GET", RAW_INBOX_PATH),
]


def succeeded(response: httpx.Response) -> bool:
    return response.status_code == 200 and b'"errors"' not in response.content


async def load(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    headers: dict,
    *,
    concurrency: int,
    seconds: float | None = None,
    total: int | None = None,
) -> Figures:
    """`concurrency` workers sending `endpoint` back to back, for `seconds` or until `total` requests were sent."""
    latencies: list[float] = []
    failures = 0
    sent = 0
    request_headers = headers if endpoint.signed_in else {}
    start = time.perf_counter()
    stop = start + seconds if seconds is not None else float("inf")

    async def worker() -> None:
        nonlocal failures, sent
        while time.perf_counter() < stop and (total is None or sent < total):
            sent += 1
            began = time.perf_counter()
            response = await client.request(endpoint.method, endpoint.path, json=endpoint.body, headers=request_headers)
            latencies.append((time.perf_counter() - began) * 1000)
            failures += not succeeded(response)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(endpoint.name, len(latencies), failures, time.perf_counter() - start, latencies)


async def check_same_answer(client: httpx.AsyncClient, headers: dict) -> int:
    """The raw route answers exactly what the GraphQL inbox does; returns how many referrals that is."""
    graphql = (await client.post("/graphql", json={"query": INBOX}, headers=headers)).json()
    raw = (await client.get(RAW_INBOX_PATH, headers=headers)).json()
    if graphql != raw:
        raise SystemExit(f"The raw route's answer differs from the GraphQL inbox's:\n{graphql}\n{raw}")
    viewer = (await client.post("/graphql", json={"query": VIEWER}, headers=headers)).json()
    if not viewer.get("data", {}).get("viewer"):
        raise SystemExit(f"{{ viewer {{ id }} }} did not answer the signed-in user: {viewer}")
    return len(graphql["data"]["referrals"]["nodes"])


def verdict(value: float, aim: float, *, at_most: bool = False) -> str:
    return "met" if (value <= aim if at_most else value >= aim) else "MISSED"


def print_figures(results: dict[str, Figures]) -> None:
    print(f"{'endpoint':<18} {'requests':>9} {'failed':>7} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for f in results.values():
        print(
            f"{f.name:<18} {f.requests:>9} {f.failures:>7} {f.per_second:>9.0f} "
            f"{f.percentile(50):>8.2f} {f.percentile(95):>8.2f}"
        )
    viewer = results["viewer { id }"].per_second / results["GET /healthz"].per_second
    inbox = results["inbox query"].per_second / results["raw inbox route"].per_second
    print(f"viewer {{ id }} / healthz: {viewer:.0%} (aim >= {VIEWER_AIM:.0%}: {verdict(viewer, VIEWER_AIM)})")
    print(f"inbox query / raw route: {inbox:.0%} (aim >= {INBOX_AIM:.0%}: {verdict(inbox, INBOX_AIM)})")


async def main(seconds: float, concurrency: int, memory_requests: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    async with bench_database("bench_api_throughput") as db:
        await upgrade(db)
        await load_demo(db)
        print(
            f"Backend: {backend}; one server process; concurrency {concurrency}; {seconds:g} s per endpoint (in "
            f"{SLICES} turns), after a {WARM_UP_SECONDS:g} s warm-up each."
        )
        with serve(db.url, command=SERVER_COMMAND) as server:
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
                signed_in = await client.post(
                    "/auth/token", data={"username": PROVIDER_STAFF, "password": DEMO_PASSWORD}
                )
                signed_in.raise_for_status()
                headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
                referrals = await check_same_answer(client, headers)
                print(f"The raw route answers the same JSON as the inbox query ({referrals} referrals).")

                for endpoint in ENDPOINTS:
                    await load(client, endpoint, headers, concurrency=concurrency, seconds=WARM_UP_SECONDS)
                results = {e.name: Figures(e.name, 0, 0, 0.0, []) for e in ENDPOINTS}
                cpu = time.process_time()
                for _ in range(SLICES):
                    for endpoint in ENDPOINTS:
                        results[endpoint.name].add(
                            await load(client, endpoint, headers, concurrency=concurrency, seconds=seconds / SLICES)
                        )
                busy = (time.process_time() - cpu) / sum(f.seconds for f in results.values())
                print_figures(results)
                print(f"(the load generator used {busy:.0%} of a core meanwhile)")

                before = server.rss_mib()
                memory_run = await load(client, INBOX_ENDPOINT, headers, concurrency=concurrency, total=memory_requests)
                after = server.rss_mib()
    growth = after / before - 1
    print(
        f"Server memory: {before:.1f} MiB before, {after:.1f} MiB after {memory_run.requests} inbox requests "
        f"({memory_run.failures} failed): {growth:+.1%} (aim within {MEMORY_GROWTH_AIM:.0%}: "
        f"{verdict(abs(growth), MEMORY_GROWTH_AIM, at_most=True)})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per endpoint (default 5)")
    parser.add_argument("--concurrency", type=int, default=10, help="requests in flight at once (default 10)")
    parser.add_argument(
        "--memory-requests", type=int, default=5000, help="inbox requests between the two memory readings"
    )
    parser.add_argument("--serve", action="store_true", help="(the bench's own server process) serve the app")
    args = parser.parse_args()
    if args.serve:
        run_server()
    else:
        asyncio.run(main(args.seconds, args.concurrency, args.memory_requests))
