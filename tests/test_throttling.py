"""Sign-in throttling (server/web/throttle.py) on both sign-in routes: failed sign-ins counted per account and
address, per address and per account; a bound on concurrent password verifications; rehash on new parameters."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from server.app import create_app
from server.core.passwords import hasher
from server.domain.audit import AuditEvent
from server.domain.users import User
from server.web.throttle import guard_of
from tests.conftest import PASSWORD, PEOPLE

pytestmark = pytest.mark.anyio

HOME, ELSEWHERE, THIRD = "203.0.113.7", "198.51.100.9", "192.0.2.33"
ASHLEY, MARCUS = PEOPLE["provider_a"], PEOPLE["provider_a_admin"]  # provider users: both routes sign them in
START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
WINDOW = 600

# Both sign-in routes; each answers a refusal with its own body.
ROUTES = ["/auth/token", "/auth/session"]


@pytest.fixture(params=ROUTES)
def route(request) -> str:
    return request.param


class Site:
    """One app, reached from several client addresses."""

    def __init__(self, app, route: str) -> None:
        self.app = app
        self.route = route
        self.guard = guard_of(app)
        self.verifications = 0
        original = self.guard.verifier

        async def counting(*args):
            self.verifications += 1
            return await original(*args)

        self.guard.verifier = counting

    @asynccontextmanager
    async def client(self, address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.app, client=(address, 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client

    async def sign_in(self, address: str, email: str, password: str = PASSWORD) -> httpx.Response:
        async with self.client(address) as client:
            return await client.post(self.route, json={"username": email, "password": password})


@pytest.fixture
def site(db, settings, route, clock):
    """The app with small limits: 3 failures per account and address, 6 per address, 10 per account."""

    def make(**overrides) -> Site:
        limits = {
            "sign_in_window_seconds": WINDOW,
            "sign_in_failures_per_account_and_address": 3,
            "sign_in_failures_per_address": 6,
            "sign_in_failures_per_account": 10,
        }
        return Site(create_app(replace(settings, **(limits | overrides)), db), route)

    clock.set(START)
    return make


def assert_throttled(response: httpx.Response, at_most: int = WINDOW) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "too_many_attempts"
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= at_most
    return retry_after


async def test_wrong_passwords_past_the_limit_lock_the_account_from_that_address_only(site, clock):
    site = site()
    # when: three wrong passwords from home
    for _ in range(3):
        assert (await site.sign_in(HOME, ASHLEY, "not-the-password")).status_code == 401
    checked = site.verifications
    # then: from home, a fourth attempt and even the right password are refused, without a password check
    assert_throttled(await site.sign_in(HOME, ASHLEY, "not-the-password"))
    assert_throttled(await site.sign_in(HOME, ASHLEY))
    assert site.verifications == checked
    # the real user still signs in from elsewhere, and another account from home (its own count is clean)
    assert (await site.sign_in(ELSEWHERE, ASHLEY)).status_code == 200
    assert (await site.sign_in(HOME, MARCUS)).status_code == 200
    # which lifted nothing at home: the window decides
    clock.set(START + timedelta(seconds=WINDOW / 2))
    assert_throttled(await site.sign_in(HOME, ASHLEY), at_most=WINDOW // 2 + 1)
    clock.set(START + timedelta(seconds=WINDOW + 1))
    assert (await site.sign_in(HOME, ASHLEY)).status_code == 200


async def test_a_successful_sign_in_clears_the_accounts_failures(site):
    site = site()
    for _ in range(2):
        assert (await site.sign_in(HOME, ASHLEY, "not-the-password")).status_code == 401
    assert (await site.sign_in(HOME, ASHLEY)).status_code == 200
    # then: three more failures are allowed before the lock
    for _ in range(3):
        assert (await site.sign_in(HOME, ASHLEY, "not-the-password")).status_code == 401
    assert_throttled(await site.sign_in(HOME, ASHLEY))


async def test_an_address_failing_on_many_accounts_is_throttled_for_every_account(site):
    site = site()
    # when: six failures from one address, on accounts known and unknown, two each
    for email in (ASHLEY, "nobody@example.com", "someone@example.com"):
        for _ in range(2):
            assert (await site.sign_in(HOME, email, "not-the-password")).status_code == 401
    # then: every account is refused from that address, unknown ones alike, and signs in from elsewhere
    assert_throttled(await site.sign_in(HOME, MARCUS))
    assert_throttled(await site.sign_in(HOME, "another@example.com", "not-the-password"))
    assert (await site.sign_in(ELSEWHERE, MARCUS)).status_code == 200
    assert (await site.sign_in(ELSEWHERE, ASHLEY)).status_code == 200
    # a success from the address does not lift its own lock: nothing can be signed in to clear the count
    assert_throttled(await site.sign_in(HOME, MARCUS))


async def test_the_lenient_account_wide_limit_locks_the_account_from_every_address(site):
    site = site(sign_in_failures_per_account=4)
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        assert (await site.sign_in(address, ASHLEY, "not-the-password")).status_code == 401
    assert_throttled(await site.sign_in(THIRD, ASHLEY))
    assert (await site.sign_in(THIRD, MARCUS)).status_code == 200


async def test_unknown_accounts_are_throttled_like_known_ones(site):
    """A refusal tells nothing about who has an account."""
    site = site()
    answers = {}
    for email in (ASHLEY, "nobody@example.com"):
        address = HOME if email == ASHLEY else ELSEWHERE
        answers[email] = [(await site.sign_in(address, email, "not-the-password")).status_code for _ in range(4)]
    assert answers[ASHLEY] == answers["nobody@example.com"] == [401, 401, 401, 429]


async def test_a_lockout_of_an_account_is_audited_by_the_system_and_of_an_unknown_one_only_logged(
    site, db, users, caplog
):
    site = site()
    for email in (ASHLEY, "nobody@example.com"):
        for _ in range(3):
            await site.sign_in(HOME if email == ASHLEY else ELSEWHERE, email, "not-the-password")
    async with db.read() as session:
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "user.sign_in_lockout"))).all()
    ashley = users["provider_a"]
    assert [(e.record_type, e.record_id) for e in events] == [("User", ashley.id)]
    event = events[0]
    assert (event.actor_user_id, event.actor_name, event.actor_role) == (None, "system", None)
    assert (event.agency_id, event.provider_id) == (ashley.agency_id, ashley.provider_id)
    assert event.after["address"] == HOME
    assert event.after["scopes"] == ["account and address"]
    assert datetime.fromisoformat(event.after["until"]) > START + timedelta(seconds=WINDOW - 5)
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sign-in locked")]
    assert len(logged) == 2
    assert f"{ASHLEY} from {HOME}" in logged[0]
    assert f"nobody@example.com from {ELSEWHERE}" in logged[1]


@pytest.mark.parametrize("at_once", [1, 3])
async def test_at_most_the_configured_number_of_password_verifications_run_at_once(site, at_once):
    site = site(password_checks_at_once=at_once, sign_in_failures_per_address=100)
    running, most = 0, 0
    verify = site.guard.verifier
    full = asyncio.Event()

    async def watched(*args):
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running >= at_once:
            full.set()
        try:
            # The first verifications hold their slots until `at_once` run together (however slowly the others
            # arrive on a busy machine), so the bound is reached; any beyond it would show in `most`.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await full.wait()
            return await verify(*args)
        finally:
            running -= 1

    site.guard.verifier = watched
    # when: twelve sign-ins at once, right and wrong, from different addresses
    answers = await asyncio.gather(
        *(
            site.sign_in(f"192.0.2.{n}", ASHLEY if n % 2 else MARCUS, PASSWORD if n % 3 else "not-the-password")
            for n in range(12)
        )
    )
    # then: all are answered, and never more than `at_once` verifications ran together
    assert sorted({a.status_code for a in answers}) == [200, 401]
    assert most == at_once


async def test_a_sign_in_finding_no_free_verification_in_time_is_answered_503_and_not_counted(site):
    site = site(password_checks_at_once=1, password_check_wait_seconds=0, sign_in_failures_per_account_and_address=1)
    release, entered = asyncio.Event(), asyncio.Event()
    verify = site.guard.verifier

    async def held(*args):
        entered.set()
        await release.wait()
        return await verify(*args)

    site.guard.verifier = held
    first = asyncio.ensure_future(site.sign_in(HOME, ASHLEY))
    await entered.wait()
    # when: another sign-in comes while the one slot is taken
    busy = await site.sign_in(ELSEWHERE, ASHLEY, "not-the-password")
    # then
    assert busy.status_code == 503
    assert busy.json()["error"] == "busy"
    assert int(busy.headers["retry-after"]) >= 1
    release.set()
    assert (await first).status_code == 200
    # the busy attempt's password was never checked, so it is no failure (one failure would lock here)
    site.guard.verifier = verify
    assert (await site.sign_in(ELSEWHERE, ASHLEY)).status_code == 200


async def test_a_password_hashed_with_other_parameters_is_rehashed_at_sign_in(site, db, settings, users):
    ashley = users["provider_a"]
    assert hasher("default").check_needs_rehash(ashley.password_hash)  # the seed's hashes use the "test" profile
    site = site(password_hash_profile="default")
    # a wrong password changes nothing
    assert (await site.sign_in(HOME, ASHLEY, "not-the-password")).status_code == 401
    async with db.read() as session:
        assert (await session.get(User, ashley.id)).password_hash == ashley.password_hash
    # when
    assert (await site.sign_in(HOME, ASHLEY)).status_code == 200
    # then: the new hash has the profile's parameters, written with its audit event by the user
    async with db.read() as session:
        stored = (await session.get(User, ashley.id)).password_hash
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "user.password_rehash"))).all()
    assert stored != ashley.password_hash
    assert not hasher("default").check_needs_rehash(stored)
    assert [(e.record_id, e.actor_user_id) for e in events] == [(ashley.id, ashley.id)]
    assert events[0].before == {"password_hash_parameters": "argon2id v=19 m=8,t=1,p=1"}
    assert events[0].after == {"password_hash_parameters": "argon2id v=19 m=65536,t=3,p=4"}
    assert stored not in str(events[0].after)
    # and the next sign-in works with it, without hashing again
    assert (await site.sign_in(HOME, ASHLEY)).status_code == 200
    async with db.read() as session:
        assert (await session.get(User, ashley.id)).password_hash == stored
        again = (await session.exec(select(AuditEvent).where(AuditEvent.action == "user.password_rehash"))).all()
    assert len(again) == 1


async def test_a_name_or_password_no_sign_in_could_have_is_refused_unchecked_and_uncounted(site):
    site = site()
    for name, password in (("x" * 255 + "@example.com", PASSWORD), (ASHLEY, "p" * 1025)):
        for _ in range(5):
            assert (await site.sign_in(HOME, name, password)).status_code == 400
    # then: no password was checked, no failure counted (the real sign-in still works from there)
    assert site.verifications == 0
    assert (await site.sign_in(HOME, ASHLEY)).status_code == 200


async def test_one_ipv6_network_counts_as_one_address(site):
    site = site()
    # when: wrong passwords from six addresses of one /64, on six accounts
    for i in range(6):
        response = await site.sign_in(f"2001:db8:1:2::{i + 1}", f"nobody{i}@example.com", "not-the-password")
        assert response.status_code == 401
    # then: the network is throttled as one address, for any account; another /64 is not
    assert_throttled(await site.sign_in("2001:db8:1:2:ffff::9", ASHLEY))
    assert (await site.sign_in("2001:db8:1:3::1", ASHLEY)).status_code == 200
