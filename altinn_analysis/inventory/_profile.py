"""`profile.yaml`: the typed `Profile` and the checks that make one (pure: a parsed file in, problems out)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from altinn_analysis.checks import Problem, Severity, find_identity_numbers, org_number_problem
from altinn_analysis.checks import excerpt as _show
from altinn_analysis.inventory._schema import INSTITUTION_TYPES, PROFILE_FIELDS
from altinn_analysis.sources import YamlDocument

__all__ = ["IDENTITY_MESSAGE", "Profile", "Vendor", "check_profile", "org_number_problem"]

IDENTITY_MESSAGE = (
    "holds what looks like a national identity number (11 digits with valid fødselsnummer/D-number check "
    "digits). Inventories must be pseudonymous: replace it with a pseudonymous id. The whole inventory is refused "
    "until it is gone"
)
_VENDOR_KEYS = ("org_number", "name", "runs")


@dataclass(frozen=True)
class Vendor:
    org_number: str
    name: str
    runs: tuple[str, ...] = ()  # DSOP service ids the vendor runs
    notes: tuple[str, ...] = ()  # words in `runs` that are not service ids, kept as written


@dataclass(frozen=True)
class Profile:
    """The institution itself, from `profile.yaml`. `org_form` is spelt as the catalogue spells it."""

    org_number: str
    name: str
    org_form: str
    institution_type: str
    dsop_services: tuple[str, ...]
    vendors: tuple[Vendor, ...] = ()
    demo: bool = False  # a fictional demo institution: never ranked with real ones

    @property
    def vendor_org_numbers(self) -> frozenset[str]:
        return frozenset(v.org_number for v in self.vendors)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dsop_services"] = list(self.dsop_services)
        data["vendors"] = [{**asdict(v), "runs": list(v.runs)} for v in self.vendors]
        return data


def _suggest(value: str, choices: Sequence[str]) -> str:
    if len(value) > 64:  # difflib is quadratic, and a long value is no typo
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    def __init__(self, raw: YamlDocument) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def add(self, path: str | None, message: str, severity: Severity = "error") -> None:
        row = self.raw.line_of(path) if path else None
        self.problems.append(Problem(self.raw.file, row, path, message, severity))

    def text(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(path, f"{path} is required" + ("" if key in data else " (key missing)"))
            return None
        if isinstance(value, list | dict):
            self.add(path, f"{path} must be a single value, found a {type(value).__name__}")
            return None
        return str(value).strip()

    def org_number(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            self.add(path, f'write {path} as a quoted string ("{value}"), so that YAML keeps it as text', "warning")
        text = self.text(data, key, path)
        if text is None:
            return None
        # People write org numbers in groups (`910 000 004`).
        text = "".join(text.split())
        if (why := org_number_problem(text)) is not None:
            self.add(path, why)
            return None
        return text

    def text_list(self, data: dict[str, Any], key: str, path: str, *, required: bool) -> list[tuple[str, str]] | None:
        """[(item path, text)] for a YAML list of strings; None when absent or malformed."""
        value = data.get(key)
        if value is None:
            if required:
                self.add(path, f"{path} is required (a list)" + ("" if key in data else " (key missing)"))
            return None
        if not isinstance(value, list):
            self.add(path, f"{path} must be a list (`- item` lines or [a, b]), found {_show(value)}")
            return None
        out: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            sub = f"{path}[{index}]"
            if item is None or isinstance(item, list | dict) or not str(item).strip():
                self.add(sub, f"{sub} must be a non-empty text")
                continue
            out.append((sub, str(item).strip()))
        return out


def check_profile(
    raw: YamlDocument,
    *,
    org_forms: Sequence[str] | None,
    known_services: Collection[str] | None,
    directory_name: str | None = None,
) -> tuple[Profile | None, list[Problem]]:
    """Check a parsed `profile.yaml`; the `Profile` is None when there are errors.

    `org_forms` are the catalogue's variants and `known_services` the DSOP catalogue's service ids; None skips
    that check (with a warning for the services, so that a skipped check is never mistaken for a passed one).
    """
    check = _Checker(raw)
    # Line by line only when the whole text holds one (a number never spans a line break, so none is missed).
    if find_identity_numbers(raw.text):
        for line_no, line in enumerate(raw.text.splitlines(), start=1):
            if find_identity_numbers(line):
                check.problems.append(Problem(raw.file, line_no, raw.path_at(line_no), IDENTITY_MESSAGE))

    data = raw.data
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        check.add(None, f"expected a mapping (org_number: …, name: …, …), found {found}")
        return None, check.problems

    known_keys = [f.name for f in PROFILE_FIELDS]
    for key in data:
        if str(key) not in known_keys:
            check.add(str(key), f"unknown key {str(key)!r} is ignored{_suggest(str(key), known_keys)}", "warning")

    org_number = check.org_number(data, "org_number", "org_number")
    name = check.text(data, "name", "name")

    org_form = check.text(data, "org_form", "org_form")
    if org_form is not None and org_forms is not None:
        by_upper = {f.upper(): f for f in org_forms}
        if org_form.upper() in by_upper:
            org_form = by_upper[org_form.upper()]
        else:
            check.add(
                "org_form",
                f"{_show(org_form)} is not an organisation form the catalogue knows; expected one of "
                f"{', '.join(sorted(org_forms))}",
            )
            org_form = None

    institution_type = check.text(data, "institution_type", "institution_type")
    if institution_type is not None:
        institution_type = institution_type.lower()
        if institution_type not in INSTITUTION_TYPES:
            check.add(
                "institution_type",
                f"{_show(institution_type)} is not an institution type; expected one of {', '.join(INSTITUTION_TYPES)}"
                f"{_suggest(institution_type, INSTITUTION_TYPES)}",
            )
            institution_type = None

    services: list[str] = []
    items = check.text_list(data, "dsop_services", "dsop_services", required=True)
    if items is not None:
        if not items and "dsop_services" in data:
            check.add("dsop_services", "no DSOP services listed: the report will have no service findings", "warning")
        if known_services is None and items:
            check.add("dsop_services", "not checked against the DSOP catalogue (it could not be loaded)", "warning")
        known = sorted(known_services or ())
        for path, service in items:
            service = service.lower()
            if service in services:
                check.add(path, f"{service!r} is listed twice", "warning")
                continue
            if known_services is not None and service not in known_services:
                check.add(
                    path,
                    f"{_show(service)} is not a DSOP service id{_suggest(service, known)}; expected one of "
                    f"{', '.join(known)}",
                )
                continue
            services.append(service)

    vendors = _check_vendors(check, data, org_number, known_services)
    demo = data.get("demo", False)
    if demo is None:
        demo = False
    if not isinstance(demo, bool):
        check.add("demo", f"demo must be true or false, found {_show(demo)}")
        demo = False

    if directory_name and org_number and directory_name.isdigit() and directory_name != org_number:
        check.add(
            "org_number",
            f"the folder is named {directory_name} but org_number is {org_number}; name the folder after the "
            "organisation number",
            "warning",
        )

    if any(p.is_error for p in check.problems):
        return None, check.problems
    assert org_number and name and org_form and institution_type  # guaranteed: each would have been an error
    profile = Profile(org_number, name, org_form, institution_type, tuple(services), tuple(vendors), demo)
    return profile, check.problems


def _check_vendors(
    check: _Checker, data: dict[str, Any], own: str | None, known_services: Collection[str] | None = None
) -> list[Vendor]:
    value = data.get("vendors")
    if value is None:
        return []
    if not isinstance(value, list):
        check.add("vendors", f"vendors must be a list of {{org_number, name, runs}}, found {_show(value)}")
        return []
    vendors: list[Vendor] = []
    for index, item in enumerate(value):
        path = f"vendors[{index}]"
        if not isinstance(item, dict):
            check.add(path, f"{path} must be a mapping with org_number, name and runs")
            continue
        for key in item:
            if str(key) not in _VENDOR_KEYS:
                check.add(f"{path}.{key}", f"unknown key {str(key)!r} is ignored", "warning")
        org_number = check.org_number(item, "org_number", f"{path}.org_number")
        name = check.text(item, "name", f"{path}.name")
        if isinstance(item.get("runs"), str):  # "sbl, ssu" is accepted as well as a list
            item = {**item, "runs": [part for part in item["runs"].split(",") if part.strip()]}
        runs = check.text_list(item, "runs", f"{path}.runs", required=False) or []
        if org_number is None or name is None:
            continue
        if org_number == own:
            check.add(f"{path}.org_number", "the institution itself is listed as a vendor", "warning")
        if org_number in {v.org_number for v in vendors}:
            check.add(f"{path}.org_number", f"vendor {org_number} is listed twice", "warning")
            continue
        ids = tuple(text for _, text in runs if known_services is None or text in known_services)
        notes = tuple(text for _, text in runs if known_services is not None and text not in known_services)
        for text in notes:
            check.add(f"{path}.runs", f"{text!r} is not a DSOP service id: kept as a note", "warning")
        vendors.append(Vendor(org_number, name, ids, notes))
    return vendors
