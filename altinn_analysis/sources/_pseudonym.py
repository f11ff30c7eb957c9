"""Keyed pseudonyms for people met in pulled answers (ER role holders, persons with access).

A pseudonym is an HMAC-SHA256 of what identifies the person in the answer, under a local key that the tool
creates once, outside the repository (`~/.config/altinn-analysis/pseudonym.key`, or the file named by
`ALTINN_ANALYSIS_PSEUDONYM_KEY`). The same person gets the same pseudonym on every pull from the same machine;
without the key, a pseudonym cannot be turned back into a name, birth date or identity number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["PSEUDONYM_KEY_ENV", "Pseudonymizer", "default_key_path", "load_pseudonymizer"]

PSEUDONYM_KEY_ENV = "ALTINN_ANALYSIS_PSEUDONYM_KEY"
_KEY_BYTES = 32


def default_key_path() -> Path:
    """`$ALTINN_ANALYSIS_PSEUDONYM_KEY`, else the user's config folder (XDG), never the working tree."""
    named = os.environ.get(PSEUDONYM_KEY_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "altinn-analysis" / "pseudonym.key"


class Pseudonymizer:
    """`p(kind, value)` → `p-<16 hex>`; `kind` keeps namespaces apart (a party id is not a birth date)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key needs at least 16 bytes")
        self._key = key

    def __call__(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()
        return f"p-{digest[:16]}"

    def __repr__(self) -> str:
        return "Pseudonymizer(<key hidden>)"

    def __reduce__(self) -> str:
        raise TypeError("a pseudonym key is never serialised")


def load_pseudonymizer(path: str | Path | None = None) -> Pseudonymizer:
    """The key at `path` (default `default_key_path()`), created with owner-only rights on first use."""
    target = Path(path) if path is not None else default_key_path()
    try:
        key = target.read_bytes()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(_KEY_BYTES)
        try:
            # O_EXCL: two pulls starting at once must not each write a different key.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = target.read_bytes()
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
    except OSError as exc:
        raise OSError(f"cannot read the pseudonym key {target}: {exc.strerror or exc}") from None
    return Pseudonymizer(key)
