"""`serve` and `greenpark keys ...`: the HTTP decision service and its API keys."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import app, keys_app, DbUrlOpt, Role


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="accept calls without an API key (local use only)")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="assessment worker processes")] = 2,
    timeout: Annotated[float, typer.Option(min=0.1, help="seconds per assessment before its worker is replaced")] = 10.0,
    max_body: Annotated[int, typer.Option("--max-body", min=1024, help="largest request body in bytes (413 above)")] = 2 * 1024 * 1024,
    max_batch: Annotated[int, typer.Option("--max-batch", min=1, max=1000, help="most parks in one batch request")] = 50,
    max_result_bytes: Annotated[int, typer.Option("--max-result-bytes", min=65536,
                                                  help="most bytes of results one request may return (a batch: "
                                                       "all its parks together; 413 above, refused results are "
                                                       "not logged)")] = 32 * 1024 * 1024,
    key_cache: Annotated[float, typer.Option("--key-cache", min=0, help="seconds a key found live is trusted "
                                             "without a database look-up (a revoked key is refused within "
                                             "this time; 0: look up on every call)")] = 1.0,
    max_workbook_unpacked: Annotated[Optional[int], typer.Option(
        "--max-workbook-unpacked", min=65536, help="most bytes a workbook body (.xlsx, a zip) may unpack to "
                                                   "(413 above, before it is unpacked); default 16 times "
                                                   "--max-body, at most 50 MB")] = None,
    db_url: DbUrlOpt = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    access_log: Annotated[bool, typer.Option("--access-log", help="log every request")] = False,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", help="a browser origin (scheme://host[:port]) whose pages may call the API (CORS); "
                              "repeat for several; none by default")] = None,
) -> None:
    """Run the HTTP decision service (FastAPI under uvicorn); see README "HTTP API"."""
    from ..service.config import Settings, check_origin
    from ..service.server import run
    try:
        origins = tuple(dict.fromkeys(check_origin(o) for o in cors_origin or []))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--cors-origin") from None
    run(Settings(db_url=db_url or "", auth=not no_auth, workers=workers, timeout=timeout, max_body_bytes=max_body,
                 max_batch=max_batch, max_result_bytes=max_result_bytes, key_cache_seconds=key_cache,
                 cors_origins=origins, max_workbook_unpacked_bytes=max_workbook_unpacked),
        host, port, log_level=log_level, access_log=access_log)


def _key_store(db_url: Optional[str]):
    from ..service.config import default_db_url
    from ..service.db import make_engine
    from ..service.keys import KeyStore
    return KeyStore(make_engine(db_url or default_db_url()))


@keys_app.command("create")
def keys_create(role: Annotated[Role, typer.Option(help="regulator (reads every decision), planner or portal")],
                name: Annotated[str, typer.Option(help="who the key is for")] = "",
                db_url: DbUrlOpt = None) -> None:
    """Create a key and print its token once (only its sha256 is stored)."""
    key_id, token = _key_store(db_url).create(role.value, name)
    typer.echo(f"key_id: {key_id}\nrole:   {role.value}\ntoken:  {token}")
    typer.echo("store the token now: it is not stored and cannot be shown again", err=True)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key id printed by `keys create`")],
                db_url: DbUrlOpt = None) -> None:
    """Revoke a key (its calls get 401 from then on)."""
    if not _key_store(db_url).revoke(key_id):
        typer.echo(f"error: no live key {key_id!r}", err=True)
        raise typer.Exit(2)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list(db_url: DbUrlOpt = None) -> None:
    """List keys: id, role, name, created, revoked."""
    for k in _key_store(db_url).list():
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        typer.echo(f"{k.key_id}\t{k.role}\t{k.name}\t{k.created_at.isoformat(timespec='seconds')}\t{revoked}")
