"""Strict YAML: safe types only, and no aliases, anchors (no "billion laughs": nothing is ever expanded),
duplicate keys (no silent last-one-wins) or nesting deeper than the limit, each refused with its line. The
document comes with the line each key or list item starts on, so a check can point at it.

Two paths, one result: libyaml's C parser reads a document that cannot hold anything refused (no `&` or `*` at
all, printable, not too deep — counted on its events before a node is built — and no duplicate key) ten times
faster; anything else, and every document it cannot read, goes through the pure-Python strict loader, which
refuses with the line and wording a user sees.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from altinn_analysis.checks import excerpt
from altinn_analysis.secret_guard import scrub
from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._read_common import decode_utf8, read_error, read_file, sha256_hex, too_big, why

__all__ = ["YamlDocument", "read_yaml", "read_yaml_bytes"]


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file as parsed, with the line each key or list item starts on."""

    file: str
    data: Any
    text: str
    lines: tuple[tuple[int, str], ...]  # (line, key path) in document order, e.g. (7, "vendors[0].org_number")
    sha256: str

    def line_of(self, path: str) -> int | None:
        for line, key in self.lines:
            if key == path:
                return line
        return None

    def path_at(self, line: int) -> str | None:
        """The innermost key or list item that starts on or before `line`."""
        starts = [ln for ln, _ in self.lines]
        i = bisect.bisect_right(starts, line)
        return self.lines[i - 1][1] if i else None


def _key_lines(node: yaml.Node, path: str, out: list[tuple[int, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            sub = f"{path}.{name}" if path else name
            out.append((key.start_mark.line + 1, sub))
            _key_lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = f"{path}[{index}]"
            out.append((item.start_mark.line + 1, sub))
            _key_lines(item, sub, out)


class _YamlRefusedError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _strict_loader(max_depth: int) -> type[yaml.SafeLoader]:
    """A safe loader that refuses aliases and anchors (no "billion laughs": nothing is ever expanded), duplicate
    keys (no silent last-one-wins) and nesting deeper than `max_depth`, each with its line."""

    class StrictLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent):
                raise _YamlRefusedError(line, "YAML aliases (*name) are not allowed; write the value out")
            if getattr(event, "anchor", None):
                raise _YamlRefusedError(line, "YAML anchors (&name) are not allowed; write the values out")
            self.depth += 1
            try:
                if self.depth > max_depth:
                    raise _YamlRefusedError(line, f"nested deeper than {max_depth} levels (yaml_depth)")
                node = super().compose_node(parent, index)
            finally:
                self.depth -= 1
            if isinstance(node, yaml.MappingNode):
                seen: dict[str, int] = {}
                for key, _ in node.value:
                    name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                    if name in seen:
                        raise _YamlRefusedError(
                            key.start_mark.line + 1,
                            f"duplicate key {excerpt(name, 40)} (first on line {seen[name]}); "
                            "YAML would silently keep only the last one",
                        )
                    seen[name] = key.start_mark.line + 1
            return node

    return StrictLoader


_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _duplicate_key(node: yaml.Node) -> bool:
    if isinstance(node, yaml.MappingNode):
        names = [str(k.value) if isinstance(k, yaml.ScalarNode) else "?" for k, _ in node.value]
        return len(set(names)) != len(names) or any(_duplicate_key(v) for _, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return any(_duplicate_key(item) for item in node.value)
    return False


def _read_plain(text: str, max_depth: int) -> tuple[Any, list[tuple[int, str]]] | None:
    """(value, key lines) by the C parser, or None where only the strict loader gives the same answer."""
    if _FAST_LOADER is None or "&" in text or "*" in text or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        # Depth from the events first: libyaml's composer recurses on the C stack.
        depth = 0
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.CollectionStartEvent | yaml.ScalarEvent) and depth + 1 > max_depth:
                return None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None
        loader = _FAST_LOADER(text)
        try:
            node = loader.get_single_node()
            if node is not None and _duplicate_key(node):
                return None
            value = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except Exception:  # any trouble at all: the strict loader words it
        return None
    lines: list[tuple[int, str]] = []
    if node is not None:
        _key_lines(node, "", lines)
    return value, lines


def read_yaml_bytes(data: bytes, file: str, limits: Limits | None = None) -> YamlDocument:
    """Parse a strict YAML document. Raises only `FileReadError`."""
    limits = limits or Limits.from_env()
    if len(data) > limits.yaml_bytes:
        raise too_big(file, f"{len(data):,} bytes", f"{limits.yaml_bytes:,} bytes", "yaml_bytes")
    text = decode_utf8(data, file)
    fast = _read_plain(text, limits.yaml_depth)
    if fast is not None:
        value, found = fast
        found.sort(key=lambda item: item[0])
        return YamlDocument(file, value, text, tuple(found), sha256_hex(data))
    loader: yaml.SafeLoader | None = None
    try:
        loader = _strict_loader(limits.yaml_depth)(text)  # its reader refuses control characters at once
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        lines: list[tuple[int, str]] = []
        if node is not None:
            _key_lines(node, "", lines)
    except _YamlRefusedError as exc:
        raise read_error(file, exc.message, row=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise read_error(
            file, f"not valid YAML: {scrub(what)[:200] or 'syntax error'}", row=None if mark is None else mark.line + 1
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. `2024-13-45` is a YAML date that does not exist (ValueError)
        raise read_error(file, f"not valid YAML ({why(exc)})") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines.sort(key=lambda item: item[0])  # stable: a key and its first item on one line keep their order
    return YamlDocument(file, value, text, tuple(lines), sha256_hex(data))


def read_yaml(path: Path, limits: Limits | None = None) -> YamlDocument:
    """`read_yaml_bytes` on a regular file under `yaml_bytes`; `FileNotFoundError` when there is none."""
    limits = limits or Limits.from_env()
    return read_yaml_bytes(read_file(path, limits.yaml_bytes, "yaml_bytes"), path.name, limits)
