"""The scheduling recipes (docs/scheduling.md and deploy/) hold: every `altinn-analysis` command line in them parses
against the real command line, the cron schedules are valid, the systemd units have what the doc says and pass
`systemd-analyze verify`, the GitHub workflow is complete, and a repeated run with nothing changed takes seconds.

Not tested here (documented only): that cron, systemd or GitHub actually start the jobs, `flock` waiting, log
rotation, the Actions caches and artifacts on GitHub's side, and a multi-machine Dask cluster (the Dask executor
itself is tested against a LocalCluster in test_runner.py).
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scheduling.md"
SERVICE = ROOT / "deploy" / "systemd" / "altinn-analysis-report.service"
TIMER = ROOT / "deploy" / "systemd" / "altinn-analysis-report.timer"
WORKFLOW = ROOT / "deploy" / "github" / "reports.yml"
CHECKOUT = "/opt/altinn-analysis"  # where the recipes put the checkout
CONSOLE_SCRIPT = Path(sys.executable).parent / "altinn-analysis"

# --------------------------------------------------------------------------------------------------------------------
# Finding the command lines


def _fenced_blocks(text: str) -> list[tuple[str, str, int]]:
    """(info string, body, line number of the first body line) of every ``` block."""
    return [
        (m.group(1), m.group(2), text.count("\n", 0, m.start(2)) + 1)
        for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    ]


def _outside_fences(text: str) -> str:
    # Blank out the fenced blocks, keeping line numbers.
    return re.sub(r"^```\w*\n.*?^```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.MULTILINE | re.DOTALL)


def _logical_lines(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each with the number of its first line."""
    out: list[tuple[int, str]] = []
    pending, start = "", first_line
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((start, pending + line))
        pending = ""
    if pending:
        out.append((start, pending))
    return out


# The program itself: `altinn-analysis`, `.venv/bin/altinn-analysis`, `ExecStart=/opt/…/.venv/bin/altinn-analysis`;
# not `/opt/altinn-analysis` (the checkout folder) or `altinn-analysis-report.service`.
_EXECUTABLE = re.compile(r"^(?:\w+=)?(?:.*/bin/)?altinn-analysis$")
_MENTIONS_EXECUTABLE = re.compile(r"(?:^|[\s=])(?:\S*/bin/)?altinn-analysis(?:\s|$)")
_SHELL_OPERATORS = re.compile(r"^[;&|<>()]+$")


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _commands_in_line(line: str) -> list[list[str]]:
    """Each `altinn-analysis …` in a shell line, from the program to the first shell operator (&&, >>, |, ;, &)."""
    if not _MENTIONS_EXECUTABLE.search(line):
        return []  # prose, YAML, INI: only lines that run the program are read as shell
    tokens = _tokens(line)
    commands: list[list[str]] = []
    i = 0
    while i < len(tokens):
        if not _EXECUTABLE.match(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and not _SHELL_OPERATORS.match(tokens[j]):
            j += 1
        args = tokens[i + 1 : j]
        if args and args[-1].isdigit() and j < len(tokens) and tokens[j][0] in "<>":
            args = args[:-1]  # the 2 of 2>&1
        commands.append(["altinn-analysis", *args])
        i = j
    return commands


def _commands_in(path: Path) -> list[tuple[str, list[str]]]:
    """(file:line, argv) of every `altinn-analysis` command line in a doc (code blocks and `inline code`) or file."""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix()
    found: list[tuple[str, list[str]]] = []
    if path.suffix == ".md":
        lines = [ln for _, body, first in _fenced_blocks(text) for ln in _logical_lines(body, first)]
        for number, line in enumerate(_outside_fences(text).splitlines(), start=1):
            lines += [(number, span) for span in re.findall(r"`([^`\n]+)`", line)]
    else:
        lines = _logical_lines(text)
    for number, line in sorted(lines):
        if line.lstrip().startswith("#"):
            continue
        found += [(f"{rel}:{number}", argv) for argv in _commands_in_line(line)]
    return found


ALL_COMMANDS = [c for p in (DOC, SERVICE, TIMER, WORKFLOW) for c in _commands_in(p)]

# Shell variables in the recipes' loops, with a value of the kind they take, so the full parse checks the rest.
SHELL_VALUES = {"$day": "2026-06-30", "$lang": "en"}

# --------------------------------------------------------------------------------------------------------------------
# Checking a command line against the real CLI


def _root_command() -> Any:
    import typer

    from altinn_analysis.cli import app

    return typer.main.get_command(app)


def _option_names(cmd: Any) -> dict[str, Any]:
    names: dict[str, Any] = {"--help": None}
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "option":
            for opt in [*param.opts, *param.secondary_opts]:
                names[opt] = param
    return names


def _check_command(argv: list[str]) -> tuple[str, dict[str, Any]]:
    """Walk argv through the command groups as the CLI does; every option must exist; then let click parse the
    rest (types, choices). Returns the command path and its parsed parameters."""
    cmd, path, args = _root_command(), ["altinn-analysis"], argv[1:]
    while hasattr(cmd, "list_commands"):
        options = _option_names(cmd)
        while args and args[0].startswith("-"):  # group options (--verbose) come before the subcommand
            assert args[0] in options, f"{' '.join(path)}: no option {args[0]}"
            args = args[1:]
        ctx = cmd.make_context(path[-1], [], resilient_parsing=True)
        names = cmd.list_commands(ctx)
        assert args, f"{' '.join(path)} needs a command, one of {names}"
        assert args[0] in names, f"{' '.join(path)}: no command {args[0]!r} (there are {names})"
        cmd = cmd.get_command(ctx, args[0])
        path, args = [*path, args[0]], args[1:]
    options = _option_names(cmd)
    for arg in args:
        if arg.startswith("-") and arg != "-":
            name = arg.split("=", 1)[0]
            assert name in options, f"{' '.join(path)}: no option {name} (it has {sorted(options)})"
    concrete = []
    for arg in args:
        for var, value in SHELL_VALUES.items():
            arg = arg.replace(var, value)
        assert "$" not in arg, f"add a sample value for the shell variable in {arg!r} to SHELL_VALUES"
        concrete.append(arg)
    ctx = cmd.make_context(path[-1], concrete)
    return " ".join(path[1:]), dict(ctx.params)


def test_the_recipes_have_their_commands() -> None:
    by_file: dict[str, list[str]] = {}
    for where, argv in ALL_COMMANDS:
        by_file.setdefault(where.split(":")[0], []).append(" ".join(argv))
    doc = by_file["docs/scheduling.md"]
    assert any("report --all --as-of today" in c for c in doc)
    assert any(c.endswith("refresh") for c in doc)
    assert any("--executor dask --scheduler tcp://" in c for c in doc)
    assert by_file["deploy/systemd/altinn-analysis-report.service"] == ["altinn-analysis report --all --as-of today"]
    assert by_file["deploy/github/reports.yml"] == ["altinn-analysis report --all --as-of today"]


@pytest.mark.parametrize(("where", "argv"), ALL_COMMANDS, ids=[w for w, _ in ALL_COMMANDS])
def test_every_command_line_parses_against_the_cli(where: str, argv: list[str]) -> None:
    from altinn_analysis.checks import parse_as_of

    if len(argv) == 1:
        return  # the program named in prose, no command line
    name, params = _check_command(argv)
    if params.get("as_of"):
        parse_as_of(params["as_of"])  # a date or 'today'
    if name == "report" and any(arg.startswith("-") for arg in argv):  # a full command line, not its name in prose:
        # what the command checks before it runs
        assert bool(params["org"]) != bool(params["all_"]), f"{where}: --all or --org, one of them"
        if params["executor"].value == "dask":
            assert params["scheduler"], f"{where}: --executor dask needs --scheduler"


def test_the_command_checker_catches_mistakes() -> None:
    with pytest.raises(AssertionError, match="no command 'reports'"):
        _check_command(["altinn-analysis", "reports", "--all"])
    with pytest.raises(AssertionError, match="no option --as_of"):
        _check_command(["altinn-analysis", "report", "--all", "--as_of", "today"])
    with pytest.raises(Exception, match="spark"):
        _check_command(["altinn-analysis", "report", "--all", "--executor", "spark"])
    assert _commands_in_line("cd /opt/altinn-analysis && flock x .venv/bin/altinn-analysis refresh >> log 2>&1") == [
        ["altinn-analysis", "refresh"]
    ]
    assert _commands_in_line("ExecStart=/opt/altinn-analysis/.venv/bin/altinn-analysis report --all") == [
        ["altinn-analysis", "report", "--all"]
    ]


@pytest.mark.slow  # starts the dask CLI twice (~6 s of imports)
def test_the_dask_command_lines_use_real_options() -> None:
    """`dask scheduler` / `dask worker` lines: each --option is in that command's --help (no cluster is started)."""
    dask = Path(sys.executable).parent / "dask"
    assert dask.exists(), f"{dask}: distributed is a dependency, run `make install`"
    lines = [
        _tokens(line)
        for _, body, first in _fenced_blocks(DOC.read_text(encoding="utf-8"))
        for _, line in _logical_lines(body, first)
        if re.search(r"(?:^|/)dask (?:scheduler|worker)\b", line)
    ]
    assert {tokens[1] for tokens in lines} == {"scheduler", "worker"}
    for tokens in lines:
        assert tokens[0].endswith("/.venv/bin/dask"), "the checkout's dask, installed from the lock file"
        shown = subprocess.run(
            [str(dask), tokens[1], "--help"], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        for option in (tok.split("=", 1)[0] for tok in tokens[2:] if tok.startswith("--")):
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown), f"dask {tokens[1]}: no {option}"
    worker = next(tokens for tokens in lines if tokens[1] == "worker")
    assert worker[worker.index("--nthreads") + 1] == "1", "one thread per worker process: one warm kernel each"
    assert re.fullmatch(r"tcp://[\w.-]+:8786", worker[2])


# --------------------------------------------------------------------------------------------------------------------
# cron

_CRON_FIELDS = (  # name, lowest, highest, names
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_CRON_SPECIALS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@reboot"}


def _cron_value(text: str, low: int, high: int, names: tuple[str, ...]) -> int:
    if text.lower() in names:
        return names.index(text.lower()) + (1 if low == 1 else 0)
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a number{' or a name' if names else ''}")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}-{high}")
    return value


def cron_schedule_errors(schedule: str) -> list[str]:
    """What is wrong with a 5-field cron schedule (lists, ranges, steps, month and weekday names); [] if valid."""
    fields = schedule.split()
    if len(fields) == 1 and fields[0] in _CRON_SPECIALS:
        return []
    if len(fields) != 5:
        return [f"{len(fields)} fields, cron needs 5: minute hour day-of-month month day-of-week"]
    errors = []
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            try:
                base, _, step = item.partition("/")
                if step and (not step.isdigit() or int(step) < 1):
                    raise ValueError(f"step {step!r} is not a positive number")
                if base == "*":
                    continue
                first, _, last = base.partition("-")
                start = _cron_value(first, low, high, names)
                if last and _cron_value(last, low, high, names) < start:
                    raise ValueError(f"range {base!r} runs backwards")
                if step and not last:
                    raise ValueError(f"a step needs * or a range, not {base!r}")
            except ValueError as exc:
                errors.append(f"{name} {item!r}: {exc}")
    return errors


def _cron_entries() -> list[tuple[int, str, str]]:
    """(line, schedule, command) of every crontab entry in the doc's ```cron blocks."""
    entries = []
    for info, body, first in _fenced_blocks(DOC.read_text(encoding="utf-8")):
        if info != "cron":
            continue
        for number, line in enumerate(body.splitlines(), start=first):
            if not line.strip() or line.lstrip().startswith("#") or re.match(r"^[A-Za-z_]\w*\s*=", line):
                continue  # blank, comment, VARIABLE=value
            if line.startswith("@"):
                special, _, command = line.partition(" ")
                entries.append((number, special, command.strip()))
            else:
                fields = line.split(None, 5)
                entries.append((number, " ".join(fields[:5]), fields[5] if len(fields) > 5 else ""))
    return entries


def test_the_cron_validator() -> None:
    for good in ("30 2 * * *", "15 1 * * 0", "*/15 8-18 * * mon-fri", "0 0 1,15 jan-jun,dec 7", "@daily"):
        assert cron_schedule_errors(good) == [], good
    for bad in ("30 2 * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *"):
        assert cron_schedule_errors(bad), bad
    assert cron_schedule_errors("*/0 * * * *") and cron_schedule_errors("* * * * funday")


def test_the_cron_lines() -> None:
    entries = _cron_entries()
    assert len(entries) >= 2
    for number, schedule, command in entries:
        assert cron_schedule_errors(schedule) == [], f"docs/scheduling.md:{number}"
        assert command, f"docs/scheduling.md:{number}: no command"
        # cron turns an unescaped % into a newline
        assert not re.search(r"(?<!\\)%", command), f"docs/scheduling.md:{number}: escape % as \\%"
    commands = {
        name: (schedule, command)
        for _, schedule, command in entries
        for name in ("report", "refresh")
        if f"altinn-analysis {name}" in command
    }
    schedule, report = commands["report"]
    assert schedule.split()[2:] == ["*", "*", "*"], "the report runs every night"
    assert report.startswith(f"cd {CHECKOUT} && flock ")
    assert "report --all --as-of today" in report and ">> /var/log/" in report and "2>&1" in report
    schedule, refresh = commands["refresh"]
    assert schedule.split()[4] != "*", "the refresh runs weekly"
    assert refresh.startswith(f"cd {CHECKOUT} && flock ") and ">> /var/log/" in refresh
    lock = re.compile(r"flock (?:-\S+ (?:\d+ )?)*(\S+) ")
    assert lock.findall(report) == lock.findall(refresh), "report and refresh share one lock"


# --------------------------------------------------------------------------------------------------------------------
# systemd


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_the_service_unit() -> None:
    unit = _unit(SERVICE)
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert service["WorkingDirectory"] == CHECKOUT
    assert service["ExecStart"] == f"{CHECKOUT}/.venv/bin/altinn-analysis report --all --as-of today"
    assert service["KillSignal"] == "SIGTERM"  # the runner ends cleanly on SIGTERM
    assert int(service["TimeoutStopSec"]) > 0
    assert "Description" in unit["Unit"]
    assert unit["Install"]["Also"] == TIMER.name


def test_the_timer_unit() -> None:
    unit = _unit(TIMER)
    timer = unit["Timer"]
    assert timer["OnCalendar"] and timer["Persistent"] == "true"
    assert timer["Unit"] == SERVICE.name
    assert unit["Install"]["WantedBy"] == "timers.target"


def _doc_blocks() -> list[str]:
    return [body.strip() for _, body, _ in _fenced_blocks(DOC.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", [SERVICE, TIMER, WORKFLOW], ids=lambda p: p.name)
def test_the_doc_shows_the_deploy_file_as_it_is(path: Path) -> None:
    assert path.read_text(encoding="utf-8").strip() in _doc_blocks(), f"docs/scheduling.md: copy {path.name} again"


def _systemd_analyze() -> str:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.skip("systemd-analyze is not installed here: the unit files were only checked as INI files")
    return binary


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    binary = _systemd_analyze()
    assert CONSOLE_SCRIPT.exists(), CONSOLE_SCRIPT
    copies = []
    for source in (SERVICE, TIMER):
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"{CHECKOUT}/.venv/bin/altinn-analysis", str(CONSOLE_SCRIPT)).replace(CHECKOUT, str(ROOT))
        copy = tmp_path / source.name
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))
    done = subprocess.run(
        [binary, "verify", "--man=no", *copies], capture_output=True, text=True, timeout=60, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # verify exits 0 on settings it ignores ("Failed to parse …, ignoring"): any line about our units is a problem.
    assert not [line for line in output.splitlines() if "altinn-analysis-report" in line], output


def test_systemd_calendar_expressions() -> None:
    binary = _systemd_analyze()
    text = DOC.read_text(encoding="utf-8") + TIMER.read_text(encoding="utf-8")
    expressions = sorted(set(re.findall(r"OnCalendar=([^`\n]+)", text)))
    assert expressions
    for expression in expressions:
        done = subprocess.run(
            [binary, "calendar", expression.strip()], capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 0, f"OnCalendar={expression}: {done.stderr}"


# --------------------------------------------------------------------------------------------------------------------
# GitHub Actions

PINNED = {
    "actions/checkout": "v4",
    "actions/setup-python": "v5",
    "actions/upload-artifact": "v4",
    "actions/cache": "v4",
    "actions/cache/restore": "v4",
    "actions/cache/save": "v4",
}


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _steps() -> list[dict[str, Any]]:
    return [step for job in _workflow()["jobs"].values() for step in job["steps"]]


def _index(steps: list[dict[str, Any]], test: Any) -> int:
    matches = [i for i, step in enumerate(steps) if test(step)]
    assert matches, "no such step"
    return matches[0]


def test_the_workflow_triggers() -> None:
    data = _workflow()
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "workflow_dispatch" in on
    schedules = on["schedule"]
    assert schedules
    for entry in schedules:
        assert cron_schedule_errors(entry["cron"]) == [], entry["cron"]


def test_the_workflow_steps() -> None:
    steps = _steps()
    for step in steps:
        if "uses" in step:
            action, _, version = step["uses"].partition("@")
            assert PINNED.get(action) == version, f"{step['uses']}: use one of {PINNED}"
    python = _index(steps, lambda s: s.get("uses", "").startswith("actions/setup-python@"))
    assert str(steps[python]["with"]["python-version"]) == "3.11"
    install = _index(steps, lambda s: "make install" in s.get("run", ""))
    run = _index(steps, lambda s: ".venv/bin/altinn-analysis report --all --as-of today" in s.get("run", ""))
    assert python < install < run

    uv_cache = steps[_index(steps, lambda s: s.get("uses", "").startswith("actions/cache@"))]
    assert "hashFiles('uv.lock')" in uv_cache["with"]["key"]
    env = next(iter(_workflow()["jobs"].values()))["env"]
    assert uv_cache["with"]["path"] in env["UV_CACHE_DIR"], "the cached folder is uv's cache"
    assert _index(steps, lambda s: s is uv_cache) < install

    def reports_path(step: dict[str, Any]) -> bool:
        return str(step.get("with", {}).get("path", "")).rstrip("/") == "reports"

    restore = _index(steps, lambda s: s.get("uses", "").startswith("actions/cache/restore@") and reports_path(s))
    save = _index(steps, lambda s: s.get("uses", "").startswith("actions/cache/save@") and reports_path(s))
    assert restore < run < save, "previous reports restored before the run, saved after it"
    assert steps[restore]["with"]["restore-keys"], "restore the newest earlier run's reports by prefix"

    upload = _index(steps, lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    assert reports_path(steps[upload]) and upload > run
    assert 1 <= int(steps[upload]["with"]["retention-days"]) <= 90
    assert steps[upload].get("if") == "always()", "keep the reports that were built even when one failed"


# --------------------------------------------------------------------------------------------------------------------
# "a nightly run with no changes finishes in seconds"


@pytest.mark.slow
def test_a_repeated_run_with_nothing_changed_takes_seconds(tmp_path: Path) -> None:
    """Behaviour, not a benchmark: the second run finds the inputs unchanged, builds nothing, rewrites nothing."""
    assert CONSOLE_SCRIPT.exists(), f"{CONSOLE_SCRIPT}: run `make install`"
    argv = [str(CONSOLE_SCRIPT), "report", "--org", "312450380", "--as-of", "2026-11-28", "--out", str(tmp_path)]
    first = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 built, 0 unchanged, 0 failed, 0 invalid" in first.stdout
    page = tmp_path / "2026-11-28" / "312450380" / "report.html"
    before = page.stat()

    start = time.perf_counter()
    second = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    wall = time.perf_counter() - start
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 built, 1 unchanged, 0 failed, 0 invalid" in second.stdout, second.stdout
    assert "sector page unchanged" in second.stdout
    assert wall < 10, f"second run took {wall:.1f} s"
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "the report was rewritten"
