"""All I/O: the Altinn metadata API client, the replay transport, the snapshot store, Maskinporten tokens, the
authenticated consent-request source, the pull of an institution's own Altinn 3 state, and the readers of input
files (CSV, XLSX and Parquet tables, strict YAML) under limits. Importing it installs
the log filter that redacts tokens and keys."""

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
    from altinn_analysis.sources._files import (
        atomic_file,
        atomic_path,
        fsync_dir,
        make_temp_dir,
        recover_dir,
        replace_dir,
        sha256_file,
        write_atomic,
        yaml_text,
    )
    from altinn_analysis.sources._json_record import (
        read_json_record,
    )
    from altinn_analysis.sources._limits import (
        LIMITS_HELP,
        Limits,
    )
    from altinn_analysis.sources._live import (
        PULL_SCOPES,
        PULL_SOURCES,
        PulledState,
        PullError,
        maskinporten_for_pull,
        pull_institution,
        replay_transport_for,
    )
    from altinn_analysis.sources._maskinporten import (
        MaskinportenAuth,
        MaskinportenError,
        MaskinportenTokenError,
        MaskinportenTokenProvider,
        MaskinportenUnavailableError,
    )
    from altinn_analysis.sources._maskinporten_config import (
        ENV_VARS,
        MASKINPORTEN_ENVIRONMENTS,
        MaskinportenConfigError,
        MaskinportenEnvironment,
        read_env_file,
    )
    from altinn_analysis.sources._maskinporten_key import MaskinportenKey, load_maskinporten_key
    from altinn_analysis.sources._parquet import ParquetFile, open_parquet, read_parquet_group
    from altinn_analysis.sources._pseudonym import (
        PSEUDONYM_KEY_ENV,
        Pseudonymizer,
        load_pseudonymizer,
    )
    from altinn_analysis.sources._pulled_store import (
        PULL_RECORD,
        write_pulled_inventory,
    )
    from altinn_analysis.sources._raw_table import (
        ROW,
        RawTable,
        TableLayout,
        normalise_header,
    )
    from altinn_analysis.sources._read_common import (
        FileReadError,
        file_kind,
        is_hidden,
        list_folder,
        not_regular,
        read_file,
    )
    from altinn_analysis.sources._redact import (
        REDACTED,
        RedactingFilter,
        install_log_redaction,
        redact_secrets,
        remember_secret,
    )
    from altinn_analysis.sources._replay import (
        ReplayMissError,
        ReplayTransport,
        ReplayWriter,
    )
    from altinn_analysis.sources._safety import (
        UnsafeOutputError,
        check_outputs,
        console_text,
        neutralise_cell,
        neutralise_frame,
        scan_outputs,
        strip_control,
    )
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
    from altinn_analysis.sources._tables import (
        TABLE_FORMATS,
        read_table,
        read_table_bytes,
    )
    from altinn_analysis.sources._xlsx import open_workbook
    from altinn_analysis.sources._xlsx_text import UNREAD, TextSheet, read_xlsx_text
    from altinn_analysis.sources._yaml_strict import (
        YamlDocument,
        read_yaml,
        read_yaml_bytes,
    )


__all__ = [
    "CONSENTS_SCHEMA",
    "CONSENT_REQUEST_SCOPE",
    "ENVIRONMENTS",
    "ENV_VARS",
    "LIMITS_HELP",
    "MASKINPORTEN_ENVIRONMENTS",
    "PSEUDONYM_KEY_ENV",
    "PULL_RECORD",
    "PULL_SCOPES",
    "PULL_SOURCES",
    "REDACTED",
    "ROW",
    "SCHEMA_VERSION",
    "TABLE_FORMATS",
    "UNREAD",
    "AltinnAPIError",
    "AltinnClient",
    "AltinnNotFoundError",
    "AltinnResponseError",
    "AltinnUnavailableError",
    "ConsentRequestClient",
    "ConsentRequestStatus",
    "FileReadError",
    "Limits",
    "Manifest",
    "MaskinportenAuth",
    "MaskinportenConfigError",
    "MaskinportenEnvironment",
    "MaskinportenError",
    "MaskinportenKey",
    "MaskinportenTokenError",
    "MaskinportenTokenProvider",
    "MaskinportenUnavailableError",
    "ParquetFile",
    "Pseudonymizer",
    "PullError",
    "PulledState",
    "RawTable",
    "RedactingFilter",
    "ReplayMissError",
    "ReplayTransport",
    "ReplayWriter",
    "RetryPolicy",
    "SnapshotError",
    "SnapshotIntegrityError",
    "TableInfo",
    "TableLayout",
    "TextSheet",
    "UnsafeOutputError",
    "YamlDocument",
    "atomic_file",
    "atomic_path",
    "check_outputs",
    "consents_table",
    "console_text",
    "file_kind",
    "fsync_dir",
    "install_log_redaction",
    "is_hidden",
    "list_folder",
    "load_maskinporten_key",
    "load_pseudonymizer",
    "make_temp_dir",
    "maskinporten_for_pull",
    "neutralise_cell",
    "neutralise_frame",
    "normalise_header",
    "not_regular",
    "open_parquet",
    "open_workbook",
    "parse_consent_request",
    "pull_institution",
    "read_env_file",
    "read_file",
    "read_json_record",
    "read_manifest",
    "read_parquet_group",
    "read_snapshot",
    "read_table",
    "read_table_bytes",
    "read_xlsx_text",
    "read_yaml",
    "read_yaml_bytes",
    "recover_dir",
    "redact_secrets",
    "remember_secret",
    "replace_dir",
    "replay_transport_for",
    "scan_outputs",
    "sha256_file",
    "strip_control",
    "write_atomic",
    "write_pulled_inventory",
    "write_snapshot",
    "yaml_text",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
