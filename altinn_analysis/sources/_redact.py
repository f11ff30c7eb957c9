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

__all__ = ["REDACTED", "RedactingFilter", "install_log_redaction", "redact_secrets", "remember_secret"]

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A whole PEM block, or a BEGIN line and the base64 after it when the END line was cut off.
    (
        re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(?:.*?-----END \1-----|[A-Za-z0-9+/=\s]*)", re.DOTALL),
        f"[PEM block {REDACTED}]",
    ),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"), f"Bearer {REDACTED}"),
    # Three base64url segments; a JSON header always starts `eyJ` (`{"`), `eyA` or `ew` (`{ ` / `{\n`).
    (re.compile(r"\be(?:yJ|yA|w)[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), f"[JWT {REDACTED}]"),
    (re.compile(r"(?i)(\bassertion=)[^&\s'\"]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)(\"(?:access_token|assertion|id_token|refresh_token)\"\s*:\s*)\"[^\"]*\""), rf'\1"{REDACTED}"'),
    (re.compile(r"(urn:altinn:person:identifier-no:)[0-9]+"), rf"\g<1>{REDACTED}"),
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
