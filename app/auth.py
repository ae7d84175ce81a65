"""Roles and tokens (docs/api.md).

Each role has its own token: the facilitator's, the projector's, one per table host and one
per participant. A token arrives once in a URL, becomes an HttpOnly cookie, and the URL is
cleaned. Higher roles may do what lower ones may, except that a host only speaks for their
own table and a participant only for themselves.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass

from app.rounds import now_ms as clock_now_ms

PROJECTOR, PARTICIPANT, HOST, FACILITATOR = "projector", "participant", "host", "facilitator"
RANK = {PROJECTOR: 0, PARTICIPANT: 1, HOST: 2, FACILITATOR: 3}
COOKIE_LETTER = {FACILITATOR: "f", PROJECTOR: "p", HOST: "h", PARTICIPANT: "j"}

JOIN_CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
JOIN_CODE_LENGTH = 6


CO_FACILITATOR = "cofacilitator"
"""The token of a second console: a facilitator who did not create the event, whose link
the facilitator makes, replaces and revokes."""


@dataclass(frozen=True)
class Identity:
    role: str
    event_id: str
    table_id: int | None = None
    participant_id: int | None = None
    co_facilitator: bool = False

    def at_least(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_session_id() -> str:
    """Eight URL-safe characters that never start with "-" (`worldcafe export -abc…`
    would read the event's id as an option)."""
    while (event_id := secrets.token_urlsafe(6)).startswith("-"):
        pass
    return event_id


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def clean_join_code(raw: str) -> str:
    """What people type from the projector: any case, spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def cookie_name(role: str, event_id: str) -> str:
    return f"wc_{COOKIE_LETTER[role]}_{event_id}"


class FailureLimiter:
    """Slows guessing: counts failures per key (a client address) in a sliding window.

    Only failures count, so a whole venue behind one NAT can join honestly without limit.
    """

    def __init__(self, failures: int, window_ms: int = 60_000):
        self.failures = failures
        self.window_ms = window_ms
        self._seen: dict[str, deque[int]] = {}

    def _recent(self, key: str, now_ms: int) -> deque[int]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now_ms - self.window_ms:
            times.popleft()
        return times

    def blocked(self, key: str, now_ms: int) -> int:
        """Milliseconds until `key` may try again; 0 when it may try now."""
        times = self._recent(key, now_ms)
        if len(times) < self.failures:
            return 0
        return times[0] + self.window_ms - now_ms

    def record_failure(self, key: str, now_ms: int) -> None:
        self._recent(key, now_ms).append(now_ms)


class Pacer:
    """Lets `burst` actions per (scope, key) through at once and then `per_minute`,
    evenly: an action over that waits its turn (`turn` says how long) instead of being
    refused, so a flood from one address is slowed while a venue behind one NAT gets
    through. A scope (an event) is paced apart from the others and forgotten at once."""

    def __init__(self, per_minute: int, burst: int):
        self.rate_per_ms = per_minute / 60_000
        self.burst = burst
        self._state: dict[tuple[str, str], tuple[float, int, int]] = {}
        """(scope, key) -> (allowance, at ms, when the allowance was last full)"""

    def turn(self, scope: str, key: str, now_ms: int) -> int:
        """Take one action's place; the milliseconds until its turn (0: now)."""
        allowance, at, busy_since = self._state.get((scope, key),
                                                    (float(self.burst), now_ms, now_ms))
        allowance = min(float(self.burst), allowance + (now_ms - at) * self.rate_per_ms)
        if allowance >= self.burst:
            busy_since = now_ms
        allowance -= 1
        self._state[(scope, key)] = (allowance, now_ms, busy_since)
        return 0 if allowance >= 0 else int(-allowance / self.rate_per_ms)

    def give_back(self, scope: str, key: str) -> None:
        """An action that did not take place after all."""
        allowance, at, busy_since = self._state.get((scope, key), (float(self.burst), 0, 0))
        self._state[(scope, key)] = (min(float(self.burst), allowance + 1), at, busy_since)

    def busy_since(self, scope: str, key: str) -> int | None:
        """When the key's current run of actions began (its allowance was last full)."""
        state = self._state.get((scope, key))
        return None if state is None else state[2]

    def forget(self, scope: str) -> None:
        """Every key of the scope starts again with its burst."""
        for pair in [pair for pair in self._state if pair[0] == scope]:
            del self._state[pair]


class RateLimiter:
    """Allows at most `count` actions per `window_ms` for each key, for every (count,
    window) pair at once (e.g. 5 a second and 30 a minute), for each device token."""

    def __init__(self, limits: tuple[tuple[int, int], ...]):
        self.limits = tuple(sorted(limits, key=lambda limit: limit[1]))
        self._longest = max(window for _count, window in self.limits)
        self._seen: dict[str, deque[int]] = {}

    def take(self, key: str, now_ms: int) -> int:
        """Record one action and return 0, or return the milliseconds to wait (nothing is
        recorded then: a refused action does not count)."""
        wait = self.wait(key, now_ms)
        if not wait:
            self.record(key, now_ms)
        return wait

    def wait(self, key: str, now_ms: int) -> int:
        """The milliseconds until `key` may act again (0: now); nothing is recorded."""
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now_ms - self._longest:
            times.popleft()
        wait = 0
        for count, window in self.limits:
            if len(times) < count:
                continue
            recent = [t for t in times if t > now_ms - window]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + window - now_ms)
        return wait

    def record(self, key: str, now_ms: int) -> None:
        self._seen.setdefault(key, deque()).append(now_ms)


class SharedBudget:
    """At most `count` actions per `window_ms` for each key (an event and a client
    address), all its tokens together, and beyond that `per_token` actions a window for
    each token. Over the budget a token that has acted `per_token` times in the window
    is refused; one that has acted less is not. So a script flooding an event from many
    tokens on a venue's address is refused, while an honest phone behind the same
    address (the hall's NAT), with a card or two in the window, gets its cards through.

    The key's total in any window stays under `count` + `per_token` × the tokens that
    acted in it: the actions let through under the budget are fewer than `count`, and
    over it each token is let through only while it holds fewer than `per_token`. (A
    share of the budget among the tokens would not bound it: tokens arriving one after
    another would each find a share of their own.)"""

    def __init__(self, count: int, per_token: int, window_ms: int = 60_000):
        self.count, self.per_token, self.window_ms = count, per_token, window_ms
        self._seen: dict[str, tuple[deque[tuple[int, str]], dict[str, deque[int]]]] = {}
        """key -> (its actions in the window: (ms, token), oldest first; token -> the
        times of its own)"""

    def _recent(self, key: str, now_ms: int):
        actions, by_token = self._seen.setdefault(key, (deque(), {}))
        while actions and actions[0][0] <= now_ms - self.window_ms:
            _at, token = actions.popleft()
            own = by_token[token]
            own.popleft()
            if not own:
                del by_token[token]
        return actions, by_token

    def wait(self, key: str, token: str, now_ms: int) -> int:
        """The milliseconds until `token` may act under `key` (0: now); nothing is
        recorded."""
        actions, by_token = self._recent(key, now_ms)
        own = by_token.get(token, ())
        if len(actions) < self.count or len(own) < self.per_token:
            return 0
        back_under_budget = actions[len(actions) - self.count][0] + self.window_ms
        own_turn = own[len(own) - self.per_token] + self.window_ms
        return min(back_under_budget, own_turn) - now_ms

    def record(self, key: str, token: str, now_ms: int) -> None:
        actions, by_token = self._recent(key, now_ms)
        actions.append((now_ms, token))
        by_token.setdefault(token, deque()).append(now_ms)

    def busy_since(self, key: str) -> int | None:
        """The oldest action still counted for `key`."""
        seen = self._seen.get(key)
        return seen[0][0][0] if seen and seen[0] else None


class TokenCache:
    """Tokens recently found valid, with their holder and the event's language, so that
    a room of screens reconnecting at once (and every card posted) does not look each
    token up again. Only hits are kept, for `ttl_ms`. An edit of the event, a removed
    participant or a replaced link forgets the event's tokens (on every worker: the hub
    calls `forget` when the change arrives), and a token checked before that is not
    remembered again."""

    def __init__(self, ttl_ms: int = 60_000, size: int = 20_000):
        self.ttl_ms, self.size = ttl_ms, size
        self._known: dict[tuple[str, str], tuple[Identity, str, int]] = {}
        self._expiry: dict[tuple[str, str], int] = {}
        """(session id, token) -> when it expires, for tokens of finished events"""
        self._forgotten: dict[str, int] = {}
        """session id -> when its tokens were last forgotten"""

    def get(self, event_id: str, token: str | None,
            now_ms: int) -> tuple[Identity, str] | None:
        hit = self._known.get((event_id, token or ""))
        if hit is None or hit[2] < now_ms:
            return None
        return hit[0], hit[1]

    def put(self, token: str, identity: Identity, language: str, now_ms: int,
            checked_ms: int | None = None, expires_ms: int | None = None) -> None:
        """Remember a token found valid at `checked_ms` (default: now), until it expires
        at `expires_ms` (None: it does not) or `ttl_ms` from now, whichever is first."""
        checked = now_ms if checked_ms is None else checked_ms
        if checked <= self._forgotten.get(identity.event_id, -1):
            return  # found valid before the event's tokens changed: look it up again
        if len(self._known) >= self.size:
            self._known.clear()
            self._expiry.clear()
        key = (identity.event_id, token)
        until = now_ms + self.ttl_ms
        if expires_ms is not None:
            until = min(until, expires_ms)
            self._expiry[key] = expires_ms
        self._known[key] = (identity, language, until)

    def expiry(self, event_id: str, token: str | None) -> int | None:
        """When a token remembered here expires (None: not before the event finishes)."""
        return self._expiry.get((event_id, token or ""))

    def forget(self, event_id: str, now_ms: int | None = None) -> None:
        self._forgotten[event_id] = clock_now_ms() if now_ms is None else now_ms
        for key in list(self._known):  # a copy: other threads may add meanwhile
            if key[0] == event_id:
                self._known.pop(key, None)
                self._expiry.pop(key, None)
