"""greenpark as an installed package: one importable `greenpark` holding the engine, the rules and
the knowledge base.

In a checkout the pieces sit at the top level (`engine/`, `rules/`, `knowledge/`, `examples/`,
`cli.py`, the layout of the design card); the build (`setup.py`) maps them into this package, so a
wheel installs `greenpark.engine`, `greenpark.rules` (package data), `greenpark.knowledge` and
`greenpark.examples` and nothing else at the top of site-packages. The engine imports its own
modules relatively and finds rules and knowledge beside itself, so the same code runs both ways.

    >>> import greenpark
    >>> greenpark.__version__            # doctest: +SKIP
    '0.2.0'
"""
from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed metadata on first use (pyproject.toml is its one
    source): importlib.metadata costs tens of milliseconds, which every command would pay at start."""
    if name != "__version__":
        raise AttributeError(f"module 'greenpark' has no attribute {name!r}")
    from importlib import metadata
    try:
        version = metadata.version("greenpark")
    except metadata.PackageNotFoundError:  # a checkout run without installing (python cli.py)
        version = "0+unknown"
    globals()["__version__"] = version
    return version
