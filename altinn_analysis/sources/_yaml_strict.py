"""Strict YAML: safe types only, and no aliases, anchors (no "billion laughs": nothing is ever expanded),
duplicate keys (no silent last-one-wins) or nesting deeper than the limit, each refused with its line. The
document comes with the line each key or list item starts on, so a check can point at it.

Three paths, one result. The common plain shape (a mapping of plain or quoted one-line scalars and lists of them,
each on its own line, as `profile.yaml` is written) is read line by line (`_read_lines`), five times faster than
libyaml for a small file; libyaml's C parser reads a document that cannot hold anything refused (no `&` or `*` at
all, printable, not too deep — counted on its events before a node is built — and no duplicate key) ten times
faster than the strict loader; anything else, and every document neither fast path takes, goes through the
pure-Python strict loader, which refuses with the line and wording a user sees.
"""

from __future__ import annotations

import bisect
import re
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


# -- the plain shape, line by line ------------------------------------------------------------------------------
# Anything outside it makes `_read_lines` return None (then libyaml or the strict loader reads the document): a
# tab, another line break than \n, a flow collection, a block scalar, a tag, an anchor or alias, a multi-line
# scalar, a key that is not a plain name, a duplicate key, a plain scalar YAML would read as anything but text,
# null, a boolean or a decimal whole number, a document marker or directive.

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NOT_PLAIN = frozenset("\t\r\x85\u2028\u2029\ufeff")
_RESOLVER = yaml.resolver.Resolver()
_BOOLS = yaml.constructor.SafeConstructor.bool_values
_STR = "tag:yaml.org,2002:str"


class _NotPlainError(Exception):
    """The document is not of the plain shape: read it another way."""


def _scalar(text: str) -> Any:
    """A one-line scalar (or an empty flow collection) as YAML reads it, a comment after it dropped."""
    if text[0] in "'\"":
        quote = text[0]
        end = text.find(quote, 1)
        while quote == "'" and end >= 0 and text[end + 1 : end + 2] == "'":  # '' is a quote inside
            end = text.find(quote, end + 2)
        rest = text[end + 1 :] if end >= 0 else "#"
        inside = text[1:end]
        if (rest.strip() and not (rest[0] == " " and rest.lstrip(" ").startswith("#"))) or (
            quote == '"' and "\\" in inside
        ):
            raise _NotPlainError
        return inside.replace("''", "'") if quote == "'" else inside
    if text[0] in "[{" and (body := text.split(" #", 1)[0].rstrip(" ")) in ("[]", "{}"):
        return [] if body == "[]" else {}  # an empty list or mapping (`vendors: []`)
    if text[0] in _PLAIN_FIRST:
        raise _NotPlainError
    comment = text.find(" #")
    value = (text if comment < 0 else text[:comment]).rstrip(" ")
    if ": " in value or value.endswith(":"):
        raise _NotPlainError
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOLS[value.lower()]
    if tag == "tag:yaml.org,2002:int" and _INT.fullmatch(value):
        return int(value)
    raise _NotPlainError


def _tokens(text: str) -> list[tuple[int, int, str, str | None]]:
    """(line, column, key or "-" for a list item, the text after `key:` / `- ` or None) for each line, a list
    item holding a `key: value` giving two tokens (the item, then its key at its own column)."""
    out: list[tuple[int, int, str, str | None]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        column = len(line) - len(content)
        if content.startswith("- "):
            value = content[2:].lstrip(" ")
            if not value or value.startswith(("#", "- ")):
                raise _NotPlainError
            out.append((number, column, "-", None))
            column += len(content) - len(value)
            content = value
            name = _NAME.match(content)
            if name is None or content[name.end() : name.end() + 2] not in (": ", ":"):
                out.append((number, column, "", content))  # a scalar item
                continue
        name = _NAME.match(content)
        if name is None or content[name.end() : name.end() + 1] != ":":
            raise _NotPlainError
        key, rest = name.group(), content[name.end() + 1 :]
        if rest and rest[0] != " ":
            raise _NotPlainError
        value = rest.lstrip(" ")
        if _RESOLVER.resolve(yaml.ScalarNode, key, (True, False)) != _STR:  # type: ignore[no-untyped-call]
            raise _NotPlainError
        out.append((number, column, key, value if value and not value.startswith("#") else None))
    return out


class _Lines:
    """A recursive reading of `_tokens`: each block mapping and list at its column, as libyaml composes them."""

    def __init__(self, tokens: list[tuple[int, int, str, str | None]], max_depth: int) -> None:
        self.tokens, self.max_depth, self.i = tokens, max_depth, 0
        self.lines: list[tuple[int, str]] = []

    def at(self, column: int, item: bool) -> bool:
        if self.i >= len(self.tokens):
            return False
        _, col, key, _ = self.tokens[self.i]
        return col == column and (key == "-") == item and key != ""

    # `depth`: the enclosing collections'; this one is one deeper, and its keys or items two (as in `_read_plain`).
    def mapping(self, column: int, path: str, depth: int) -> dict[str, Any]:
        if depth + 2 > self.max_depth:
            raise _NotPlainError
        out: dict[str, Any] = {}
        while self.at(column, item=False):
            line, _, key, value = self.tokens[self.i]
            if key in out:
                raise _NotPlainError
            sub = f"{path}.{key}" if path else key
            self.lines.append((line, sub))
            self.i += 1
            if value is not None:
                out[key] = _scalar(value)
            elif self.i < len(self.tokens) and self.tokens[self.i][2] == "-" and self.tokens[self.i][1] >= column:
                out[key] = self.sequence(self.tokens[self.i][1], sub, depth + 1)
            elif self.i < len(self.tokens) and self.tokens[self.i][1] > column:
                out[key] = self.mapping(self.tokens[self.i][1], sub, depth + 1)
            else:
                out[key] = None
        return out

    def sequence(self, column: int, path: str, depth: int) -> list[Any]:
        if depth + 2 > self.max_depth:
            raise _NotPlainError
        out: list[Any] = []
        while self.at(column, item=True):
            line = self.tokens[self.i][0]
            sub = f"{path}[{len(out)}]"
            self.lines.append((line, sub))
            self.i += 1
            _, col, key, value = self.tokens[self.i]  # an item is followed by its content's token
            if key == "":
                assert value is not None
                out.append(_scalar(value))
                self.i += 1
            else:
                out.append(self.mapping(col, sub, depth + 1))
        return out


def _read_lines(text: str, max_depth: int) -> tuple[Any, list[tuple[int, str]]] | None:
    """(value, key lines) of a document of the plain shape, or None."""
    if not text or any(c in _NOT_PLAIN for c in set(text)) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        reading = _Lines(_tokens(text), max_depth)
        if not reading.tokens or reading.tokens[0][1] != 0:
            return None
        value = reading.mapping(0, "", 0)
    except (_NotPlainError, RecursionError):  # RecursionError: a yaml_depth raised far above the default
        return None
    if reading.i != len(reading.tokens):
        return None
    return value, reading.lines


def read_yaml_bytes(data: bytes, file: str, limits: Limits | None = None) -> YamlDocument:
    """Parse a strict YAML document. Raises only `FileReadError`."""
    limits = limits or Limits.from_env()
    if len(data) > limits.yaml_bytes:
        raise too_big(file, f"{len(data):,} bytes", f"{limits.yaml_bytes:,} bytes", "yaml_bytes")
    text = decode_utf8(data, file)
    fast = _read_lines(text, limits.yaml_depth) or _read_plain(text, limits.yaml_depth)
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
