"""Docs checked by tests: the CLI reference is generated from the commands, and README shows the essentials."""

from __future__ import annotations

from pathlib import Path

from altinn_analysis.cli._reference import render_cli_reference

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render_cli_reference(), "docs/cli.md is stale: run `make docs`"


def test_every_command_and_option_is_in_the_reference() -> None:
    import typer

    from altinn_analysis.cli import app
    from altinn_analysis.cli._reference import _commands

    text = render_cli_reference()
    for name, cmd in _commands(typer.main.get_command(app), "altinn-analysis"):
        assert f"## `{name}`" in text
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}`" in text, f"{name}: {opt} undocumented"


def test_readme_shows_the_two_commands_and_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme and "make test" in readme
    for command in ("validate", "assess", "sector", "report", "refresh", "catalogue summary", "demo generate"):
        assert f"altinn-analysis {command}" in readme, command
