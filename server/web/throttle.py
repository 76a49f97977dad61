"""Sign-in throttling: failed sign-ins counted per account and per client address, and a bound on the Argon2
verifications running at once.

Failures are counted over a sliding window (`SIGN_IN_WINDOW_SECONDS`) under three keys, each with its limit:

- the account from one address (`SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS`, strict): guessing one password;
- the address, whatever the account (`SIGN_IN_FAILURES_PER_ADDRESS`): trying a few passwords on many accounts;
- the account, whatever the address (`SIGN_IN_FAILURES_PER_ACCOUNT`, lenient: NIST SP 800-63B's 100): guessing
  one password from many addresses.

A sign-in is refused (429, Retry-After, no password check) while any of its keys has reached its limit. Locking
an account from one address therefore leaves its owner free to sign in from another; only the lenient
account-wide limit, which takes a guesser many addresses to reach, locks the account everywhere. Unknown accounts
are counted alike (keyed by the email given), so a refusal tells nothing about who has an account. A successful
sign-in clears its account's failures (from that address and account-wide), not its address's: otherwise an
attacker could clear the address's count by signing in to an account of their own between guesses.

An attempt counts as a failure from the moment it is let through, so that concurrent attempts cannot overrun a
limit; success or a sign-in that never reached the password check takes it back.

The counts live in this process's memory: each worker process of a deployment keeps its own (so the limits apply
per process), and a restart forgets them. Memory stays bounded: a key holds at most its limit of timestamps,
stale keys are swept once per window, and at most `MAX_KEYS` keys per scope are kept (the least recently used
go first).
"""

import asyncio
import ipaddress
import logging
import math
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum

from starlette.applications import Starlette
from starlette.requests import Request

from server.config import Settings
from server.core.columns import utcnow
from server.core.passwords import verify_password
from server.domain.users import normalise_email

log = logging.getLogger(__name__)

MAX_KEYS = 100_000


class Scope(Enum):
    ACCOUNT_AND_ADDRESS = "account and address"
    ADDRESS = "address"
    ACCOUNT = "account"


class Throttled(Exception):
    """Too many failed sign-ins under one of the attempt's keys: answer 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Busy(Exception):
    """No password verification slot came free in time: answer 503."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _now() -> float:
    return utcnow().timestamp()


class _Window:
    """Failure timestamps per key over a sliding window, for one scope."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.failures: OrderedDict[object, deque[float]] = OrderedDict()

    def _current(self, key: object, now: float) -> deque[float] | None:
        failures = self.failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self.failures[key]
            return None
        return failures

    def retry_after(self, key: object, now: float) -> float | None:
        """Seconds until `key` may try again, if it has reached the limit."""
        failures = self._current(key, now)
        if failures is None or len(failures) < self.limit:
            return None
        return failures[-self.limit] + self.window - now

    def add(self, key: object, now: float) -> None:
        failures = self._current(key, now)
        if failures is None:
            failures = self.failures[key] = deque()
            if len(self.failures) > MAX_KEYS:
                self.failures.popitem(last=False)
        else:
            self.failures.move_to_end(key)
        failures.append(now)

    def take_back(self, key: object, moment: float) -> None:
        failures = self.failures.get(key)
        if failures is not None and moment in failures:
            failures.remove(moment)
            if not failures:
                del self.failures[key]

    def clear(self, key: object) -> None:
        self.failures.pop(key, None)

    def sweep(self, now: float) -> None:
        for key in list(self.failures):
            self._current(key, now)


@dataclass
class Attempt:
    """One sign-in let through: its keys, and the moment its provisional failure was counted."""

    account: str
    address: str
    at: float
    settled: bool = False
    # The scopes this attempt's failure brought to their limit (filled in by `failed`).
    locked: list[Scope] = field(default_factory=list)

    def scoped_keys(self) -> Iterator[tuple[Scope, object]]:
        yield Scope.ACCOUNT_AND_ADDRESS, (self.account, self.address)
        yield Scope.ADDRESS, self.address
        yield Scope.ACCOUNT, self.account


class SignInGuard:
    """The app's sign-in throttle and its bound on concurrent password verifications (one per app)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = _now) -> None:
        window = float(settings.sign_in_window_seconds)
        self.windows = {
            Scope.ACCOUNT_AND_ADDRESS: _Window(settings.sign_in_failures_per_account_and_address, window),
            Scope.ADDRESS: _Window(settings.sign_in_failures_per_address, window),
            Scope.ACCOUNT: _Window(settings.sign_in_failures_per_account, window),
        }
        self.window = window
        self.clock = clock
        self.slots = asyncio.Semaphore(max(1, settings.password_checks_at_once))
        self.wait_seconds = settings.password_check_wait_seconds
        # The hook every password verification goes through (tests wrap it to watch verifications).
        self.verifier: Callable[[str | None, str, str], Awaitable[bool]] = verify_password
        self._swept = clock()

    # The throttle

    def begin(self, email: str, address: str) -> Attempt:
        """Lets an attempt through, counting it as a failure until it succeeds; raises Throttled past a limit."""
        now = self.clock()
        if now - self._swept > self.window:
            for window in self.windows.values():
                window.sweep(now)
            self._swept = now
        attempt = Attempt(normalise_email(email), address, now)
        if (wait := self._retry_after(attempt, now)) is not None:
            raise Throttled(max(1, math.ceil(wait)))
        for scope, key in attempt.scoped_keys():
            self.windows[scope].add(key, now)
        return attempt

    def failed(self, attempt: Attempt) -> list[Scope]:
        """Keeps the attempt's failure; returns the scopes it has just brought to their limit (a lockout)."""
        attempt.settled = True
        attempt.locked = [scope for scope, key in attempt.scoped_keys() if self._reached_by(scope, key, attempt.at)]
        return attempt.locked

    def _reached_by(self, scope: Scope, key: object, moment: float) -> bool:
        """Whether the failure counted at `moment` is the one that brought `key` to its limit."""
        window = self.windows[scope]
        failures = window._current(key, self.clock())
        return failures is not None and len(failures) == window.limit and failures[-1] == moment

    def _retry_after(self, attempt: Attempt, now: float) -> float | None:
        waits = [self.windows[scope].retry_after(key, now) for scope, key in attempt.scoped_keys()]
        return max((wait for wait in waits if wait is not None), default=None)

    def locked_until(self, attempt: Attempt) -> float:
        """When the attempt's keys may try again (a clock reading; now when none is locked)."""
        now = self.clock()
        return now + (self._retry_after(attempt, now) or 0.0)

    def succeeded(self, attempt: Attempt) -> None:
        """Clears the account's failures (from this address and everywhere); the address's keep counting."""
        attempt.settled = True
        self.windows[Scope.ACCOUNT_AND_ADDRESS].clear((attempt.account, attempt.address))
        self.windows[Scope.ACCOUNT].clear(attempt.account)
        self.windows[Scope.ADDRESS].take_back(attempt.address, attempt.at)

    def abandon(self, attempt: Attempt) -> None:
        """Takes back the failure of an attempt whose password was never checked."""
        if not attempt.settled:
            attempt.settled = True
            for scope, key in attempt.scoped_keys():
                self.windows[scope].take_back(key, attempt.at)

    # The bound on verifications

    @asynccontextmanager
    async def slot(self):
        """Holds one of the `password_checks_at_once` verification slots; raises Busy when none frees in time."""
        try:
            if self.slots.locked() and self.wait_seconds <= 0:
                raise TimeoutError
            async with asyncio.timeout(max(self.wait_seconds, 0.001)):
                await self.slots.acquire()
        except TimeoutError:
            raise Busy(max(1, math.ceil(self.wait_seconds))) from None
        try:
            yield
        finally:
            self.slots.release()

    async def verify(self, password_hash: str | None, password: str, profile: str) -> bool:
        """Verifies through the hook; call it inside `slot()`."""
        return await self.verifier(password_hash, password, profile)


def client_address(request: Request) -> str:
    """The address the request came from (as the server sees it: behind a proxy, as its trusted headers tell).
    An IPv6 address counts by its /64 network: one client holds a whole /64 and could otherwise rotate through it."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return str(ipaddress.ip_network(f"{host}/64", strict=False)) if address.version == 6 else host


def guard_of(app: Starlette) -> SignInGuard:
    """The app's guard, made on first use from its settings."""
    state = app.state
    guard = getattr(state, "sign_in_guard", None)
    if guard is None:
        guard = state.sign_in_guard = SignInGuard(state.settings)
    return guard
