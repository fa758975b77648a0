"""Input of any size or shape ends in located problems, never a traceback, a hang or a memory blow-up
(issue 9, items 3-5): YAML alias bombs, non-scalar keys, deep nesting, endless files, duplicate
JSON keys. The last tests run `greenpark assess` on each bad file under a 1 GB address-space limit
and hold it to one `error:` line, exit 2, 2 s and 300 MB."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InputError, MalformedInput
from engine.facts.loader import load_park, parse_park
from engine.sourcefile import (MAX_ALIAS_DEPTH, MAX_ALIAS_EXPANSION, MAX_DEPTH, MAX_FILE_BYTES,
                               load_document, loads_json, parse_document)
from engine.sourcefile.json_text import _json_depth

ROOT = Path(__file__).resolve().parents[1]


def laughs(levels: int, width: int = 10) -> str:
    """A billion-laughs park: `levels` anchors, each a list of `width` aliases to the one before,
    under `profile`, where every one of them is an unknown field (a validation error)."""
    lines = ["  l0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"  l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "profile:\n  id: p1\n" + "\n".join(lines) + "\n"


def refusal(text: str, file: str = "park.yaml") -> list[str]:
    with pytest.raises(InputError) as exc:
        parse_park(text, file)
    return exc.value.lines()


# --- item 3: YAML aliases ---------------------------------------------------------------------

def test_fail_billion_laughs_is_refused_at_the_parser_naming_the_limit():
    t0 = time.monotonic()
    (line,) = refusal(laughs(10))
    assert time.monotonic() - t0 < 1
    assert line.startswith("park.yaml:8:7: profile.l5: ") and "MAX_ALIAS_EXPANSION" in line
    assert f"{MAX_ALIAS_EXPANSION:,}" in line


def test_fail_aliases_nested_too_deep():
    (line,) = refusal(laughs(MAX_ALIAS_DEPTH + 2, width=2))     # tiny expansion, deep nesting
    assert f"profile.l{MAX_ALIAS_DEPTH + 1}: aliases nested {MAX_ALIAS_DEPTH + 1} deep" in line
    assert "MAX_ALIAS_DEPTH" in line


@pytest.mark.parametrize("text,where", [
    ("profile: &a {id: *a}\n", "park.yaml:1:10: profile.id: "),
    ("profile:\n  id: p1\nx: &a [1, [*a]]\n", "park.yaml:3:4: x[1][0]: "),
], ids=["in-a-mapping", "in-a-list"])
def test_fail_a_recursive_alias_is_refused(text, where):
    (line,) = refusal(text)
    assert line.startswith(where) and "recursive alias" in line


def test_silent_aliases_within_the_limits_are_located_at_their_anchor_without_expanding():
    # 9 wide, 6 levels: ~600,000 nodes written out, under both limits; an unknown field in it
    text = laughs(6, width=9)
    t0 = time.monotonic()
    lines = refusal(text)
    assert time.monotonic() - t0 < 1
    assert "park.yaml:8:7: profile.l5: unknown field 'l5'" in "\n".join(lines)
    doc = parse_document(text, "park.yaml")
    assert len(doc.positions) < 100                      # one entry per written node, not 600,000
    # an aliased value is located at its anchor (line 3), however deep the path goes into it
    assert doc.locate(("profile", "l1", 4, 2)) == (3, 7)


def test_silent_merge_keys_and_shared_values_still_load():
    doc = parse_document("base: &b {unit: t, value: 1}\nx: {<<: *b, value: 2}\ny: [*b, *b]\n", "f.yaml")
    assert doc.data["x"] == {"unit": "t", "value": 2} and doc.data["y"] == [doc.data["base"]] * 2
    assert doc.locate(("x", "unit")) == (1, 17) and doc.locate(("y", 1)) == (1, 7)


# --- item 4: non-scalar keys, nesting, endless files -----------------------------------------

@pytest.mark.parametrize("text,expect", [
    ("profile:\n  [a, b]: 1\n", "park.yaml:2:3: profile: a mapping key must be a scalar (text, a number), not a list"),
    ("profile:\n  ? [a, b]\n  : 1\n", "park.yaml:2:5: profile: a mapping key must be a scalar"),
    ("profile:\n  id: p1\n  {a: 1}: 2\n", "park.yaml:3:3: profile: a mapping key must be a scalar (text, a number), not a mapping"),
], ids=["flow-list", "complex-key", "flow-mapping"])
def test_fail_a_list_or_mapping_as_key(text, expect):
    assert refusal(text)[0].startswith(expect)


def test_fail_json_nested_2000_deep_names_the_limit_and_where():
    with pytest.raises(InputError) as exc:
        loads_json('{"profile": {"x": ' + "[" * 2000 + "]" * 2000 + "}}", "p.json")
    (line,) = exc.value.lines()
    assert line.startswith(f"p.json:1:{18 + MAX_DEPTH - 1}: profile.x" + "[0]" * (MAX_DEPTH - 2) + ": ")
    assert f"nested more than {MAX_DEPTH} deep" in line and "MAX_DEPTH" in line
    assert not isinstance(exc.value, MalformedInput)     # valid JSON, over a limit: 422 on HTTP


def test_fail_yaml_nested_beyond_the_limit():
    (line,) = refusal("profile:\n  x: " + "[" * 500 + "]" * 500 + "\n")
    assert line.startswith("park.yaml:2:") and f"more than {MAX_DEPTH} deep" in line


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
def test_the_depth_limit_is_exact_in_both_syntaxes(depth):
    nested = "[" * (depth - 1) + "]" * (depth - 1)
    for text, file in ((f'{{"x": {nested}}}', "p.json"), (f"x: {nested}\n", "p.yaml")):
        if depth <= MAX_DEPTH:
            assert parse_document(text, file).data["x"] is not None
        else:
            with pytest.raises(InputError) as exc:
                parse_document(text, file)
            assert "MAX_DEPTH" in exc.value.lines()[0]


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\:, \n'),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k[]{}"\\'), inner,
                                                                                max_size=3), max_leaves=20)


def _depth(x) -> int:
    children = list(x.values()) if isinstance(x, dict) else x if isinstance(x, list) else None
    return 0 if children is None else 1 + max(map(_depth, children), default=0)


@given(_json, st.booleans())
def test_json_depth_is_exact_with_brackets_quotes_and_escapes_in_strings(value, indent):
    text = json.dumps(value, indent=1 if indent else None, ensure_ascii=False)
    assert _json_depth(text.encode()) == _depth(value)


def test_fail_dev_zero_stops_at_the_size_limit():
    with pytest.raises(InputError) as exc:
        load_document("/dev/zero")
    assert exc.value.lines() == [f"/dev/zero: larger than {MAX_FILE_BYTES // 1_000_000} MB, "
                                 "the limit for an input file (MAX_FILE_BYTES)"]


def test_fail_a_file_one_byte_over_the_limit(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:      # sparse: no disk used
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="file too large"):
        load_document(big)


def test_fail_an_endless_fifo_is_read_only_to_the_limit(tmp_path):
    fifo = tmp_path / "park.yaml"
    os.mkfifo(fifo)
    written: list[int] = []

    def writer() -> None:           # writes until the reader goes away
        with open(fifo, "wb") as f:
            try:
                while True:
                    written.append(f.write(b"# " + b"x" * 65_000 + b"\n"))
            except BrokenPipeError:
                pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    with pytest.raises(InputError, match="file too large"):
        load_document(fifo)
    thread.join(5)
    assert not thread.is_alive() and sum(written) < MAX_FILE_BYTES + 1_200_000   # + a chunk, the pipe's buffer


# --- item 5: duplicate keys ------------------------------------------------------------------

DUPLICATED_JSON = '{"profile": {"id": "a",\n  "id": "b"},\n "enterprises": [{"x": 1}, {"x": 2, "y": 3, "x": 4}]}'


def test_fail_duplicate_json_keys_one_problem_each_like_yaml(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(DUPLICATED_JSON, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_park(p)
    assert exc.value.lines() == [f"{p}:2:3: profile.id: duplicate key 'id' (first at line 1)",
                                 f"{p}:3:45: enterprises[1].x: duplicate key 'x' (first at line 3)"]
    yaml_lines = refusal("profile:\n  id: a\n  id: b\n")
    assert yaml_lines == ["park.yaml:3:3: profile.id: duplicate key 'id' (first at line 2)"]


def test_fail_duplicate_keys_in_bytes_as_an_http_body_sends_them():
    with pytest.raises(InputError) as exc:
        loads_json(DUPLICATED_JSON.encode(), "<body>")
    assert [p.path for p in exc.value.problems] == ["profile.id", "enterprises[1].x"]
    assert not isinstance(exc.value, MalformedInput)


def test_silent_strict_json_keeps_what_json_loads_accepts():
    assert loads_json('{"a": [1, {"b": 2}], "c": "\\"[{"}') == {"a": [1, {"b": 2}], "c": '"[{'}
    assert loads_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}                      # a BOM in bytes, as json.loads
    assert math.isnan(loads_json(b'{"a": NaN}')["a"])                        # refused later, by the schema
    with pytest.raises(MalformedInput, match="Expecting"):
        loads_json("{not json", "<body>")
    with pytest.raises(MalformedInput, match="can't decode"):
        loads_json(b'{"a": "\xff"}', "<body>")


def test_json_positions_no_longer_borrow_yaml():
    doc = parse_document('{\n\t"a": {"b": [1,\t"x\\u0041"]},\n "c": 2}', "p.json")    # tabs: not YAML
    assert doc.positions[("a", "b", 1)] == (2, 17) and doc.locate(("c", "zz")) == (3, 7)


# --- the CLI: one line, exit 2, within 2 s and 300 MB ------------------------------------------

def _greenpark() -> list[str]:
    script = Path(sys.executable).with_name("greenpark")
    return [str(script)] if script.exists() else [sys.executable, str(ROOT / "cli.py")]


# `greenpark assess` runs under this small parent, so that its peak RSS is its own. Linux carries the
# high-water mark of the memory a process had before `exec` into its `ru_maxrss`: forked straight
# from pytest, the child would report pytest's own size (301 MB once the whole suite had run).
_MEASURED = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_assess(path: str, tmp_path: Path, timeout: float = 10) -> tuple[int, list[str], float, int]:
    """`greenpark assess PATH` under a 1 GB address-space limit: (exit code, stderr lines,
    seconds, peak RSS in MB)."""
    out, err, rss = tmp_path / "out.txt", tmp_path / "err.txt", tmp_path / "rss.txt"
    with open(out, "wb") as o, open(err, "wb") as e:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _MEASURED, str(rss), *_greenpark(), "assess", path],
                                stdout=o, stderr=e, stdin=subprocess.DEVNULL, cwd=tmp_path, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        timer.start()
        proc.wait()
        elapsed = time.monotonic() - t0
        timer.cancel()
    if elapsed >= timeout:
        pytest.fail(f"greenpark assess {path} was still running after {timeout} s")
    return proc.returncode, err.read_text(errors="replace").splitlines(), elapsed, int(rss.read_text()) // 1024


BAD_FILES = {
    "billion_laughs_10_levels.yaml": laughs(10),
    "list_as_key.yaml": "profile:\n  id: p1\n  [a, b]: 1\n",
    "nested_2000.json": "[" * 2000 + "]" * 2000,
    "duplicate_key.json": '{"profile": {"id": "a", "id": "b"}}',
    "recursive_alias.yaml": "x: &a [1, [*a]]\n",
    "nested_500.yaml": "x: " + "[" * 500 + "]" * 500 + "\n",
}


@pytest.mark.parametrize("name", [*BAD_FILES, "/dev/zero"])
def test_fail_every_bad_file_is_one_line_exit_2_in_2_s_and_300_mb(name, tmp_path):
    if name.startswith("/"):
        path = name
    else:
        path = str(tmp_path / name)
        Path(path).write_text(BAD_FILES[name], encoding="utf-8")
    code, lines, seconds, rss_mb = run_assess(path, tmp_path)
    assert (code, len(lines)) == (2, 1), lines[-5:]
    assert lines[0].startswith(f"error: {path}:"), lines
    assert seconds < 2, f"{seconds:.2f} s"
    assert rss_mb < 300, f"{rss_mb} MB"
