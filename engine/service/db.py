"""Tables of the decision log and the key store, and the SQLAlchemy engine for a URL.

SQLite (the default, one file, created on first start) runs in WAL mode: a commit is atomic, so
a crash mid-write leaves the whole record or none, and readers never block the writer.
PostgreSQL works by URL (`postgresql+psycopg://user:pass@host/db`, the `postgres` extra installs
the driver); tests/test_service_postgres.py runs the service against a real server.
"""
from __future__ import annotations

from sqlalchemy import (Column, DateTime, Engine, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        create_engine, event, text)
from sqlalchemy.pool import NullPool

__all__ = ["metadata", "decisions", "decision_summaries", "api_keys", "connect", "make_engine"]

metadata = MetaData()

decisions = Table(
    "decisions", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(40), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(40), nullable=True),
    Column("park_id", String(200), nullable=False),
    Column("input", LargeBinary, nullable=False),          # the request body, UTF-8 JSON, as received
    Column("input_digest", String(64), nullable=False),
    Column("ruleset_version", String(40), nullable=False),
    Column("ruleset_versions", Text, nullable=False),
    Column("ruleset_digest", String(64), nullable=False),
    Column("result", LargeBinary, nullable=False),         # the response body, UTF-8 JSON, as returned
)
Index("ix_decisions_park", decisions.c.park_id, decisions.c.seq)

# What a decision list shows of each result (compliance rate, counts, profile, conclusion), so a
# page of decisions needs no 300 KB result parsed. A table of its own, written in the decision's
# transaction: `create_all` adds it to a database made before it without a migration, and the
# decisions logged before it (no row here) get it from their result when listed (decisions.py).
decision_summaries = Table(
    "decision_summaries", metadata,
    Column("decision_id", String(40), primary_key=True),
    Column("summary", Text, nullable=False),               # JSON, `decisions.list_summary`
)
Index("ix_decisions_key", decisions.c.key_id, decisions.c.seq)

api_keys = Table(
    "api_keys", metadata,
    Column("key_id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# The decision log is append-only: the database itself refuses UPDATE and DELETE (and, on
# PostgreSQL, TRUNCATE), whoever connects.
_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decision_summaries_no_update BEFORE UPDATE ON decision_summaries "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decision_summaries_no_delete BEFORE DELETE ON decision_summaries "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
]


_POSTGRES_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION greenpark_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$",
    "CREATE OR REPLACE TRIGGER decisions_no_update_delete BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION greenpark_append_only()",
    "CREATE OR REPLACE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION greenpark_append_only()",
    "CREATE OR REPLACE TRIGGER decision_summaries_no_update_delete BEFORE UPDATE OR DELETE ON decision_summaries "
    "FOR EACH ROW EXECUTE FUNCTION greenpark_append_only()",
    "CREATE OR REPLACE TRIGGER decision_summaries_no_truncate BEFORE TRUNCATE ON decision_summaries "
    "FOR EACH STATEMENT EXECUTE FUNCTION greenpark_append_only()",
]
_APPEND_ONLY = {"sqlite": _SQLITE_APPEND_ONLY, "postgresql": _POSTGRES_APPEND_ONLY}
# PostgreSQL: create the triggers only when missing, so that after the first start the service
# user needs no privilege beyond reading and inserting rows (README "PostgreSQL").
_PG_TRIGGERS = ("decisions_no_update_delete", "decisions_no_truncate", "decision_summaries_no_update_delete",
                "decision_summaries_no_truncate")
_PRESENT = {"postgresql": (f"SELECT count(*) FROM pg_trigger WHERE tgname IN ({', '.join(repr(t) for t in _PG_TRIGGERS)})",
                           len(_PG_TRIGGERS))}


def connect(url: str, *, pooled: bool = True, lock_timeout: float = 30.0) -> Engine:
    """An engine for `url` (it connects lazily, on first use); SQLite gets its pragmas.

    Args:
        url: SQLAlchemy URL.
        pooled: keep connections for reuse; False opens a new connection on every use (the
            readiness probe: it must see what a worker that connects now would get).
        lock_timeout: SQLite: seconds to wait for another writer's lock.
    """
    sqlite = url.startswith("sqlite")
    kwargs: dict = ({"connect_args": {"check_same_thread": False, "timeout": lock_timeout}} if sqlite
                    else {"pool_pre_ping": True})
    if not pooled:
        kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)
    if sqlite:
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA page_size=16384")      # new files only: a ~300 KB record in fewer pages
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")   # atomic commits; WAL fsyncs at checkpoints
            cur.close()
    return engine


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the tables and the append-only triggers created if missing."""
    engine = connect(url)
    metadata.create_all(engine)
    dialect = engine.dialect.name
    with engine.begin() as conn:
        present = dialect in _PRESENT and conn.execute(text(_PRESENT[dialect][0])).scalar_one() == _PRESENT[dialect][1]
        for stmt in [] if present else _APPEND_ONLY.get(dialect, []):
            conn.execute(text(stmt))
    return engine
