"""Wrong card codes from one address, counted by each gateway worker: past the
limit, the worker refuses that address's next card codes itself for a minute, so
a flood of forged codes never reaches the surveys service and cannot slow the
households voting. Only wrong codes count, and the limit is generous: many phones
share one address behind a mobile carrier's NAT, and a ward voting at 200
households a second with one code in a hundred mistyped sends about 2 wrong codes
a second from such an address, where a flood sends hundreds."""

import time
from collections import deque

WRONG_CODES_PER_MINUTE = 300  # a worker's; 5 a second
WINDOW_SECONDS = 60.0
ADDRESSES_KEPT = 10_000  # past this, addresses with no recent miss are forgotten


class WrongCodes:
    def __init__(self, limit: int = WRONG_CODES_PER_MINUTE, window: float = WINDOW_SECONDS):
        self.limit, self.window = limit, window
        self.misses: dict[str, deque[float]] = {}

    def blocked(self, address: str) -> bool:
        return len(self._recent(address, time.monotonic())) >= self.limit

    def record(self, address: str) -> None:
        now = time.monotonic()
        self.misses.setdefault(address, deque()).append(now)
        if len(self.misses) > ADDRESSES_KEPT:
            for known in list(self.misses):
                self._recent(known, now)

    def _recent(self, address: str, now: float) -> deque[float]:
        """The address's misses within the window (forgotten if it has none)."""
        misses = self.misses.get(address, deque())
        while misses and misses[0] <= now - self.window:
            misses.popleft()
        if not misses:
            self.misses.pop(address, None)
        return misses
