"""Synthetic sector-scale inventories: a seeded, vectorised generator for benchmarks and load tests.

```python
from altinn_analysis.synthetic import generate_sector, write_sector

summary = write_sector("/tmp/sector", generate_sector(130, seed=0))  # one folder per institution
for inst in generate_sector(3, seed=1):  # or in memory, one institution at a time
    inst.profile, inst.delegations, inst.consents, inst.integrations
```

Every generated institution is a folder `<out>/<org_number>/` in the inventory format of DESIGN.md §5:
`profile.yaml` plus `delegations.parquet`, `consents.parquet` and `integrations.parquet`. Names and org numbers
are fictional (org numbers start with 35, the vendors' with 39; both carry a valid mod-11 check digit), holder ids are
pseudonymous (`P-00042`, `EU-03`, `SU-sbl-01`), and nothing resembles a national identity number.

Generation is a pure function of the arguments (and the DSOP catalogue's service ids): the same seed gives
byte-identical files. The modules follow the steps: `_world` (format, dates, drawing helpers), `_sector` (the plan
and the loop), `_delegations`, `_consents`, `_integrations` (one table each) and `_write` (folders on disk).
The hand-made demo institutions in `data/institutions/` are separate; this package only makes bulk data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.synthetic._sector import (
        DemoInstitution,
        generate_sector,
        org_numbers,
    )
    from altinn_analysis.synthetic._world import (
        ALTINN2_CLOSED,
        AS_OF,
        CONSENT_SCHEMA,
        DELEGATION_SCHEMA,
        INTEGRATION_SCHEMA,
        Progress,
    )
    from altinn_analysis.synthetic._write import (
        SectorSummary,
        write_institution,
        write_sector,
    )

__all__ = [
    "ALTINN2_CLOSED",
    "AS_OF",
    "CONSENT_SCHEMA",
    "DELEGATION_SCHEMA",
    "INTEGRATION_SCHEMA",
    "DemoInstitution",
    "Progress",
    "SectorSummary",
    "generate_sector",
    "org_numbers",
    "write_institution",
    "write_sector",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
