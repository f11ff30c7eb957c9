"""Recorded answers for `pull --replay`, generated from a demo inventory: the Altinn 3 state the inventory reports,
as Enhetsregisteret, Maskinporten, Access Management, Authentication and Dialogporten would answer it.

The answers follow the field names, casing, paging and formats of the pull contract (docs/pull.md). Everything in
them is synthetic (`_fakes`): people get fictional two-word names, birth dates and checksum-valid synthetic identity
numbers, so that tests can prove none of it reaches any output; tokens are fake JWTs. One module per API
(`_registers`, `_access`, `_consents`, `_dialogs`); `_replay` writes them all, through `sources.ReplayWriter`.

```python
write_demo_replay("data/institutions/316537200", "/tmp/replay/316537200")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.demo_replay._replay import DEMO_AS_OF, DEMO_INSTITUTIONS, pull_demo, write_demo_replay

__all__ = ["DEMO_AS_OF", "DEMO_INSTITUTIONS", "pull_demo", "write_demo_replay"]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
