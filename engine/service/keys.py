"""API keys: a random token shown once, stored as its sha256; a role per key; revocable.

    store = KeyStore(make_engine(url))
    key_id, token = store.create("portal", name="provincial platform")
    store.verify(token)   # -> ApiKey(key_id, name, role, ...) or None
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, insert, select, update

from .db import api_keys

__all__ = ["ROLES", "ApiKey", "KeyStore", "hash_token"]

ROLES = ("regulator", "planner", "portal")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the token itself)."""

    key_id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


class KeyStore:
    """Create, verify, list and revoke keys in the `api_keys` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, role: str, name: str = "") -> tuple[str, str]:
        """A new key; returns (key_id, token). The token is not stored and cannot be shown again."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        key_id = "k_" + secrets.token_hex(6)
        token = f"gp_{secrets.token_urlsafe(32)}"
        with self.engine.begin() as conn:
            conn.execute(insert(api_keys).values(key_id=key_id, name=name or key_id, role=role,
                                                 token_sha256=hash_token(token),
                                                 created_at=datetime.now(timezone.utc)))
        return key_id, token

    def verify(self, token: str) -> ApiKey | None:
        """The live key with this token, or None (unknown or revoked)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.token_sha256 == hash_token(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        return ApiKey(row.key_id, row.name, row.role, row.created_at, row.revoked_at)

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False if there is no such live key."""
        with self.engine.begin() as conn:
            res = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id,
                                                      api_keys.c.revoked_at.is_(None))
                               .values(revoked_at=datetime.now(timezone.utc)))
        return res.rowcount == 1

    def list(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
        return [ApiKey(r.key_id, r.name, r.role, r.created_at, r.revoked_at) for r in rows]
