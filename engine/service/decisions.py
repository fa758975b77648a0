"""The append-only decision log: one row per decision, written in one transaction.

The stored `result` is the response body the caller received and `input` the request body as
received, both UTF-8 JSON, each kept compressed (`pack`, no timestamp, so the same JSON always
gives the same bytes): zstd level 1 by default (a typical park's 317 KB result in ~0.5 ms, to
62 KB), gzip level 1 where the caller accepts gzip but not zstd (~1.6 ms, to 71 KB). The worker
compresses the result once, and a caller that accepts the stored coding receives exactly those
bytes (`Content-Encoding: zstd` or `gzip`), so for it compression replaces the transfer
compression the service would do anyway; a caller that accepts neither gets the JSON itself.
Decompressed, a stored body is byte for byte what the caller received, and
`GET /v1/assessments/{id}` returns it so.

Rows logged before compression hold the JSON itself, rows logged before zstd hold gzip. The three are
told apart by content (`codec_of`): gzip starts with the bytes 1f 8b, a zstd frame with
28 b5 2f fd, and no JSON text starts with either (RFC 8259: whitespace, a value, or a byte-order
mark). A flag column would need `ALTER TABLE` on every existing log, a privilege the service user
does not need otherwise (README "PostgreSQL"), and could disagree with the bytes. Every reader
gets the JSON through `unpack` (`Decision.result`, `Decision.input`); the stored bytes themselves
are `Decision.stored_result` / `stored_input`.

A write that fails for any reason but a conflicting row discards the engine's connections before
the error is raised (`append`): a connection that SQLite opened read-only (the file was not
writable when the worker connected) stays read-only for its whole life, and a broken PostgreSQL
connection stays broken, so reusing either would keep failing after the database has recovered.
The write is tried once more on a fresh connection at once, and every later write connects anew.
`probe_write` is the readiness check: the insert a decision needs, rolled back.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Callable

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..summary import requirement_counts
from .compression import DecompressError, coding_of, compress, decompress
from .db import decision_summaries, decisions

__all__ = ["Decision", "DecisionLog", "list_summary", "pack", "unpack", "is_packed", "codec_of"]

_INSERT = insert(decisions)       # built once: parameters bound per call (no per-call statement building)
_INSERT_SUMMARY = insert(decision_summaries)


def pack(data: bytes, codec: str = "zstd") -> bytes:
    """`data` (UTF-8 JSON) as it is stored: compressed with `codec` ("zstd" or "gzip", level 1, no
    timestamp); the same JSON always packs to the same bytes.

    Example:
        >>> unpack(pack(b'{"a":1}')), pack(b"{}")[:4].hex(), pack(b"{}", "gzip")[:2].hex()
        (b'{"a":1}', '28b52ffd', '1f8b')
    """
    return compress(data, codec)


def codec_of(stored: bytes) -> str | None:
    """The codec of stored bytes ("zstd" or "gzip"), or None for JSON (a row logged before
    compression)."""
    return coding_of(stored)


def is_packed(stored: bytes) -> bool:
    """Whether stored bytes are compressed (`pack`) rather than JSON (a row logged before compression)."""
    return coding_of(stored) is not None


def unpack(stored: bytes) -> bytes:
    """The JSON of a stored body, compressed (`pack`, either codec) or not (rows logged before
    compression): the one way the log's bytes are read.

    Raises:
        DecompressError: bytes that do not decompress (a damaged row).
    """
    return decompress(stored)


def list_summary(result: dict) -> dict:
    """What a decision list shows of a result: profile, data year, scope, compliance rate, the
    counts (met, not_met, undecided, problems not folded into another finding, measures) and the
    clause 7.2 conclusion. A count the result does not carry is null, never 0."""
    s = result.get("summary") or {}
    by_status, by_kind = s.get("by_status") or {}, s.get("by_kind") or {}
    checks = requirement_counts(s)     # without the data-completeness checks, as `decided` counts
    findings = result.get("findings")
    rules = result.get("rules") or {}          # format 2: a finding's kind is its rule's
    problems = (sum(1 for f in findings if (f.get("kind") or (rules.get(f.get("rule")) or {}).get("kind")) == "problem"
                    and not f.get("folded_into"))
                if isinstance(findings, list) else None)
    return {"profile": (result.get("ruleset") or {}).get("profile"), "year": result.get("year"),
            "in_scope": (result.get("scope") or {}).get("in_scope"),
            "compliance_rate": s.get("compliance_rate"), "decided": s.get("decided"),
            "met": checks["met"] if by_status else None,
            "not_met": checks["not_met"] if by_status else None,
            "undecided": s.get("undecided"), "problems": problems,
            "measures": by_kind.get("measure", 0) if by_kind else None,
            "data_quality": len(result["data_quality"]) if isinstance(result.get("data_quality"), list) else None,
            "conclusion": s.get("conclusion")}


@dataclass(frozen=True)
class Decision:
    """One record of the log. `stored_input` and `stored_result` are the bytes as stored (zstd or
    gzip, or JSON for rows logged before compression); `input` and `result` are their JSON."""

    decision_id: str
    created_at: datetime
    key_id: str | None
    park_id: str
    stored_input: bytes
    input_digest: str
    ruleset_version: str
    ruleset_versions: dict[str, str]
    ruleset_digest: str
    stored_result: bytes
    result_summary: dict | None = None      # `list_summary(result)`: written with the record, shown in lists

    @cached_property
    def input(self) -> bytes:
        """The request body (UTF-8 JSON) exactly as received."""
        return unpack(self.stored_input)

    @cached_property
    def result(self) -> bytes:
        """The response body (UTF-8 JSON) exactly as the caller received it."""
        return unpack(self.stored_result)

    def summary(self) -> dict:
        """The listing form (no input, no result; the result's `list_summary`)."""
        return {"decision_id": self.decision_id, "created_at": self.created_at.isoformat(),
                "key_id": self.key_id, "park_id": self.park_id, "input_digest": self.input_digest,
                "ruleset": {"version": self.ruleset_version, "versions": self.ruleset_versions,
                            "digest": self.ruleset_digest},
                "summary": self.result_summary}


def _summary_of(stored: bytes | None) -> dict | None:
    try:
        return list_summary(json.loads(unpack(stored))) if stored else None
    except (ValueError, TypeError, AttributeError, *DecompressError):
        return None


def _row(r) -> Decision:  # noqa: ANN001
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
    return Decision(r.decision_id, created, r.key_id, r.park_id, r.input, r.input_digest,
                    r.ruleset_version, json.loads(r.ruleset_versions), r.ruleset_digest, r.result)


class DecisionLog:
    """Append and read decisions; there is no update and no delete."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def append(self, d: Decision, *, before_commit: Callable[[], None] | None = None) -> None:
        """Write one record, atomically (the whole row or nothing), its bytes as given (the worker
        packs them, `log_decision`). `before_commit` runs inside the
        transaction after the row is written (a test hook: a process that dies there must leave
        no record).

        A failed write discards every pooled connection and is tried once more on a new one (see
        the module docstring). A conflicting row (IntegrityError) is not retried; on the second try
        it means the first one committed although its answer was lost, which counts as written.

        Raises:
            SQLAlchemyError: the second try failed too (or the row conflicts).
        """
        row = {"decision_id": d.decision_id, "created_at": d.created_at, "key_id": d.key_id, "park_id": d.park_id,
               "input": d.stored_input, "input_digest": d.input_digest, "ruleset_version": d.ruleset_version,
               "ruleset_versions": json.dumps(d.ruleset_versions), "ruleset_digest": d.ruleset_digest,
               "result": d.stored_result}
        summary = None if d.result_summary is None else json.dumps(d.result_summary, ensure_ascii=False)
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    conn.execute(_INSERT, row)
                    if summary is not None:        # else a list reads it from the result
                        conn.execute(_INSERT_SUMMARY, {"decision_id": d.decision_id, "summary": summary})
                    if before_commit is not None:
                        before_commit()
                return
            except IntegrityError:
                if attempt == 2 and self.get(d.decision_id) is not None:
                    return                  # the first try committed after all (its COMMIT's answer was lost)
                raise
            except SQLAlchemyError:
                self.engine.dispose()       # never reuse a read-only or broken connection
                if attempt == 2:
                    raise

    def probe_write(self) -> None:
        """Raise unless a decision could be written now: insert a probe row and roll it back.

        The probe row names its `seq` itself, so on PostgreSQL no sequence value is used up (the
        log keeps no gaps), and it never becomes visible. The readiness check calls this on an
        engine that opens a new connection each time (`db.connect(url, pooled=False)`).

        SQLite: a process that has the file open already gets that descriptor back for a new
        connection (SQLite keeps it to preserve the process's locks), so in the server process a
        file made read-only would still look writable; the file and its write-ahead log files
        are therefore also opened for writing directly, which is what a worker connecting now
        needs.

        Raises:
            SQLAlchemyError: the database refused the write (read-only, full, locked, gone).
            OSError: SQLite: the database file or its -wal/-shm file cannot be opened for writing.
        """
        with self.engine.connect() as conn:
            tx = conn.begin()
            try:
                conn.execute(_INSERT, {
                    "seq": -1, "decision_id": "readiness-probe", "created_at": datetime.now(timezone.utc),
                    "key_id": None, "park_id": "readiness-probe", "input": b"", "input_digest": "",
                    "ruleset_version": "", "ruleset_versions": "{}", "ruleset_digest": "", "result": b""})
            finally:
                tx.rollback()
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if path and path != ":memory:" and not path.startswith("file:"):
            for name in (path, path + "-wal", path + "-shm"):
                try:
                    os.close(os.open(name, os.O_RDWR))
                except FileNotFoundError:
                    if name == path:
                        raise
                except OSError as exc:
                    raise OSError(exc.errno, f"the decision log cannot be written: {exc.strerror}", name) from None

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
        joined = decisions.outerjoin(decision_summaries, decision_summaries.c.decision_id == decisions.c.decision_id)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(decisions).where(*where)).scalar_one()
            rows = conn.execute(select(*cols, decision_summaries.c.summary).select_from(joined).where(*where)
                                .order_by(decisions.c.seq.desc()).limit(limit).offset(offset)).all()
            older = [r.decision_id for r in rows if r.summary is None]     # logged before the summaries table
            results = dict(conn.execute(select(decisions.c.decision_id, decisions.c.result)
                                        .where(decisions.c.decision_id.in_(older))).all()) if older else {}
        out = []
        for r in rows:
            created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
            summary = json.loads(r.summary) if r.summary is not None else _summary_of(results.get(r.decision_id))
            out.append(Decision(r.decision_id, created, r.key_id, r.park_id, b"", r.input_digest,
                                r.ruleset_version, json.loads(r.ruleset_versions), r.ruleset_digest, b"", summary))
        return out, total

    def by_park(self, park_id: str, *, key_id: str | None = None, all_callers: bool = True,
                limit: int = 50, before: str | None = None) -> list[Decision]:
        """The latest `limit` decisions of one park, input and result included, oldest first (the
        order they were logged); filtered by caller key unless `all_callers` (a park's history,
        engine/cycles/history.py); with `before`, only those logged before that decision (the
        history a dossier of it follows up, `greenpark report --history`)."""
        where = [decisions.c.park_id == park_id]
        if before is not None:
            where.append(decisions.c.seq < select(decisions.c.seq).where(decisions.c.decision_id == before)
                         .scalar_subquery())
        if not all_callers:
            where.append(decisions.c.key_id.is_(None) if key_id is None else decisions.c.key_id == key_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(decisions).where(*where).order_by(decisions.c.seq.desc()).limit(limit)).all()
        return [_row(r) for r in reversed(rows)]
