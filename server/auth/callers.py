"""Callers identified lately, remembered for a few seconds so that a client's next requests skip the lookup.

Bounded in time and size. Any change committed through this process's database forgets them all at once (a
sign-out, a deactivation, a role or time-zone change made here takes effect on the next request); a change made
elsewhere (another server process, the command line) reaches this process when its entries lapse, within
`seconds`.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# The most a change made elsewhere may take to reach this process (issue 12: sign-out and deactivation within 5 s).
MAX_SECONDS = 5.0


class RecentCallers(Generic[T]):
    def __init__(self, seconds: float = MAX_SECONDS, size: int = 10_000, clock: Callable[[], float] = time.monotonic):
        if not 0 <= seconds <= MAX_SECONDS:
            raise ValueError(f"Callers may be remembered for 0 to {MAX_SECONDS:g} seconds.")
        self.seconds = seconds
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[tuple[int, str], tuple[float, T]] = OrderedDict()
        # Bumped by each forget_all: a caller looked up before a change but stored after it is not remembered.
        self.generation = 0

    def get(self, user_id: int, token_id: str) -> T | None:
        key = (user_id, token_id)
        entry = self._entries.get(key)
        if entry is None:
            return None
        until, caller = entry
        if self._clock() >= until:
            del self._entries[key]
            return None
        return caller

    def put(self, user_id: int, token_id: str, caller: T, *, generation: int | None = None) -> None:
        """Remembers `caller`, unless `generation` (read before looking it up) is no longer the current one."""
        if self.seconds <= 0 or not token_id or (generation is not None and generation != self.generation):
            return
        key = (user_id, token_id)
        self._entries[key] = (self._clock() + self.seconds, caller)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget_all(self) -> None:
        self._entries.clear()
        self.generation += 1
