"""One institution's inventory (DESIGN §5): load `data/institutions/<org_number>/`, validate it, normalise it.

```python
from altinn_analysis.inventory import load_inventories, load_inventory, validate_inventory

inv = load_inventory("data/institutions/910000004")  # InventoryError lists every problem
inv.profile.org_form, inv.delegations, inv.table("consents", pandas=True)
for problem in validate_inventory("some/folder"):  # never raises for bad content
    print(problem)  # consents.csv:7:valid_to: error: valid_to 2026-01-01 is before valid_from 2026-02-01

# A whole sector: the same results per folder, the tables of many institutions checked together (much faster).
for folder, loaded in zip(folders, load_inventories(folders)):  # an Inventory or the InventoryError, per folder
    ...
```

The format is declared once, as data, in `TABLE_SPECS` and `PROFILE_FIELDS`; `write_template(folder)` writes an
empty inventory from it to fill in, and `docs/inventory.md` is generated from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.checks import (
        find_identity_numbers,
        is_national_identity_number,
        is_valid_org_number,
        national_id_check_digits,
        org_number_check_digit,
        org_number_problem,
        redact_identity_numbers,
    )
    from altinn_analysis.inventory._files import (
        PROFILE_FILE,
        TABLE_SUFFIXES,
        TABLES,
        inventory_files,
    )
    from altinn_analysis.inventory._inventory import (
        Inventory,
        default_known_services,
        load_inventories,
        load_inventory,
        validate_inventories,
        validate_inventory,
    )
    from altinn_analysis.inventory._problem import (
        InventoryError,
        Problem,
        Severity,
    )
    from altinn_analysis.inventory._profile import (
        Profile,
        Vendor,
    )
    from altinn_analysis.inventory._pull import (
        PullResult,
        pull_into,
    )
    from altinn_analysis.inventory._readers import (
        other_files,
        read_table_bytes,
    )
    from altinn_analysis.inventory._schema import (
        CONSENT_STATUSES,
        GRANT_SOURCES,
        GRANT_TYPES,
        HOLDER_TYPES,
        INSTITUTION_TYPES,
        INTEGRATION_KINDS,
        INTEGRATION_STATUSES,
        PLATFORMS,
        PROFILE_FIELDS,
        SCHEMAS,
        TABLE_SPECS,
        ColumnSpec,
        ProfileField,
        TableSpec,
    )
    from altinn_analysis.inventory._template import (
        TemplateExistsError,
        TemplateFiles,
        write_template,
    )
    from altinn_analysis.inventory._validate import (
        CatalogueLookups,
    )
    from altinn_analysis.sources import (
        LIMITS_HELP,
        Limits,
        RawTable,
    )


__all__ = [
    "CONSENT_STATUSES",
    "GRANT_SOURCES",
    "GRANT_TYPES",
    "HOLDER_TYPES",
    "INSTITUTION_TYPES",
    "INTEGRATION_KINDS",
    "INTEGRATION_STATUSES",
    "LIMITS_HELP",
    "PLATFORMS",
    "PROFILE_FIELDS",
    "PROFILE_FILE",
    "SCHEMAS",
    "TABLES",
    "TABLE_SPECS",
    "TABLE_SUFFIXES",
    "CatalogueLookups",
    "ColumnSpec",
    "Inventory",
    "InventoryError",
    "Limits",
    "Problem",
    "Profile",
    "ProfileField",
    "PullResult",
    "RawTable",
    "Severity",
    "TableSpec",
    "TemplateExistsError",
    "TemplateFiles",
    "Vendor",
    "default_known_services",
    "find_identity_numbers",
    "inventory_files",
    "is_national_identity_number",
    "is_valid_org_number",
    "load_inventories",
    "load_inventory",
    "national_id_check_digits",
    "org_number_check_digit",
    "org_number_problem",
    "other_files",
    "pull_into",
    "read_table_bytes",
    "redact_identity_numbers",
    "validate_inventories",
    "validate_inventory",
    "write_template",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
