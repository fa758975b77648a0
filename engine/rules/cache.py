"""A cache of compiled rulesets, so a process starts in milliseconds instead of recompiling.

**Where an entry lives (its slot).** One file per rules tree and profile, named by a hash of
everything a hit depends on besides the sources' bytes: the rules tree's path (as given and
resolved: a compiled ruleset records it, `Ruleset.root`, and its files relative to the engine),
the knowledge folder's path, the engine's folder and package name (`engine` in a checkout,
`greenpark.engine` installed: a pickle names its classes by module), the profile, and the versions
of Python, pydantic and PyYAML. Two checkouts of one commit, at different paths, therefore have
slots of their own and never evict each other; a change of the sources replaces the slot's entry
instead of adding one.

**When an entry is valid.** The entry lists every source file - the rules tree's `*.yaml`
(releases aside), the knowledge's `*.yaml` and the engine's own `*.py` (a compiler change must
invalidate old entries) - each with its sha256 and its `stat` (size, mtime and ctime in ns, inode,
device). A hit needs the same list of files, each with its recorded stat (cheap: no file is
read) or, where the stat differs, the recorded sha256 (the file is read and hashed, and the entry's
stats are refreshed so the next start is cheap again). So a hit is exactly what compiling would
give, as when the key hashed every byte:

* ctime cannot be set back by `touch`, `cp -p` or a checkout: a file rewritten with its old size
  and mtime still differs in ctime (or in inode, when replaced by a rename).
* A file changed within `RACY_NS` of the moment its stat was taken might keep its stat through
  a change that falls in the same timestamp tick (the "racily clean" case of git's index): its stat
  is not recorded, and it is hashed until an entry records it later.
* The sources are hashed before compiling and their stats compared after: a file changed while
  the tree compiled gives no entry at all. So does an engine source newer than the running
  process (its code in memory may not be the code on disk), and such a process takes no hit either.

A missing, unreadable or foreign entry, or any doubt, means compiling again. Entries are written
atomically (temp file + rename) to the user's cache folder, never shared between users; after a
compile, the entries of rules trees that no longer exist (a temporary `--rules-dir`) are removed.
Entries of the first cache format (files named by a 64-digit hash, from versions before this one)
are neither read nor removed: a checkout of such a version may still use them.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import struct
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

__all__ = ["default_cache_dir", "cached", "slot_name", "Sources", "STATS", "RACY_NS"]

_ENGINE = Path(__file__).resolve().parents[1]
_PACKAGE = __name__.rsplit(".", 2)[0]          # "engine" or "greenpark.engine"
_FORMAT = b"greenpark-ruleset-cache 2\n"
RACY_NS = 2_000_000_000        # a stat younger than this is not trusted (timestamp ticks of 1-2 s exist)
_CLOCK_LAG_NS = 50_000_000     # file times come from the kernel's coarse clock, a tick (<= 10 ms) behind
# roughly when this process read the engine's code: an engine source changed after it may not be the code
# running (engine/__init__.py is imported first of all; its own import time when it did not record one)
_STARTED_NS = getattr(sys.modules.get(_PACKAGE), "STARTED_NS", None) or time.time_ns()

STATS: Counter = Counter()     # this process: "hit", "miss", "compiled", "stored", "hashed" files, "refreshed",
#                                "completed" (an entry stored again with what `complete` added)

T = TypeVar("T")
Stat = tuple[int, int, int, int, int]        # size, mtime_ns, ctime_ns, inode, device


def default_cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/greenpark` (default `~/.cache/greenpark`): the user's own folder, never the
    installed package's (site-packages may be read-only, and is shared). A relative
    $XDG_CACHE_HOME is ignored, as the XDG spec says; no home folder at all gives None: no cache
    (every start compiles), rather than a folder other users could write pickles into."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = Path.home() / ".cache"
        except RuntimeError:          # no $HOME and no passwd entry (some containers)
            return None
    return Path(base) / "greenpark"


# ------------------------------------------------------------------------------ the sources

def _stat(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _walk(folder: str, suffix: str, skip_top: str | None, rel: str, out: list, seen: set) -> None:
    """(relative path, absolute path, Stat) of every file ending in `suffix` below `folder`,
    through symlinked folders too (a pack may be one), each real folder once."""
    try:
        st = os.stat(folder)
        entries = list(os.scandir(folder))
    except OSError:
        return
    if (st.st_dev, st.st_ino) in seen:
        return
    seen.add((st.st_dev, st.st_ino))
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__" and entry.name != skip_top:
                _walk(entry.path, suffix, None, rel + entry.name + "/", out, seen)
        elif entry.name.endswith(suffix) and entry.is_file():
            out.append((rel + entry.name, entry.path, _stat(entry.stat())))


@dataclass(frozen=True)
class Sources:
    """The files a compiled ruleset depends on, as found now: `files` holds
    (group/relative path, absolute path, Stat), sorted."""

    files: tuple[tuple[str, str, Stat], ...]

    @staticmethod
    def scan(rules_root: Path, knowledge_dir: Path) -> Sources:
        found: list = []
        for group, folder, suffix, skip in (("rules", rules_root, ".yaml", "releases"),
                                            ("knowledge", knowledge_dir, ".yaml", None),
                                            ("engine", _ENGINE, ".py", None)):
            _walk(str(folder), suffix, skip, f"{group}:", found, set())
        found.sort()
        return Sources(tuple(found))

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.files)

    def engine_changed_since_start(self) -> bool:
        """An engine source written (or its inode changed) after this process began to load the engine.
        Files are stamped by the kernel's coarse clock, which lags `time.time_ns()` by up to a tick:
        `_CLOCK_LAG_NS` of margin. (Not `RACY_NS`: a package installed a second ago would never cache.)"""
        return any(name.startswith("engine:") and max(st[1], st[2]) >= _STARTED_NS - _CLOCK_LAG_NS
                   for name, _, st in self.files)


def _digest(path: str) -> bytes | None:
    STATS["hashed"] += 1
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).digest()
    except OSError:
        return None


def _manifest(sources: Sources, digests: dict[str, bytes | None]) -> tuple:
    """What an entry records of `sources`: (name, Stat or None when racy, sha256) per file."""
    now = time.time_ns()
    return tuple((name, st if max(st[1], st[2]) < now - RACY_NS else None, digests[name])
                 for name, _, st in sources.files)


def slot_name(rules_root: Path, knowledge_dir: Path, profile: str) -> str:
    """The file name of the entry for this tree, knowledge, profile and engine (see the module)."""
    import pydantic
    import yaml
    h = hashlib.sha256()
    for part in (_FORMAT.decode(), _PACKAGE, str(_ENGINE), sys.implementation.cache_tag, sys.version,
                 pydantic.VERSION, getattr(yaml, "__version__", "?"), str(rules_root), str(rules_root.resolve()),
                 str(knowledge_dir.resolve()), profile):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return f"v2-{h.hexdigest()[:40]}.pickle"


# ------------------------------------------------------------------------------ entries

def _read(path: Path, *, header_only: bool = False) -> tuple[dict, bytes] | None:
    """(header, the ruleset's pickle) of an entry file, or None. The header holds the rules tree's
    resolved path ("root") and the manifest of its sources ("files")."""
    try:
        with path.open("rb") as fh:
            start = fh.read(len(_FORMAT) + 8)
            if len(start) < len(_FORMAT) + 8 or not start.startswith(_FORMAT):
                return None
            (size,) = struct.unpack(">Q", start[len(_FORMAT):])
            header = pickle.loads(fh.read(size))  # noqa: S301 - our own file, in the user's own folder
            body = b"" if header_only else fh.read()
    except Exception:           # missing, unreadable, truncated
        return None
    if not isinstance(header, dict) or not isinstance(header.get("files"), tuple):
        return None
    return header, body


def _unpickle(body: bytes):
    """The entry's ruleset, unpickled with the cyclic garbage collector paused: its ~5,000 objects
    set off a full collection over everything the process imported (~14 ms of a CLI start, issue
    #13), and nothing being unpickled is garbage. A caller that turned the collector off keeps it off."""
    if not gc.isenabled():
        return pickle.loads(body)  # noqa: S301 - our own file, in the user's own folder
    gc.disable()
    try:
        return pickle.loads(body)  # noqa: S301 - our own file, in the user's own folder
    finally:
        gc.enable()


def _write(path: Path, header: dict, body: bytes) -> bool:
    head = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_FORMAT + struct.pack(">Q", len(head)) + head + body)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:             # a failure to write only costs the next start a compile
        return False
    return True


def _prune(cache_dir: Path, written: Path) -> None:
    """Drop the entries of rules trees that no longer exist (a temporary `--rules-dir`, a deleted
    checkout): one slot per tree path would otherwise pile up. Runs after a compile only."""
    for entry in cache_dir.glob("v2-*.pickle"):
        if entry != written:
            found = _read(entry, header_only=True)
            if found is not None and not os.path.isdir(found[0].get("root", "")):
                try:
                    entry.unlink()
                except OSError:
                    pass


def _validate(manifest: tuple, sources: Sources) -> tuple[bool, bool]:
    """(valid, refresh): every file as recorded, by stat or else by sha256; `refresh` when some
    file had to be hashed (its stat is worth recording anew)."""
    if len(manifest) != len(sources.files):
        return False, False
    refresh = False
    for (name, stat, digest), (now_name, path, now_stat) in zip(manifest, sources.files):
        if name != now_name:
            return False, False
        if stat == now_stat:
            continue
        if _digest(path) != digest:
            return False, False
        refresh = True
    return True, refresh


def cached(cache_dir: Path | None, rules_root: Path, knowledge_dir: Path, profile: str,
           build: Callable[[], T], accept: Callable[[object], bool],
           complete: Callable[[T], bool] | None = None) -> T:
    """The compiled ruleset of `rules_root` under `profile`: from the cache when its entry is
    valid and `accept`s what it holds, else `build()` (stored when its sources held still).

    Args:
        cache_dir: the cache folder; None: compile, no cache.
        knowledge_dir: the knowledge folder the tree compiles against.
        build: compiles the tree (its exceptions propagate; nothing is stored then).
        accept: a last check of a loaded entry (type, root, profile).
        complete: adds to a loaded entry what a process that stored it did not work out (an
            evaluator's registration); True when it added something: the entry is stored again.
    """
    if cache_dir is None:
        STATS["compiled"] += 1
        return build()
    sources = Sources.scan(rules_root, knowledge_dir)
    path = Path(cache_dir) / slot_name(rules_root, knowledge_dir, profile)
    fresh_engine = not sources.engine_changed_since_start()
    entry = _read(path) if fresh_engine else None
    root = str(Path(rules_root).resolve())
    if entry is not None and entry[0].get("root") == root:
        header, body = entry
        valid, refresh = _validate(header["files"], sources)
        if valid:
            try:
                hit = _unpickle(body)
            except Exception:       # truncated, or classes that changed without a source change
                hit = None
            if hit is not None and accept(hit):
                STATS["hit"] += 1
                if complete is not None and complete(hit):
                    body, refresh = pickle.dumps(hit, protocol=pickle.HIGHEST_PROTOCOL), True
                    STATS["completed"] += 1
                if refresh:
                    _write(path, {"root": root, "files": _manifest(sources, {n: d for n, _, d in header["files"]})},
                           body)
                    STATS["refreshed"] += 1
                return hit
    STATS["miss"] += 1
    digests = {name: _digest(p) for name, p, _ in sources.files}      # before compiling: what it reads
    STATS["compiled"] += 1
    result = build()
    after = Sources.scan(rules_root, knowledge_dir)
    recent = time.time_ns() - RACY_NS        # files this recent may have changed within one timestamp tick
    held_still = after.files == sources.files and None not in digests.values() and \
        all(_digest(p) == digests[name] for name, p, st in after.files if max(st[1], st[2]) >= recent)
    if fresh_engine and held_still and _write(path, {"root": root, "files": _manifest(sources, digests)},
                                              pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)):
        STATS["stored"] += 1
        _prune(Path(cache_dir), path)
    return result
