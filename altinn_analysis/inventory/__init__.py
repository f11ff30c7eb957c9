"""One institution's inventory (DESIGN §5): load `data/institutions/<org_number>/`, validate it, normalise it.

```python
from altinn_analysis.inventory import load_inventory, validate_inventory

inv = load_inventory("data/institutions/910000004")  # InventoryError lists every problem
inv.profile.org_form, inv.delegations, inv.table("consents", pandas=True)
for problem in validate_inventory("some/folder"):  # never raises for bad content
    print(problem)  # consents.csv:7:valid_to: error: valid_to 2026-01-01 is before valid_from 2026-02-01
```

The format is declared once, as data, in `TABLE_SPECS` and `PROFILE_FIELDS`; `write_template(folder)` writes an
empty inventory from it to fill in, and `docs/inventory.md` is generated from it.
"""

from typing import TYPE_CHECKING, Any

from altinn_analysis.checks import (
    find_identity_numbers,
    is_national_identity_number,
    is_valid_org_number,
    national_id_check_digits,
    org_number_check_digit,
    redact_identity_numbers,
)
from altinn_analysis.inventory._inventory import Inventory, default_known_services, load_inventory, validate_inventory
from altinn_analysis.inventory._limits import LIMITS_HELP, Limits
from altinn_analysis.inventory._problem import InventoryError, Problem, Severity
from altinn_analysis.inventory._profile import Profile, Vendor
from altinn_analysis.inventory._readers import RawTable, inventory_files, other_files, read_table_bytes
from altinn_analysis.inventory._schema import (
    PROFILE_FIELDS,
    PROFILE_FILE,
    SCHEMAS,
    TABLE_SPECS,
    TABLE_SUFFIXES,
    TABLES,
    ColumnSpec,
    ProfileField,
    TableSpec,
)
from altinn_analysis.inventory._template import TemplateExistsError, TemplateFiles, write_template
from altinn_analysis.inventory._validate import CatalogueLookups

if TYPE_CHECKING:
    from altinn_analysis.inventory._pull import PullResult, pull_into


def __getattr__(name: str) -> Any:
    # `pull` needs the HTTP stack (httpx, cryptography): loaded on first use, not with every inventory import.
    if name in ("PullResult", "pull_into"):
        from altinn_analysis.inventory import _pull

        return getattr(_pull, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LIMITS_HELP",
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
    "load_inventory",
    "national_id_check_digits",
    "org_number_check_digit",
    "other_files",
    "pull_into",
    "read_table_bytes",
    "redact_identity_numbers",
    "validate_inventory",
    "write_template",
]
