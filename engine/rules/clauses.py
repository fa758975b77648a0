"""Clause ids: `6.3`, `5.5.1`, and lettered items such as `5.3a`."""
from __future__ import annotations

__all__ = ["is_within"]


def is_within(cited: str, clause: str) -> bool:
    """True if `cited` is `clause` or one of its sub-clauses or lettered items.

    >>> is_within("5.3a", "5.3"), is_within("6.10", "6.1")
    (True, False)
    """
    if cited == clause or cited.startswith(clause + "."):
        return True
    rest = cited[len(clause):]
    return cited.startswith(clause) and rest.isalpha() and "." not in rest
