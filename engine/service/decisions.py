"""The append-only decision log: one row per decision, written in one transaction.

The stored `result` is the exact response body the caller received, so
`GET /v1/assessments/{id}` returns it byte for byte; `input` is the request body as received. Both
are kept as bytes (UTF-8 JSON): nothing is decoded or re-encoded on the way in or out.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Engine, func, insert, select

from engine.service.db import decisions

__all__ = ["Decision", "DecisionLog"]

_INSERT = insert(decisions)       # built once: parameters bound per call (no per-call statement building)


@dataclass(frozen=True)
class Decision:
    """One record of the log."""

    decision_id: str
    created_at: datetime
    key_id: str | None
    park_id: str
    input: bytes
    input_digest: str
    ruleset_version: str
    ruleset_versions: dict[str, str]
    ruleset_digest: str
    result: bytes

    def summary(self) -> dict:
        """The listing form (no input, no result)."""
        return {"decision_id": self.decision_id, "created_at": self.created_at.isoformat(),
                "key_id": self.key_id, "park_id": self.park_id, "input_digest": self.input_digest,
                "ruleset": {"version": self.ruleset_version, "versions": self.ruleset_versions,
                            "digest": self.ruleset_digest}}


def _row(r) -> Decision:  # noqa: ANN001
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
    return Decision(r.decision_id, created, r.key_id, r.park_id, r.input, r.input_digest,
                    r.ruleset_version, json.loads(r.ruleset_versions), r.ruleset_digest, r.result)


class DecisionLog:
    """Append and read decisions; there is no update and no delete."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def append(self, d: Decision, *, before_commit: Callable[[], None] | None = None) -> None:
        """Write one record, atomically (the whole row or nothing). `before_commit` runs inside the
        transaction after the row is written (a test hook: a process that dies there must leave
        no record)."""
        with self.engine.begin() as conn:
            conn.execute(_INSERT, {
                "decision_id": d.decision_id, "created_at": d.created_at, "key_id": d.key_id, "park_id": d.park_id,
                "input": d.input, "input_digest": d.input_digest, "ruleset_version": d.ruleset_version,
                "ruleset_versions": json.dumps(d.ruleset_versions), "ruleset_digest": d.ruleset_digest,
                "result": d.result})
            if before_commit is not None:
                before_commit()

    def checkpoint(self) -> tuple[int, int] | None:
        """SQLite: copy the write-ahead log into the database file now (PASSIVE: writers are not
        blocked); returns (frames in the log, frames copied). Other databases: None.

        SQLite does this by itself inside the commit that crosses 1000 WAL pages (16 MB here, every
        ~50 decisions), which made that one request ~80 ms slower: the worker calls this after it
        has replied instead, so no request waits for it (engine/service/worker.py)."""
        if self.engine.dialect.name != "sqlite":
            return None
        with self.engine.connect() as conn:
            _, log, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return log, copied

    def get(self, decision_id: str) -> Decision | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).first()
        return None if r is None else _row(r)

    def find(self, *, park_id: str | None, key_id: str | None, all_callers: bool, limit: int,
             offset: int) -> tuple[list[Decision], int]:
        """Decisions newest first, filtered by park and (unless `all_callers`) by caller key;
        returns (page, total)."""
        where = []
        if park_id is not None:
            where.append(decisions.c.park_id == park_id)
        if not all_callers:
            where.append(decisions.c.key_id.is_(None) if key_id is None else decisions.c.key_id == key_id)
        cols = [c for c in decisions.c if c.name not in ("input", "result")]
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(decisions).where(*where)).scalar_one()
            rows = conn.execute(select(*cols).where(*where).order_by(decisions.c.seq.desc())
                                .limit(limit).offset(offset)).all()
        out = []
        for r in rows:
            created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
            out.append(Decision(r.decision_id, created, r.key_id, r.park_id, b"", r.input_digest,
                                r.ruleset_version, json.loads(r.ruleset_versions), r.ruleset_digest, b""))
        return out, total
