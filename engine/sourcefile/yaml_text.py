"""YAML with the bounds of `engine.sourcefile.limits`: the composed node graph is vetted before any
data is built from it (non-scalar and duplicate keys, nesting, alias expansion), and positions are
worked out without walking into aliases. Plain scalars resolve by the YAML 1.2 core schema
(`yaml12.py`: `yes`/`no`/`on`/`off` are text, only `true`/`false` are booleans), as JSON and the
park's JSON Schema read them."""
from __future__ import annotations

from typing import Any, NoReturn

import yaml

from ..errors import InputError, MalformedInput, Problem
from .limits import (MAX_ALIAS_DEPTH, MAX_ALIAS_EXPANSION, MAX_DEPTH, Path_, format_path,
                                      too_deep)
from .yaml12 import Yaml12Loader, canonical_key

__all__ = ["parse_yaml", "yaml_positions"]


class _Loader(Yaml12Loader):
    """Safe, YAML 1.2 core; `_check_yaml` vets the node graph before any data is built from it."""


def _key_label(key_node: yaml.ScalarNode) -> str | int:
    """A mapping key as it appears in a path: `2021:` is an int key in the data, so in the path too."""
    key = key_node.value
    if key_node.tag == "tag:yaml.org,2002:int" and key.lstrip("-").isdigit():
        return int(key)
    return key


class _Frame:
    """One collection node being walked by `_check_yaml`, with what its subtree adds up to."""

    __slots__ = ("node", "children", "label", "size", "height", "alias_depth")

    def __init__(self, node: yaml.Node, children: Any):
        self.node, self.children, self.label = node, children, None
        self.size, self.height, self.alias_depth = 1, 1, 0


def _check_yaml(root: yaml.Node, file: str) -> None:
    """Vet the composed YAML before building data from it, in one walk of each node.

    Refuses non-scalar and duplicate mapping keys (one problem each), nesting beyond MAX_DEPTH,
    and aliases that expand beyond MAX_ALIAS_EXPANSION nodes or nest beyond MAX_ALIAS_DEPTH (or
    refer to a value that contains them). An alias is never walked into: the size, height and
    alias depth of its anchor are known by then (an anchor comes before its aliases).

    Raises:
        InputError: with one located problem per bad key, or the first limit exceeded.
    """
    problems: list[Problem] = []
    done: dict[int, tuple[int, int, int]] = {}   # id(node) -> (expanded size, height, alias depth)
    walking: set[int] = set()                    # the collections on the stack (an alias to one is a cycle)
    distinct = 0
    stack: list[_Frame] = []

    def where(node: yaml.Node) -> dict:
        path = tuple(_key_label(f.label) if isinstance(f.label, yaml.Node) else f.label
                     for f in stack if f.label is not None)
        return {"file": file, "line": node.start_mark.line + 1, "column": node.start_mark.column + 1,
                "path": format_path(path) or None}

    def refuse(node: yaml.Node, message: str) -> NoReturn:
        raise InputError(f"{len(problems) + 1} problem(s) in {file}", problems + [Problem(message, **where(node))])

    def enter(node: yaml.Node) -> None:
        nonlocal distinct
        if len(stack) >= MAX_DEPTH:
            refuse(node, too_deep())
        distinct += 1
        walking.add(id(node))
        if isinstance(node, yaml.MappingNode):
            frame = _Frame(node, None)
            stack.append(frame)
            seen: dict[tuple[str, object], yaml.Node] = {}
            values = []
            for key_node, value_node in node.value:
                frame.size += 1
                distinct += 1
                frame.label = None
                if not isinstance(key_node, yaml.ScalarNode):
                    kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                    problems.append(Problem(f"a mapping key must be a scalar (text, a number), not {kind}",
                                            **where(key_node)))
                    continue
                key = canonical_key(key_node)      # `true:` and `True:` are one key
                if key in seen:
                    frame.label = key_node
                    problems.append(Problem(f"duplicate key {key_node.value!r} (first at line "
                                            f"{seen[key].start_mark.line + 1})", **where(key_node)))
                    continue
                seen[key] = key_node
                values.append((key_node, value_node))
            frame.label, frame.children = None, iter(values)
        else:
            stack.append(_Frame(node, iter(enumerate(node.value))))

    if isinstance(root, yaml.ScalarNode):
        return
    enter(root)
    while stack:
        frame = stack[-1]
        child = next(frame.children, None)
        if child is None:
            stack.pop()
            node = frame.node
            walking.discard(id(node))
            done[id(node)] = (frame.size, frame.height, frame.alias_depth)
            if frame.size - distinct > MAX_ALIAS_EXPANSION:
                refuse(node, f"its aliases written out make {frame.size:,} nodes, more than the "
                             f"{MAX_ALIAS_EXPANSION:,} that aliases may add (MAX_ALIAS_EXPANSION)")
            if frame.alias_depth > MAX_ALIAS_DEPTH:
                refuse(node, f"aliases nested {frame.alias_depth} deep, more than the limit of "
                             f"{MAX_ALIAS_DEPTH} (MAX_ALIAS_DEPTH)")
            if stack:
                parent = stack[-1]
                parent.size += frame.size
                parent.height = max(parent.height, frame.height + 1)
                parent.alias_depth = max(parent.alias_depth, frame.alias_depth)
            continue
        frame.label, node = child
        if isinstance(node, yaml.ScalarNode):
            frame.size += 1
            distinct += 1
            continue
        known = done.get(id(node))
        if known is not None:                    # an alias: counted, never walked into
            size, height, alias_depth = known
            frame.size += size
            frame.height = max(frame.height, height + 1)
            frame.alias_depth = max(frame.alias_depth, alias_depth + 1)
            if len(stack) + height > MAX_DEPTH:
                refuse(node, too_deep() + " once its aliases are written out")
        elif id(node) in walking:
            refuse(node, "an alias refers to a value that contains it (a recursive alias)")
        else:
            enter(node)
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {file}", problems)


def yaml_positions(root: yaml.Node) -> dict[Path_, tuple[int, int]]:
    """Path -> (line, column) of every value, each node walked once: an alias is located at its
    anchor and not walked into (so a billion-laughs file costs its size, not its expansion)."""
    out: dict[Path_, tuple[int, int]] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, path + (_key_label(key),)) for key, value in reversed(node.value)
                         if isinstance(key, yaml.ScalarNode))
        else:
            stack.extend((item, path + (i,)) for i, item in reversed(list(enumerate(node.value))))
    return out


def parse_yaml(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """The data of YAML `text` and its root node (for positions).

    Raises:
        MalformedInput: text that does not parse.
        InputError: duplicate or non-scalar keys, nesting or aliases over the limits.
    """
    loader = _Loader(text)
    try:  # compose once, vet the nodes, then build the data from the nodes that give the positions
        node = loader.get_single_node()
        if node is not None:
            _check_yaml(node, file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise MalformedInput("malformed YAML", [Problem(f"malformed YAML: {msg}", file=file,
                                                        line=mark.line + 1 if mark else None,
                                                        column=mark.column + 1 if mark else None)]) from exc
    except yaml.YAMLError as exc:
        raise MalformedInput("malformed YAML", [Problem(f"malformed YAML: {exc}", file=file)]) from exc
    except RecursionError:      # only without libyaml, whose parser stops at 1,000 levels itself
        raise InputError("nested too deep", [Problem(too_deep(), file=file)]) from None
    finally:
        loader.dispose()
    return data, node
