"""Provider search at scale: 50,000 facilities and 100,000 participants.

Times the caseworker's search (Counseling and everything under it, within 10 km, accepting referrals, first 20,
nearest first) through the GraphQL API, next to the same search as one hand-written SQL query through the same
driver, and prints median, p95 and their ratio. Also printed: the search service alone (no HTTP, no GraphQL), and
what any request costs before its fields (`{ __typename }`: HTTP in-process, identifying the caller, GraphQL).

The hand-written SQL is the tightest form found: the box on the coordinates index, then a correlated EXISTS per
facility for its specialties (listing every facility that offers the tree, `f.id IN (...)`, makes SQLite scan
facility_specialty whole), and no join of facility back to itself.

Run: .venv/bin/python bench/provider_search.py [ROUNDS]
     BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run on PostgreSQL
     (a database named caseway_bench is created there and dropped afterwards).
"""

import asyncio
import math
import random
import statistics
import sys
import time

import httpx
from sqlalchemy import insert, select, text
from throwaway_db import bench_database  # a sibling module: run these as scripts

from server.app import create_app
from server.config import Settings
from server.core.tokens import issue_token
from server.db import Database
from server.demo import load_demo
from server.domain.clients.models import Participant
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.network.search import search_facilities
from server.domain.principal import Principal, Role
from server.domain.users import User
from server.migrations import upgrade

FACILITIES = 50_000
PARTICIPANTS = 100_000
CENTRE = (39.7998, -89.6489)
SPREAD_KM = 60  # facilities and homes lie within this many km of the centre
SECRET = "bench-secret-key-of-sufficient-length!!"

QUERY = """query Search($filter: ProviderSearchFilter!) {
  providerSearch(filter: $filter, first: 20) { nodes { distanceKm facility { id name } provider { name } } }
}"""

HAND_WRITTEN = """
WITH RECURSIVE tree(id) AS (
  SELECT id FROM care_specialty WHERE id = :root
  UNION ALL SELECT c.id FROM care_specialty c JOIN tree t ON c.parent_id = t.id
)
SELECT d.id, d.name, p.name, d.distance FROM (
  SELECT f.id, f.name, f.provider_id, 2 * 6371.0088 * asin(sqrt(
      power(sin((radians(f.latitude) - radians(:lat)) / 2), 2)
    + cos(radians(:lat)) * cos(radians(f.latitude)) * power(sin((radians(f.longitude) - radians(:lon)) / 2), 2)
  )) AS distance
  FROM facility f
  WHERE f.latitude BETWEEN :lat0 AND :lat1 AND f.longitude BETWEEN :lon0 AND :lon1
    AND f.active AND f.accepting_referrals
    AND EXISTS (SELECT 1 FROM facility_specialty fs
                WHERE fs.facility_id = f.id AND fs.active AND fs.specialty_id IN (SELECT id FROM tree))
) d JOIN provider p ON p.id = d.provider_id
WHERE d.distance <= :radius AND p.status = 'ACTIVE' AND p.searchable
ORDER BY d.distance, d.id LIMIT 20
"""


def jitter(rng: random.Random) -> tuple[float, float]:
    dlat = SPREAD_KM / 111.195
    dlon = SPREAD_KM / (111.195 * math.cos(math.radians(CENTRE[0])))
    return CENTRE[0] + rng.uniform(-dlat, dlat), CENTRE[1] + rng.uniform(-dlon, dlon)


async def load(db: Database) -> None:
    rng = random.Random(7)
    await upgrade(db)
    await load_demo(db, hash_profile="test")
    async with db.engine.begin() as conn:
        leaves = [
            r[0]
            for r in (await conn.execute(select(CareSpecialty.id).where(CareSpecialty.parent_id.is_not(None)))).all()
        ]
        first_provider = (await conn.execute(text("SELECT max(id) FROM provider"))).scalar() + 1
        await conn.execute(
            insert(Provider),
            [
                {"name": f"Bench provider {i:05d}", "type": "ONSITE", "status": "ACTIVE", "searchable": True}
                for i in range(FACILITIES // 10)
            ],
        )
        first_facility = (await conn.execute(text("SELECT max(id) FROM facility"))).scalar() + 1
        rows = []
        for i in range(FACILITIES):
            lat, lon = jitter(rng)
            rows.append(
                {
                    "provider_id": first_provider + i // 10,
                    "name": f"Bench site {i:05d}",
                    "latitude": lat,
                    "longitude": lon,
                    "accepting_referrals": rng.random() < 0.8,
                    "active": True,
                    "capacity_status": "CAPACITY",
                    "confidential": False,
                    "country": "US",
                }
            )
        await conn.execute(insert(Facility), rows)
        await conn.execute(
            insert(FacilitySpecialty),
            [
                {"facility_id": first_facility + i, "specialty_id": s, "primary": j == 0, "active": True}
                for i in range(FACILITIES)
                for j, s in enumerate(rng.sample(leaves, 2))
            ],
        )
        people = []
        for i in range(PARTICIPANTS):
            lat, lon = jitter(rng)
            people.append(
                {
                    "agency_id": 1,
                    "client_id": f"BENCH-{i:06d}",
                    "legal_first_name": f"First{i}",
                    "legal_last_name": f"Last{i}",
                    "latitude": lat,
                    "longitude": lon,
                    "search_text": f"first{i} last{i} bench-{i:06d}",
                    "watch_list": False,
                }
            )
        await conn.execute(insert(Participant), people)
    if db.url.startswith("postgresql"):
        async with db.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
    else:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")


def summary(name: str, values: list[float]) -> tuple[float, float]:
    median = statistics.median(values)
    p95 = statistics.quantiles(values, n=20)[-1]
    print(f"  {name:<26} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    return median, p95


async def measure(db: Database, rounds: int) -> None:
    rng = random.Random(11)
    points = [jitter(rng) for _ in range(rounds)]
    async with db.read() as session:
        counseling = await session.scalar(select(CareSpecialty.id).where(CareSpecialty.code == "CNS"))
        connor = await session.scalar(select(User.id).where(User.email == "connor@cosville.example"))
    app = create_app(Settings(database_url=db.url, secret_key=SECRET), db)
    headers = {"Authorization": f"Bearer {issue_token(SECRET, user_id=connor, ttl_seconds=3600)}"}
    api, sql, domain, floor, found = [], [], [], [], []
    agency_caseworker = Principal(connor, "Connor", Role.CASEWORKER, agency_id=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for warm in (True, False):
            for lat, lon in points[: 5 if warm else rounds]:
                variables = {
                    "filter": {
                        "specialtyIds": [str(counseling)],
                        "near": {"latitude": lat, "longitude": lon},
                        "radiusKm": 10,
                        "acceptingReferrals": True,
                    }
                }
                start = time.perf_counter()
                body = (
                    await client.post("/graphql", json={"query": QUERY, "variables": variables}, headers=headers)
                ).json()
                elapsed = (time.perf_counter() - start) * 1000
                assert "errors" not in body, body
                start = time.perf_counter()
                bare = (await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)).json()
                before_fields = (time.perf_counter() - start) * 1000
                assert "errors" not in bare, bare
                dlat, dlon = 10 / 111.195, 10 / (111.195 * math.cos(math.radians(lat)))
                params = {
                    "root": counseling,
                    "lat": lat,
                    "lon": lon,
                    "lat0": lat - dlat,
                    "lat1": lat + dlat,
                    "lon0": lon - dlon,
                    "lon1": lon + dlon,
                    "radius": 10,
                }
                start = time.perf_counter()
                async with db.engine.connect() as conn:
                    rows = (await conn.execute(text(HAND_WRITTEN), params)).all()
                hand = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                async with db.read() as session:
                    await search_facilities(
                        session,
                        agency_caseworker,
                        specialty_ids=[counseling],
                        latitude=lat,
                        longitude=lon,
                        radius_km=10,
                        accepting_referrals=True,
                        first=20,
                    )
                service = (time.perf_counter() - start) * 1000
                api_ids = [n["facility"]["id"] for n in body["data"]["providerSearch"]["nodes"]]
                assert api_ids == [str(r[0]) for r in rows], "the API and the SQL disagree"
                if not warm:
                    api.append(elapsed)
                    floor.append(before_fields)
                    sql.append(hand)
                    domain.append(service)
                    found.append(len(rows))
    print(
        f"Provider search, {FACILITIES:,} facilities, {PARTICIPANTS:,} participants, {db.engine.dialect.name}, "
        f"{rounds} searches (Counseling tree, 10 km, accepting; the nearest {statistics.median(found):.0f} "
        "of each)"
    )
    api_median, api_p95 = summary("GraphQL API (in-process)", api)
    summary("any request, no field", floor)
    service_median, service_p95 = summary("search service, no HTTP", domain)
    sql_median, sql_p95 = summary("hand-written SQL", sql)
    for name, median, p95 in (("API/SQL", api_median, api_p95), ("service/SQL", service_median, service_p95)):
        print(f"  ratio {name:<20} median {median / sql_median:5.2f}x   p95 {p95 / sql_p95:5.2f}x")


async def main(rounds: int) -> None:
    async with bench_database("caseway_bench") as db:
        await run(db, rounds)


async def run(db: Database, rounds: int) -> None:
    start = time.perf_counter()
    await load(db)
    print(f"Loaded the synthetic network in {time.perf_counter() - start:.1f} s")
    await measure(db, rounds)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
