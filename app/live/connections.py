"""The sockets connected to this process: who each one is, which rooms it joined, and its
flood allowance. Process-local on purpose: a socket lives on one process (sticky sessions);
whatever another process must know is in the database or goes through the message queue."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from app.services.live import Member


class TokenBucket:
    """`rate` events per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.at = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# Chat: 5 lines in a burst, then one every 2 s; any event: 20 a second, bursts of 40.
CHAT_RATE, CHAT_BURST = 0.5, 5
EVENT_RATE, EVENT_BURST = 20.0, 40


@dataclass
class Connection:
    user_id: int
    school_id: int | None
    name: str
    role: str
    rooms: dict[int, Member] = field(default_factory=dict)
    chat: TokenBucket = field(default_factory=lambda: TokenBucket(CHAT_RATE, CHAT_BURST))
    events: TokenBucket = field(default_factory=lambda: TokenBucket(EVENT_RATE, EVENT_BURST))


class Registry:
    """sid -> Connection for one namespace, safe across handler threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_sid: dict[str, Connection] = {}

    def add(self, sid: str, connection: Connection) -> None:
        with self._lock:
            self._by_sid[sid] = connection

    def get(self, sid: str) -> Connection | None:
        with self._lock:
            return self._by_sid.get(sid)

    def pop(self, sid: str) -> Connection | None:
        with self._lock:
            return self._by_sid.pop(sid, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_sid)
