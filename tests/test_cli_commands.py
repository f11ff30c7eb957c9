"""The root group builds a command when it is looked up (`cli.COMMANDS`): the table must name every command the
modules register, in the order `--help` lists them, and a run imports only the invoked command's module."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer.main

from altinn_analysis.cli import COMMANDS, app

ROOT = Path(__file__).resolve().parents[1]


def _name(info: Any) -> str:
    return str(info.name or typer.main.get_command_name(info.callback.__name__))


def _modules() -> dict[str, list[str]]:
    """Each registered command's or group's name -> the modules whose functions it runs (all command modules
    imported)."""
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"altinn_analysis.cli.{module}")
    found: dict[str, list[str]] = {}
    for info in app.registered_commands:
        found.setdefault(_name(info), []).append(info.callback.__module__)
    for group in app.registered_groups:
        assert group.typer_instance is not None
        subs = group.typer_instance.registered_commands
        found.setdefault(str(group.name), []).extend(sorted({s.callback.__module__ for s in subs if s.callback}))
    return found


def test_the_table_names_every_registered_command_and_its_module() -> None:
    found = _modules()
    assert sorted(found) == sorted(COMMANDS), "a command module registers a command cli.COMMANDS does not name"
    for name, module in COMMANDS.items():
        assert found[name] == [f"altinn_analysis.cli.{module}"], name


def test_help_lists_every_command_in_table_order() -> None:
    group = typer.main.get_command(app)
    assert list(group.list_commands(None)) == list(COMMANDS)  # type: ignore[attr-defined]
    assert sorted(group.commands) == sorted(COMMANDS)  # type: ignore[attr-defined]
    assert group.commands.get("nope") is None  # type: ignore[attr-defined]


def test_a_run_imports_only_the_invoked_command_module() -> None:
    probe = (
        "import json, sys\n"
        "from altinn_analysis.cli import main\n"
        "sys.argv = ['altinn-analysis', 'template', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('altinn_analysis.cli.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    commands = {f"altinn_analysis.cli.{m}" for m in COMMANDS.values()}
    assert [m for m in loaded if m in commands] == ["altinn_analysis.cli._template"]


def test_a_run_leaves_its_objects_to_the_exit() -> None:
    """`main` makes young collections rarer and freezes what is alive when the command ends, so that the
    interpreter's shutdown does not walk every object once more (start-up time; benchmarks/bench_cli.py)."""
    probe = (
        "import gc, sys\n"
        "from altinn_analysis.cli import GC_YOUNG_THRESHOLD, main\n"
        "sys.argv = ['altinn-analysis', 'template', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.get_threshold()[0] == GC_YOUNG_THRESHOLD, gc.get_freeze_count() > 1000)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "True True"
