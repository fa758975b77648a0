"""Message ids for durable-rules that never collide in its 32-bit message index. Pure Python.

durable-rules stores each fact of a session under `fnv1Hash32(id)` and compares only that hash
(`state.c` `storeMessage`/`GET_FIRST`, durable_rules 2.0.28 sdist). A fact whose id has the same
32-bit hash as one already stored is refused as "already observed" (`ERR_EVENT_OBSERVED`). In
`assert_facts` that code is overwritten by any later fact's "not handled" (`handleMessages` keeps
the last non-OK code), so the adapter sees 1, as for any batch, and the fact is **silently
dropped**: with two crafted ids of equal hash and one unmatched fact after them, the adapter as it
was (asserting the caller's ids) returned one firing where the oracle returned two; the engine's
side of it is in tests/test_durable_ids.py. This is the misidentification of issue #376 and
reference §10 ("fact 46,010 of 100k"): not a count limit, but the birthday bound of a 32-bit
hash - any two ids may collide, and among n random ids one pair does with probability about
n²/2³³ (1 % at 9k, 22 % at 46k). With the ids below, 100,000 facts (200,000 messages with their
derived findings) in one session all fired (measured).

So the durable adapter never hands the engine a caller's id. Every fact it asserts - input or
derived - gets the next engine id from one process-wide table of short strings whose hashes are
pairwise distinct and differ from the end marker's; the adapter maps them back to the real ids
when it records a firing. The session's own state fact (id `sid-<sid>`, `events.c`) is the one
other message in a session: an engine id with that hash is skipped for the session.

Ids are a fact's identity and nothing else in the engine: a rule that reads `id` (a join such as
`owner == e.id`) reads the property `durable_format.ID_FIELD`, which carries the real id.

Example:
    >>> fnv1a32("ent:Q7GYZACL") == fnv1a32("ent:LA86VGSY")
    True
    >>> ENGINE_IDS.get(0)
    ('0', 890022063)
"""
from __future__ import annotations

import threading

__all__ = ["fnv1a32", "EngineIds", "ENGINE_IDS"]

_PRIME, _BASIS, _MASK = 16777619, 2166136261, 0xFFFFFFFF
# C's `char` is signed on the platforms durable builds for: a UTF-8 byte >= 0x80 is sign-extended
# before the XOR (`hash ^= (*str)` in `fnv1Hash32`).
_XOR = tuple(b if b < 0x80 else b | 0xFFFFFF00 for b in range(256))


def fnv1a32(text: str) -> int:
    """durable-rules' `fnv1Hash32` of `text` as it appears in the fact's JSON (UTF-8, no quotes).

    Only for ids without characters that JSON escapes (the engine hashes the escaped text).
    """
    h = _BASIS
    for byte in text.encode():
        h = ((h ^ _XOR[byte]) * _PRIME) & _MASK
    return h


class EngineIds:
    """An append-only table of engine ids with pairwise distinct `fnv1a32` hashes.

    Entry i is the shortest decimal string not yet rejected; a candidate whose hash is already in
    the table, or equals a reserved id's, is skipped. Grows on demand; safe to share.

    Args:
        reserved: ids the engine sees besides the table's (the end marker).
    """

    def __init__(self, reserved: tuple[str, ...]) -> None:
        self._hashes = {fnv1a32(r) for r in reserved}
        self._names: list[str] = []
        self._codes: list[int] = []
        self._next = 0
        self._lock = threading.Lock()

    def get(self, index: int) -> tuple[str, int]:
        """The `index`-th engine id and its hash."""
        if index >= len(self._names):
            self._grow(index + 1)
        return self._names[index], self._codes[index]

    def _grow(self, size: int) -> None:
        with self._lock:
            size = max(size, 2 * len(self._names), 1024)
            while len(self._names) < size:
                name = str(self._next)
                self._next += 1
                code = fnv1a32(name)
                if code not in self._hashes:
                    self._hashes.add(code)
                    self._codes.append(code)
                    self._names.append(name)   # appended last: readers check len(names)


ENGINE_IDS = EngineIds(reserved=("__end__",))
