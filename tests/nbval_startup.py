"""A pytest plugin for the notebooks' nbval run (`-p nbval_startup`, named on the command line so that it loads
before nbval does): jsonschema, which nbval's nbformat imports, imports the optional `rfc3987_syntax` for its
"iri" format checks, and that builds an Earley parser of RFC 3987's grammar at import, ~1.7 s of CPU on this
machine. nbformat's notebook schema uses no format keyword and nbformat checks no formats, so nbval's run never
needs it. Marking the module absent makes jsonschema leave those two format checks out, as it does where the
package is not installed."""

from __future__ import annotations

import sys

if "jsonschema" not in sys.modules:  # too late otherwise: its formats are already registered
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
