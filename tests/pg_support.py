"""A throwaway PostgreSQL server for the decision-log tests: `initdb` in a temporary directory,
started on a free loopback port, stopped with the fixture. Not a test module.

Needs the PostgreSQL server binaries (Debian: `apt-get install postgresql`; `.ci/run` installs
them when missing) and the psycopg driver (the `postgres` extra, which `make test` installs).
As root, the server runs as the `postgres` system user (initdb refuses root).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from service_support import free_port


def server_binaries() -> Path | None:
    """The directory holding initdb/pg_ctl (PATH first, then Debian's versioned directories)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return Path(dirs[-1]) if dirs and Path(dirs[-1], "initdb").exists() else None


def missing() -> str | None:
    """Why a PostgreSQL test cannot run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install -e '.[postgres]')"
    if server_binaries() is None:
        return "no PostgreSQL server binaries (initdb) on this machine (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as another user"
    return None


@dataclass
class Postgres:
    url: str
    data: Path
    _as_user: list[str]
    _bin: Path

    def stop(self) -> None:
        subprocess.run([*self._as_user, str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.data.parent, ignore_errors=True)


def start_postgres() -> Postgres:
    """A fresh cluster with database `greenpark` owned by user `greenpark` (trust auth, loopback),
    in its own directory under the system temp dir (pytest's is private to root, and as root the
    server runs as `postgres`); `stop()` removes it."""
    bindir = server_binaries()
    assert bindir is not None, missing()
    root = Path(tempfile.mkdtemp(prefix="greenpark-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*cmd: str) -> None:
        out = subprocess.run([*as_user, *cmd], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "greenpark", "-E", "UTF8", "--no-sync")
    port = free_port()
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60", "-o",
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    pg = Postgres(f"postgresql+psycopg://greenpark@127.0.0.1:{port}/greenpark", data, as_user, bindir)
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "greenpark", "greenpark")
    except BaseException:
        pg.stop()
        raise
    deadline = time.monotonic() + 30
    import psycopg
    while True:
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=greenpark dbname=greenpark").close()
            return pg
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                pg.stop()
                raise
            time.sleep(0.2)
