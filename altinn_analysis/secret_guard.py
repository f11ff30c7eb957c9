"""Secrets and personal data never reach a report: a guard for report parameters and a scanner for outputs.

```python
from altinn_analysis.secret_guard import check_parameters, scan_path

check_parameters({"org_number": "910000004", "as_of": "2026-09-01"})  # SecretParameterError if one looks secret
for finding in scan_path("reports/910000004", known_secrets=[key_password]):
    print(finding)  # reports/910000004/report.html:812: jwt — the location and kind, never the value
```

A parameter is refused when its name contains key, token, password, passwd, passphrase, secret, credential,
assertion or private, or when its value (also inside lists and dicts) holds a PEM block, a JWT, a `Bearer`
value, a long random-looking string or a national identity number. Papermill writes parameters into the
executed notebook, so whatever passes here is copied into every output.

The scanner looks for private keys, JWTs, bearer tokens, `access_token` fields, given known secrets (also
JSON-, HTML- and URL-escaped) and national identity numbers with valid check digits, in any file: text
(.ipynb, .html, .json, .log, …), zip containers (.xlsx: every XML part) and Parquet (every string and integer
column, and the file's metadata). Findings say where and what, never the value found.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import html
import itertools
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, quote_plus

from altinn_analysis.checks import is_national_identity_number

__all__ = [
    "CREDENTIAL_PREFILTER",
    "SECRET_NAME_WORDS",
    "Finding",
    "SecretParameterError",
    "check_parameters",
    "credential_kind",
    "looks_secret",
    "scan_path",
    "scan_text",
    "scrub",
]

SECRET_NAME_WORDS = (
    "key",
    "token",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "credential",
    "assertion",
    "private",
)

# The secret patterns, defined once: this guard, the output scanner and the log redactor
# (`sources.redact_secrets`) all use these.
PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]+-----")
# A whole PEM block, or a BEGIN line and the base64 after it when the END line was cut off.
PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(?:.*?-----END \1-----|[A-Za-z0-9+/=\s]*)", re.DOTALL)
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# A JWT's header is base64url JSON: `{"` encodes to `ey`, `{\n` / `{\t` to `ew`. Then two more segments.
JWT_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_-])(e[yw][A-Za-z0-9_-]{6,})\.([A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]*)")
# `Bearer` and whatever follows it (redaction), a value long enough to be a credential (parameters), and a
# token-shaped value with a digit (the output scanner, where prose says "bearer token" often).
BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*")
BEARER_VALUE = re.compile(r"(?i)\bbearer\s+\S{8,}")
BEARER_TOKEN = re.compile(r"(?i)\bbearer\s+(?=[A-Za-z0-9\-._~+/]*[0-9])[A-Za-z0-9\-._~+/]{16,}=*")
ACCESS_TOKEN = re.compile(r"(?i)(?:\"access_token\"\s*:\s*\"[^\"]{8,}\"|\baccess_token=[^&\s\"']{8,})")
# JSON fields and form fields that carry a credential, and Altinn person URNs (they hold an identity number).
TOKEN_FIELD = re.compile(r"(?i)(\"(?:access_token|assertion|id_token|refresh_token)\"\s*:\s*)\"[^\"]*\"")
ASSERTION_FIELD = re.compile(r"(?i)(\bassertion=)[^&\s'\"]+")
PERSON_URN = re.compile(r"(urn:altinn:person:identifier-no:)[0-9]+")
# 11 digits, or 6 + 5 with one separator, not inside a longer digit run and not the decimals of a number.
IDENTITY_NUMBER = re.compile(r"(?<![0-9])(?<![0-9][.,])([0-9]{6})[ .\-]?([0-9]{5})(?![0-9])")
# base64 (`+`, `/`, `=`) and base64url (`-`, `_`) runs; `/` also separates path segments (see `_random_run`).
RANDOM_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")

# `IDENTITY_NUMBER` without its look-behinds, which `_identity_numbers` checks itself (much faster).
_DIGIT_RUN = re.compile(r"([0-9]{6})[ .\-]?([0-9]{5})(?![0-9])")
_ASCII_DIGITS = frozenset("0123456789")
# Cheap tests that must pass before a detector runs at all: most outputs hold no JWT header, no "bearer" and no
# "access_token", and a regular expression with look-behinds costs ~10 ms per 100 KB even when nothing matches.
_JWT_HINT = re.compile(r"e[yw][A-Za-z0-9_-]{6,}\.")
_BEARER_HINT = re.compile(r"(?i)bearer")
_ACCESS_TOKEN_HINT = re.compile(r"(?i)access_token")
# From this size on, a text is pre-filtered with pyarrow's RE2 (an executed notebook is ~200 KB).
_LARGE_TEXT = 32_768
_DIGIT_RUN_RE2 = r"[0-9]{6}[ .\-]?[0-9]{5}"
# The lines of a large text any detector can match in, found by one RE2 pass over its lines: a detector's literal
# hint (case as in the hint above), or an identity number's digits where `IDENTITY_NUMBER`'s look-arounds allow one
# (RE2 has none: the characters around the digits are matched instead). A superset of every match's line; most lines
# of a report hold none (a hash or an id with 11 digits in a row is a candidate, checked in Python as before).
_HINTED_LINE_RE2 = (
    r"(?i:bearer|access_token)|e[yw][A-Za-z0-9_-]{6,}\."
    r"|(?:^|[^0-9.,]|[^0-9][.,]|^[.,])[0-9]{6}[ .\-]?[0-9]{5}(?:[^0-9]|$)"
)

# For Parquet: rows that cannot match any detector are skipped by a vectorised pre-filter.
_PREFILTER = r"(?i)(BEGIN|e[yw][A-Za-z0-9_-]{6,}\.|bearer|access_token|[0-9]{6}[ .\-]?[0-9]{5})"
_MIN_KNOWN = 4
_THREADED_PARQUET = 1 << 20  # bytes: a Parquet file this large is decoded by pyarrow's thread pool


class SecretParameterError(ValueError):
    """A parameter looks like a secret or personal data. The message names it, never its value."""

    def __init__(self, parameter: str, reason: str) -> None:
        self.parameter = parameter
        self.reason = reason
        super().__init__(
            f"parameter {parameter!r} looks like {reason}; secrets and personal data are never report parameters "
            "(give credentials through the environment, MASKINPORTEN_*)"
        )


@dataclass(frozen=True)
class Finding:
    """Something that must not be in an output: what kind, and where (file, part, line). Never the value."""

    kind: str  # private_key | jwt | bearer_token | access_token | known_secret | national_identity_number
    location: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.location}:{self.line}: {self.kind}" if self.line is not None else f"{self.location}: {self.kind}"


# -- detectors ---------------------------------------------------------------------------------------------


def _is_jwt(match: re.Match[str]) -> bool:
    segment = match[1]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(header, dict)


def _jwts(text: str) -> Iterator[int]:
    for match in JWT_CANDIDATE.finditer(text):
        if _is_jwt(match):
            yield match.start()


def _identity_numbers(text: str) -> Iterator[int]:
    """Where `IDENTITY_NUMBER` matches with valid check digits. Its look-behinds, tried at every position of
    the text, cost more than everything else in a scan; `_DIGIT_RUN` (the same pattern without them) is checked
    in Python instead, with the same matches: no match of the full pattern starts inside a rejected run."""
    if len(text) >= _LARGE_TEXT:
        return _identity_numbers_by_line(text)
    return _identity_numbers_in(text)


def _identity_numbers_in(text: str) -> Iterator[int]:
    for match in _DIGIT_RUN.finditer(text):
        start = match.start()
        before = text[start - 1] if start else ""
        if before and (before in _ASCII_DIGITS or (before in ".," and start > 1 and text[start - 2] in _ASCII_DIGITS)):
            continue  # inside a longer digit run, or the decimals of a number
        if is_national_identity_number(match[1] + match[2]):
            yield start


def _identity_numbers_by_line(text: str) -> Iterator[int]:
    """`_identity_numbers` of a large text: the same positions. No match spans a line (the pattern has no line
    break) and a line break is neither a digit nor a separator, so each line is searched alone; pyarrow's RE2,
    ~100x faster than `re` here, first keeps the lines that can hold one (`_DIGIT_RUN` without its look-ahead)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = text.split("\n")
    try:
        candidates = pc.indices_nonzero(pc.match_substring_regex(pa.array(lines), _DIGIT_RUN_RE2)).to_pylist()
    except (UnicodeEncodeError, pa.ArrowException):  # a lone surrogate is no UTF-8: search it all with `re`
        yield from _identity_numbers_in(text)
        return
    for i in candidates:
        start = sum(map(len, lines[:i])) + i  # the line's offset: the lines before it and their line breaks
        for pos in _identity_numbers_in(lines[i]):
            yield start + pos


def _hinted_lines(text: str) -> list[tuple[int, str]] | None:
    """The lines of `text` that `_HINTED_LINE_RE2` finds, each with its offset in `text`; None when pyarrow cannot
    take the text (a lone surrogate is no UTF-8). No match of any detector spans a line where the hints are
    looked for (`_scan`), and a line break is neither a digit nor a separator."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = text.split("\n")
    try:
        found = pc.indices_nonzero(pc.match_substring_regex(pa.array(lines), _HINTED_LINE_RE2)).to_pylist()
    except (UnicodeEncodeError, pa.ArrowException):
        return None
    hinted, offset, last = [], 0, 0
    for i in found:
        offset += sum(map(len, lines[last:i])) + i - last  # the lines in between and their line breaks
        last = i
        hinted.append((offset, lines[i]))
    return hinted


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _random_looking(run: str) -> bool:
    """A key or token rather than a word, path or id: mixed case and digits, dense, changing class constantly.

    Random base64 switches between upper, lower and digit at about 60 % of positions; names, paths and
    CamelCase stay under 30 %. Hex hashes and UUIDs have no upper case and pass.
    """
    chars = [c for c in run if c.isalnum()]
    if len(chars) < 20 or not (any(c.isupper() for c in chars) and any(c.islower() for c in chars)):
        return False
    if not any(c.isdigit() for c in chars):
        return False
    kinds = ["u" if c.isupper() else "l" if c.islower() else "d" for c in chars]
    switches = sum(a != b for a, b in itertools.pairwise(kinds)) / (len(kinds) - 1)
    return switches >= 0.4 and _entropy("".join(chars)) >= 3.5


def _random_run(run: str) -> bool:
    """A run of base64 characters that is a key or token. A run with `/` but no other base64 marker (`+`, a
    trailing `=`) is a path: `/data/Sparebank/2026/q3/q3/q3` is judged segment by segment, not as one string."""
    if "/" in run and "+" not in run and not run.endswith("="):
        return any(_random_looking(part) for part in run.split("/"))
    return _random_looking(run)


def scrub(text: str) -> str:
    """`text` with PEM blocks, JWTs, bearer values and identity numbers replaced: for quoting input in a
    message."""
    text = PEM_BLOCK.sub("[PEM block removed]", text)
    text = PEM_BEGIN.sub("[PEM removed]", text)
    text = JWT_CANDIDATE.sub("[JWT removed]", text)
    text = BEARER.sub("Bearer [removed]", text)
    return IDENTITY_NUMBER.sub("[11 digits removed]", text)


# A vectorised pre-filter (polars' regex has no look-arounds) for `credential_kind`.
CREDENTIAL_PREFILTER = r"-----BEGIN |e[yw][A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{2,}\.|[Bb][Ee][Aa][Rr][Ee][Rr]\s+\S{8}"


def credential_kind(value: str) -> str | None:
    """ "a PEM block", "a JWT" or "a bearer token" when `value` holds one, else None (never the value)."""
    if PEM_BEGIN.search(value):
        return "a PEM block"
    if any(True for _ in _jwts(value)):
        return "a JWT"
    if BEARER_VALUE.search(value):
        return "a bearer token"
    return None


def looks_secret(value: str) -> str | None:
    """Why `value` looks like a secret or personal data ("a JWT", …), or None. Never returns the value."""
    if kind := credential_kind(value):
        return kind
    if any(True for _ in _identity_numbers(value)):
        return "a national identity number"
    if any(_random_run(m[0]) for m in RANDOM_RUN.finditer(value)):
        return "a key or token (a long random-looking string)"
    return None


# -- parameters --------------------------------------------------------------------------------------------


def _secret_name(name: str) -> bool:
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    return any(word in flat for word in SECRET_NAME_WORDS)


def _check(name: str, value: object) -> None:
    if value is None or isinstance(value, bool | float | date | datetime):
        return
    if isinstance(value, int):
        digits = str(abs(value))
        # An identity number given as a number loses its leading zero.
        if any(is_national_identity_number(d) for d in (digits, digits.zfill(11))):
            raise SecretParameterError(name, "a national identity number")
        return
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, PurePath):
        value = str(value)
    if isinstance(value, str):
        reason = looks_secret(value)
        if reason:
            raise SecretParameterError(name, reason)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{name}.{key}"
            if _secret_name(str(key)):
                raise SecretParameterError(child, "a secret (by its name)")
            reason = looks_secret(str(key))
            if reason:
                raise SecretParameterError(child, reason)
            _check(child, item)
        return
    if isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            _check(f"{name}[{i}]", item)
        return
    _check(name, str(value))


def check_parameters(params: Mapping[str, object]) -> None:
    """Refuse (`SecretParameterError`) a parameter whose name or value looks like a secret or personal data."""
    for name, value in params.items():
        if _secret_name(str(name)):
            raise SecretParameterError(str(name), "a secret (by its name)")
        _check(str(name), value)


# -- scanning outputs --------------------------------------------------------------------------------------


def _variants(secret: str) -> set[str]:
    """The forms a secret takes once written into JSON, HTML or a URL."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
        quote(secret, safe=""),
        quote_plus(secret),
    }


def _known(known_secrets: Iterable[str]) -> list[set[str]]:
    out = []
    for secret in known_secrets:
        if len(secret) < _MIN_KNOWN:
            raise ValueError(f"a known secret must have at least {_MIN_KNOWN} characters to be scanned for")
        out.append(_variants(secret))
    return out


def _scan(text: str, location: str, known: list[set[str]]) -> list[Finding]:
    hits: list[tuple[int, str]] = []
    if "-----BEGIN " in text:
        hits += [(m.start(), "private_key") for m in PRIVATE_KEY.finditer(text)]
    # A large text's detectors look at the lines pyarrow's RE2 picked (`_hinted_lines`), not at every position.
    lines = _hinted_lines(text) if len(text) >= _LARGE_TEXT else None
    hinted = text if lines is None else "\n".join(line for _, line in lines)
    # each pattern's literal part, case as in the pattern: a superset of its matches, never a miss; a hint found
    # runs the detector over the whole text (a bearer token's blanks may span lines)
    if _JWT_HINT.search(hinted):
        hits += [(pos, "jwt") for pos in _jwts(text)]
    if _BEARER_HINT.search(hinted):
        hits += [(m.start(), "bearer_token") for m in BEARER_TOKEN.finditer(text)]
    if _ACCESS_TOKEN_HINT.search(hinted):
        hits += [(m.start(), "access_token") for m in ACCESS_TOKEN.finditer(text)]
    if lines is None:
        hits += [(pos, "national_identity_number") for pos in _identity_numbers(text)]
    else:
        hits += [
            (start + pos, "national_identity_number") for start, line in lines for pos in _identity_numbers_in(line)
        ]
    for forms in known:
        for form in forms:
            start = text.find(form)
            while start >= 0:
                hits.append((start, "known_secret"))
                start = text.find(form, start + 1)
    return [Finding(kind, location, text.count("\n", 0, pos) + 1) for pos, kind in sorted(set(hits))]


def scan_text(text: str, *, known_secrets: Iterable[str] = (), location: str = "<text>") -> list[Finding]:
    """Private keys, JWTs, bearer tokens, access tokens, `known_secrets` and identity numbers in `text`."""
    return _scan(text, location, _known(known_secrets))


def _scan_zip(path: Path, known: list[set[str]]) -> list[Finding]:
    """Every part of a zip container. The parts are first scanned as one text, one per line: a workbook's ~15 small
    XML parts cost a third as much that way, and nothing is missed: a line break is neither a digit nor part of a
    token, so whatever a part holds is found in the joined text too. Only when something is, each part is scanned
    on its own to say where."""
    with zipfile.ZipFile(path) as archive:
        parts = [
            (member.filename, archive.read(member).decode("utf-8", "replace"))
            for member in archive.infolist()
            if not member.is_dir()
        ]
    if not _scan("\n".join(text for _, text in parts), str(path), known):
        return []
    return [finding for name, text in parts for finding in _scan(text, f"{path}!{name}", known)]


def _string_columns(name: str, column: Any) -> Iterator[tuple[str, Any]]:
    """Every string-typed leaf of a (possibly nested) Arrow column, integers cast to strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = column.type
    if pa.types.is_dictionary(typ):
        column, typ = column.cast(typ.value_type), typ.value_type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        yield name, column
    elif pa.types.is_integer(typ):
        yield name, column.cast(pa.string())
    elif pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        yield name, pc.cast(column, pa.large_string(), safe=False)
    elif pa.types.is_list(typ) or pa.types.is_large_list(typ):
        yield from _string_columns(f"{name}[]", pc.list_flatten(column))
    elif pa.types.is_struct(typ):
        for i in range(typ.num_fields):
            yield from _string_columns(f"{name}.{typ.field(i).name}", pc.struct_field(column, [i]))


def _scan_parquet(path: Path, known: list[set[str]]) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # One file: `ParquetFile` skips `read_table`'s dataset set-up (~1.3 ms a file), and a small file is read on
    # this thread (handing a report's ~10 KB findings file to the pool costs more CPU than reading it).
    table = pq.ParquetFile(path).read(use_threads=path.stat().st_size > _THREADED_PARQUET)
    findings: list[Finding] = []
    metadata = table.schema.metadata or {}
    meta_text = "\n".join(f"{k.decode('utf-8', 'replace')}={v.decode('utf-8', 'replace')}" for k, v in metadata.items())
    findings += _scan(meta_text, f"{path} (metadata)", known)
    pattern = _PREFILTER
    literals = [re.escape(form) for forms in known for form in forms]
    if literals:
        pattern = f"{_PREFILTER}|{'|'.join(literals)}"
    columns = [leaf for name in table.column_names for leaf in _string_columns(name, table.column(name))]
    if not columns:
        return findings
    # All string columns as one array, so the pre-filter's regular expression is compiled and run once, not once
    # a column; a hit's index maps back to its column and row.
    chunks = [
        chunk.cast(pa.large_string())
        for _, column in columns
        for chunk in (column.chunks if isinstance(column, pa.ChunkedArray) else [column])
    ]
    values = pa.chunked_array(chunks, type=pa.large_string())
    starts = list(itertools.accumulate((len(column) for _, column in columns), initial=0))
    mask = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    for index in pc.indices_nonzero(mask).to_pylist():
        i = bisect.bisect_right(starts, index) - 1
        label, row = columns[i][0], index - starts[i]
        value = values[index].as_py()
        if isinstance(value, str):
            # One row numbering: as a spreadsheet would show it, the header being row 1.
            for f in _scan(value, f"{path}: column {label}, row {row + 2}", known):
                findings.append(Finding(f.kind, f.location))
    return findings


def _scan_file(path: Path, known: list[set[str]]) -> list[Finding]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _scan_parquet(path, known)
    if suffix in (".xlsx", ".xlsm", ".docx", ".pptx", ".zip") and zipfile.is_zipfile(path):
        return _scan_zip(path, known)
    return _scan(path.read_bytes().decode("utf-8", "replace"), str(path), known)


def scan_path(path: str | Path, *, known_secrets: Iterable[str] = ()) -> list[Finding]:
    """Scan a file, or every file under a folder, for what `scan_text` finds (see the module doc)."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"nothing to scan at {root}")
    known = _known(known_secrets)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    findings: list[Finding] = []
    for file in files:
        findings += _scan_file(file, known)
    return findings
