"""A demo replay written end to end: every answer a complete `pull` of a demo institution asks for, in the
order a pull asks (Enhetsregisteret, tokens, Access Management, Authentication, consents, Dialogporten), and
`pull_demo`, which records one and pulls from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from altinn_analysis.demo_replay._access import record_access, record_system_users
from altinn_analysis.demo_replay._consents import record_consents
from altinn_analysis.demo_replay._dialogs import record_dialogs
from altinn_analysis.demo_replay._fakes import People, stable_uuid
from altinn_analysis.demo_replay._registers import record_enhetsregisteret, record_tokens
from altinn_analysis.inventory import load_inventory
from altinn_analysis.sources import ReplayWriter

__all__ = ["DEMO_AS_OF", "DEMO_INSTITUTIONS", "pull_demo", "write_demo_replay"]

DEMO_INSTITUTIONS = Path(__file__).resolve().parents[2] / "data" / "institutions"

DEMO_AS_OF = date(2026, 11, 28)
PLATFORM = "platform.altinn.no"


def write_demo_replay(
    inventory_dir: str | Path, out: str | Path, *, as_of: date = DEMO_AS_OF, expired_sample: int = 5
) -> Path:
    """Write `out/index.json` and bodies answering a complete pull of the institution in `inventory_dir`."""
    inv = load_inventory(inventory_dir)
    org, out = inv.org_number, Path(out)
    people = People(org)
    recording = ReplayWriter(out, host=PLATFORM)
    deleg = inv.delegations
    reported = deleg.filter(pl.col("origin").is_null()) if "origin" in deleg.columns else deleg
    # The system user that pulls (registered by the institution itself).
    pulling, system_id = stable_uuid(org, "pulling-system-user"), f"{org}_altinn-arbeidsbenk"

    record_enhetsregisteret(recording, inv, reported, people)  # 1–2
    record_tokens(recording, org, pulling=pulling, system_id=system_id)  # 3–4
    own_system_users = record_access(recording, inv, reported, people, pulling=pulling, system_id=system_id)  # 5–7
    record_system_users(recording, inv, own_system_users)  # 8–9
    record_consents(recording, inv, people, expired_sample=expired_sample)  # 10–11
    record_dialogs(recording, org, people, as_of=as_of)  # 12
    recording.write_index()
    return out


def pull_demo(org: str, workdir: str | Path, *, catalogue: Any = None) -> Any:
    """Copy a demo institution to `workdir/institutions/`, record its Altinn 3 state to `workdir/replay/`, and pull
    from that recording into the copy (a throw-away pseudonym key: the people are synthetic). Returns the
    `PullResult`; the pulled inventory is `workdir/institutions/<org>`."""
    import secrets
    import shutil

    from altinn_analysis.catalogue import Catalogue
    from altinn_analysis.inventory import pull_into
    from altinn_analysis.sources import Pseudonymizer

    root = Path(workdir)
    target = root / "institutions" / org
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DEMO_INSTITUTIONS / org, target)
    write_demo_replay(DEMO_INSTITUTIONS / org, root / "replay" / org)
    return pull_into(
        org,
        root / "institutions",
        catalogue=catalogue or Catalogue.load(),
        replay_dir=root / "replay",
        pseudonymizer=Pseudonymizer(secrets.token_bytes(32)),
        as_of=DEMO_AS_OF,
    )
