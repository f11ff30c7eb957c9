"""Keep credentials out of logs: a redactor for text and a logging filter that applies it.

Redacted: `Bearer …` values, JWT-looking strings, PEM blocks, `assertion=` form fields, `access_token` JSON
fields, Altinn person URNs (they carry a national identity number), and any value registered with
`remember_secret` (Maskinporten tokens may be opaque, so only an exact match finds them).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Iterable

from altinn_analysis.secret_guard import (
    ASSERTION_FIELD,
    BEARER,
    JWT_CANDIDATE,
    PEM_BLOCK,
    PERSON_URN,
    TOKEN_FIELD,
)

__all__ = ["REDACTED", "RedactingFilter", "install_log_redaction", "redact_secrets", "remember_secret"]

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (PEM_BLOCK, f"[PEM block {REDACTED}]"),
    (BEARER, f"Bearer {REDACTED}"),
    (JWT_CANDIDATE, f"[JWT {REDACTED}]"),
    (ASSERTION_FIELD, rf"\g<1>{REDACTED}"),
    (TOKEN_FIELD, rf'\1"{REDACTED}"'),
    (PERSON_URN, rf"\g<1>{REDACTED}"),
)

# Exact values to redact wherever they appear (newest tokens, key passwords). Bounded: old tokens have expired.
_KNOWN: deque[str] = deque(maxlen=64)
_KNOWN_LOCK = threading.Lock()
_MIN_KNOWN = 6  # shorter values would redact ordinary words


def remember_secret(value: str | None) -> None:
    """Redact `value` from every later log record (tokens, passwords). Short values are ignored."""
    if not value or len(value) < _MIN_KNOWN:
        return
    with _KNOWN_LOCK:
        if value not in _KNOWN:
            _KNOWN.append(value)


def redact_secrets(text: str) -> str:
    """`text` with bearer tokens, JWTs, PEM blocks, assertions, person URNs and remembered secrets replaced."""
    with _KNOWN_LOCK:
        known = sorted(_KNOWN, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and formatted traceback) through `redact_secrets`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own error handling
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Format the traceback now, redacted, so that handlers use this text instead of formatting it again.
            record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True


# A logger's filters see only the records created on that very logger (not those of its children), so every
# logger that may carry a request, a response or an error gets the filter.
DEFAULT_LOGGERS: tuple[str, ...] = (
    "altinn_analysis",
    "altinn_analysis.sources",
    "altinn_analysis.sources.maskinporten",
    "altinn_analysis.sources.consents",
    "altinn_analysis.catalogue",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_FILTER = RedactingFilter()


def install_log_redaction(names: Iterable[str] = ()) -> None:
    """Add the redacting filter to the package's loggers, httpx's and httpcore's, and `names` (idempotent).

    Also covers every `altinn_analysis.*` logger that exists at the time of the call.
    """
    existing = [n for n in logging.root.manager.loggerDict if n.startswith("altinn_analysis.")]
    for name in (*DEFAULT_LOGGERS, *existing, *names):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
