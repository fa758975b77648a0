"""Who may call what. Every /v1 call needs `Authorization: Bearer <token>` or `X-API-Key: <token>`
unless the server runs with `--no-auth` (local use; the caller is then anonymous with every role).

| permission     | endpoints                                                   | roles                      |
|----------------|-------------------------------------------------------------|----------------------------|
| assess         | POST /v1/assessments                                        | planner, portal            |
| batch          | POST /v1/assessments/batch                                  | portal                     |
| read_decisions | GET /v1/assessments, GET /v1/assessments/{id}[/input, /report],  | regulator, planner, portal |
|                | POST /v1/assessments/{id}/replay (a check, not a decision)  |                            |
| catalogue      | GET /v1/rulesets[/{v}], /v1/clauses, /v1/measures, /v1/schema/park | every role          |
| replay_portfolio | POST /v1/replays (a ruleset version's impact on every park; nothing logged) | regulator  |
| simulate       | POST /v1/whatif (a simulation, not a decision; nothing logged) | regulator, planner, portal |

A regulator supervises: it reads every caller's decisions but makes none. Planners and portals
see only the decisions made with their own key (another caller's decision id answers 404, so ids
do not leak). Missing or unknown/revoked key -> 401; a key whose role lacks the permission -> 403.

A key found live is trusted for `Settings.key_cache_seconds` (default 1 s) without asking the
database again, so a revoked key is refused within that time by a running server; the look-up
costs ~1 ms a request (a thread hop and a query), which is a third of the latency budget of an
assessment. Unknown tokens are never cached: a new key works at once. 0 turns the cache off.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from .keys import ROLES, ApiKey, KeyStore, hash_token
from .problems import ProblemError

__all__ = ["Caller", "KeyCache", "PERMISSIONS", "require"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "assess": frozenset({"planner", "portal"}),
    "batch": frozenset({"portal"}),
    "read_decisions": frozenset({"regulator", "planner", "portal"}),
    "catalogue": frozenset(ROLES),
    "replay_portfolio": frozenset({"regulator"}),
    "simulate": frozenset({"regulator", "planner", "portal"}),
}

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="the same token as a header")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller (key_id None when auth is off)."""

    key_id: str | None
    role: str
    sees_all: bool

    @property
    def anonymous(self) -> bool:
        return self.key_id is None


class KeyCache:
    """Live keys seen in the last `ttl` seconds, by token hash (the token itself is not kept)."""

    def __init__(self, store: KeyStore, ttl: float):
        self.store, self.ttl = store, ttl
        self._live: dict[str, tuple[ApiKey, float]] = {}

    async def verify(self, token: str) -> ApiKey | None:
        digest = hash_token(token)
        hit = self._live.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        key = await to_thread.run_sync(self.store.verify, token)
        if key is None:
            self._live.pop(digest, None)
        elif self.ttl > 0:
            if len(self._live) > 10_000:                  # bounded: drop what has expired
                self._live = {d: e for d, e in self._live.items() if e[1] > now}
            self._live[digest] = (key, now + self.ttl)
        return key


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="greenpark"'})


def require(permission: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency that authenticates the caller and checks `permission` (the database look-up,
    when the cache misses, runs in a thread, so it never blocks the event loop)."""
    allowed = PERMISSIONS[permission]

    async def _dep(request: Request,
                   bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
                   api_key: str | None = Depends(_api_key)) -> Caller:
        state = request.app.state
        if not state.settings.auth:
            return Caller(None, "local", True)
        token = bearer.credentials if bearer is not None else api_key
        if not token:
            raise _unauthorized("an API key is required: send `Authorization: Bearer <token>`")
        key = await state.key_cache.verify(token)
        if key is None:
            raise _unauthorized("the API key is unknown or revoked")
        if key.role not in allowed:
            raise ProblemError(403, "forbidden",
                               f"role {key.role!r} may not do this (needs one of: {', '.join(sorted(allowed))})")
        return Caller(key.key_id, key.role, key.role == "regulator")

    return _dep
