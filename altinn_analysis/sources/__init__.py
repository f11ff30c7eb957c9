"""All I/O: the Altinn metadata API client, the replay transport, the snapshot store, Maskinporten tokens and the
authenticated consent-request source. Names load on first use; the log filter that redacts tokens and keys is
installed when the Maskinporten module loads, before any token exists (the command line sets it on every handler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.sources._client import (
        ENVIRONMENTS,
        AltinnAPIError,
        AltinnClient,
        AltinnNotFoundError,
        AltinnResponseError,
        AltinnUnavailableError,
        RetryPolicy,
    )
    from altinn_analysis.sources._consents import (
        CONSENT_REQUEST_SCOPE,
        CONSENTS_SCHEMA,
        ConsentRequestClient,
        ConsentRequestStatus,
        consents_table,
        parse_consent_request,
    )
    from altinn_analysis.sources._maskinporten import (
        ENV_VARS,
        MASKINPORTEN_ENVIRONMENTS,
        MaskinportenAuth,
        MaskinportenConfigError,
        MaskinportenEnvironment,
        MaskinportenError,
        MaskinportenKey,
        MaskinportenTokenError,
        MaskinportenTokenProvider,
        MaskinportenUnavailableError,
        load_maskinporten_key,
        read_env_file,
    )
    from altinn_analysis.sources._redact import (
        REDACTED,
        RedactingFilter,
        install_log_redaction,
        redact_secrets,
        remember_secret,
    )
    from altinn_analysis.sources._replay import ReplayMissError, ReplayTransport
    from altinn_analysis.sources._snapshot import (
        SCHEMA_VERSION,
        Manifest,
        SnapshotError,
        SnapshotIntegrityError,
        TableInfo,
        read_manifest,
        read_snapshot,
        write_snapshot,
    )


__all__ = [
    "CONSENTS_SCHEMA",
    "CONSENT_REQUEST_SCOPE",
    "ENVIRONMENTS",
    "ENV_VARS",
    "MASKINPORTEN_ENVIRONMENTS",
    "REDACTED",
    "SCHEMA_VERSION",
    "AltinnAPIError",
    "AltinnClient",
    "AltinnNotFoundError",
    "AltinnResponseError",
    "AltinnUnavailableError",
    "ConsentRequestClient",
    "ConsentRequestStatus",
    "Manifest",
    "MaskinportenAuth",
    "MaskinportenConfigError",
    "MaskinportenEnvironment",
    "MaskinportenError",
    "MaskinportenKey",
    "MaskinportenTokenError",
    "MaskinportenTokenProvider",
    "MaskinportenUnavailableError",
    "RedactingFilter",
    "ReplayMissError",
    "ReplayTransport",
    "RetryPolicy",
    "SnapshotError",
    "SnapshotIntegrityError",
    "TableInfo",
    "consents_table",
    "install_log_redaction",
    "load_maskinporten_key",
    "parse_consent_request",
    "read_env_file",
    "read_manifest",
    "read_snapshot",
    "redact_secrets",
    "remember_secret",
    "write_snapshot",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
