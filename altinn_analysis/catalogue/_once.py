"""Each catalogue loaded once per process: a notebook or a pull that loads the same folder several times (the
inventory's defaults, the replay, the assessment) reads, checks and builds it once. Keyed by the folder and the
bytes of every file the loader reads, so an edited file is read again and a broken one still raises."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["load_once"]

T = TypeVar("T")

_KEEP = 8  # folders remembered; a test suite's many temporary catalogues do not pile up
_CACHE: dict[tuple[str, str, str, str], object] = {}
_LOCK = threading.Lock()


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.blake2b(digest_size=32)
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = None  # the loader reports what is missing or unreadable
        digest.update(path.name.encode() + b"\0")
        digest.update(b"-" if data is None else b"%d\0" % len(data) + data)
    return digest.hexdigest()


def load_once(kind: str, directory: Path, files: Iterable[str], load: Callable[[Path], T]) -> T:
    """`load(directory)`, or the object a previous call made from the same folder with the same file contents.
    Only a successful load is remembered. The object is shared: callers treat catalogues as read-only."""
    # The path as given too: the object keeps it (`directory`), and a report shows where its catalogue came from.
    key = (kind, str(directory), str(directory.resolve()), _digest(directory / name for name in files))
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    loaded = load(directory)
    with _LOCK:
        while len(_CACHE) >= _KEEP:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = loaded
    return loaded
