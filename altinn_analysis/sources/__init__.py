"""All I/O: the Altinn metadata API client, the replay transport and the snapshot store."""

from altinn_analysis.sources._client import (
    ENVIRONMENTS,
    AltinnAPIError,
    AltinnClient,
    AltinnNotFoundError,
    AltinnResponseError,
    AltinnUnavailableError,
    RetryPolicy,
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
    "ENVIRONMENTS",
    "SCHEMA_VERSION",
    "AltinnAPIError",
    "AltinnClient",
    "AltinnNotFoundError",
    "AltinnResponseError",
    "AltinnUnavailableError",
    "Manifest",
    "ReplayMissError",
    "ReplayTransport",
    "RetryPolicy",
    "SnapshotError",
    "SnapshotIntegrityError",
    "TableInfo",
    "read_manifest",
    "read_snapshot",
    "write_snapshot",
]
