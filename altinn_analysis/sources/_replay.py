"""Recorded Altinn responses: served through `httpx.MockTransport` (`ReplayTransport`), and written (`ReplayWriter`).

A replay directory holds `index.json` (a list of `{method, host, path, query, headers, status, content_type,
body_file}`, optionally `response_headers`; `content_type: null` sends none) and the bodies it names.
Matching: method + host + path + query (order-insensitive); `headers` lists only the request headers the
answer depends on. A request without `Accept-Language` is served as `nb`, which is Altinn's default.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ReplayMissError", "ReplayTransport", "ReplayWriter"]

_DEFAULT_HEADERS = {"accept-language": "nb"}

Key = tuple[str, str, str, tuple[tuple[str, str], ...]]


class ReplayMissError(LookupError):
    """The replay has no recording for a request."""

    def __init__(self, request: httpx.Request, directory: Path) -> None:
        self.request = request
        lang = request.headers.get("accept-language")
        extra = f" (Accept-Language: {lang})" if lang else ""
        super().__init__(f"no recorded response for {request.method} {request.url}{extra} in replay {directory}")


def _first_language_tag(value: str) -> str:
    """`nb-NO,nb;q=0.9,en;q=0.8` → `nb`: Altinn picks the language by the first tag's primary subtag."""
    return value.split(",")[0].split(";")[0].strip().split("-")[0].lower()


class ReplayTransport(httpx.MockTransport):
    """An `httpx.MockTransport` answering from a recorded-response directory."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        index_file = self.directory / "index.json"
        try:
            entries = json.loads(index_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{index_file}: not a replay directory (index.json missing)") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{index_file}: invalid JSON: {exc}") from exc
        if not isinstance(entries, list):
            raise ValueError(f"{index_file}: expected a JSON array of recordings")
        self._entries: dict[Key, list[dict[str, Any]]] = defaultdict(list)
        for n, entry in enumerate(entries):
            try:
                key = self._key(entry["method"], entry["host"], entry["path"], entry.get("query") or {})
                missing = {"status", "body_file"} - set(entry)
                if missing:
                    raise KeyError(", ".join(sorted(missing)))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{index_file}: entry {n} lacks {exc}") from exc
            self._entries[key].append(entry)
        self._bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.requests: list[httpx.Request] = []
        super().__init__(self._handle)

    def __len__(self) -> int:
        return sum(len(v) for v in self._entries.values())

    @staticmethod
    def _key(method: str, host: str, path: str, query: dict[str, Any]) -> Key:
        return (method.upper(), host.lower(), path, tuple(sorted((k, str(v)) for k, v in query.items())))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        key = self._key(request.method, request.url.host, request.url.path, dict(request.url.params.multi_items()))
        for entry in self._entries.get(key, ()):
            if self._headers_match(entry.get("headers") or {}, request):
                headers = dict(entry.get("response_headers") or {})
                # `content_type: null` means the server sent no Content-Type at all.
                ctype = entry.get("content_type", "application/json")
                if ctype is not None:
                    headers["content-type"] = ctype
                return httpx.Response(
                    entry["status"], headers=headers, content=self._body(entry["body_file"]), request=request
                )
        raise ReplayMissError(request, self.directory)

    @staticmethod
    def _headers_match(wanted: dict[str, str], request: httpx.Request) -> bool:
        for name, value in wanted.items():
            have = request.headers.get(name, _DEFAULT_HEADERS.get(name.lower()))
            if have is None:
                return False
            if name.lower() == "accept-language":
                if _first_language_tag(have) != _first_language_tag(value):
                    return False
            elif have != value:
                return False
        return True

    def _body(self, body_file: str) -> bytes:
        with self._lock:
            if body_file not in self._bodies:
                path = (self.directory / body_file).resolve()
                if self.directory.resolve() not in path.parents:
                    raise ValueError(f"replay body {body_file!r} lies outside {self.directory}")
                self._bodies[body_file] = path.read_bytes()
            return self._bodies[body_file]


class ReplayWriter:
    """Writes a replay directory that `ReplayTransport` serves: each body as a file, then `index.json`.

    Every answer is recorded with status 200; `host` is the default host of `add`.
    """

    def __init__(self, directory: str | Path, *, host: str) -> None:
        self.directory = Path(directory)
        self.host = host
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        path: str,
        body: Any,
        file: str,
        *,
        host: str | None = None,
        query: dict[str, str] | None = None,
        method: str = "GET",
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        """Record the answer to `method host path?query`: `body` (text as is, anything else as compact JSON) in
        `file`, relative to the directory."""
        target = self.directory / file
        target.parent.mkdir(parents=True, exist_ok=True)
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text, encoding="utf-8")
        self.entries.append(
            {
                "method": method,
                "host": host or self.host,
                "path": path,
                "query": query or {},
                "headers": {},
                "status": 200,
                "content_type": content_type,
                "body_file": file,
            }
        )

    def write_index(self) -> None:
        """`index.json`, one recording a line."""
        lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in self.entries)
        (self.directory / "index.json").write_text(f"[\n{lines}\n]\n", encoding="utf-8")
