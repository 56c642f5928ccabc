"""Loading the care-area files and the competence vocabulary; accessors for other features.

The files are read once when the app starts (init_app); a broken file stops the start with a
message naming the file, the key and the problem. Other features ask the accessors below.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from marshmallow import ValidationError

from mdk.care_areas.domain import CareArea, Competence, Label
from mdk.care_areas.file_schema import CareAreaFileSchema
from mdk.config import CONFIG_DIR

EXTENSION_KEY = "mdk_care_areas"
COMPETENCES_EXTENSION_KEY = "mdk_competences"
COMPETENCES_FILE = CONFIG_DIR / "competences.toml"
COMPETENCE_KEY = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: `key` is a path like series[0].host_policy.fixed_unit."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class CareAreaError(ValueError):
    """A care-area or competence file is wrong; the message names file, key and problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class CareAreaNotFound(LookupError):
    """No care area has this key (views and the API answer 404)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no care area with the key {key!r}")


# -- reading files -----------------------------------------------------------------------------

def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CareAreaError([Problem(str(path), "(TOML syntax)", str(exc))]) from exc
    except OSError as exc:
        raise CareAreaError([Problem(str(path), "(file)", exc.strerror or str(exc))]) from exc


def load_competences(path: Path) -> dict[str, Competence]:
    """The competence vocabulary: `[key]` tables with `sv` and `en` labels."""
    raw = _read_toml(path)
    problems: list[Problem] = []
    result: dict[str, Competence] = {}
    for key, labels in raw.items():
        if not COMPETENCE_KEY.fullmatch(key):
            problems.append(Problem(str(path), key, "a competence key is lower-case a-z, 0-9 "
                                    "and _, starting with a letter"))
        if not isinstance(labels, dict) or set(labels) != {"sv", "en"}:
            problems.append(Problem(str(path), key, "needs exactly the labels sv and en"))
            continue
        if not all(isinstance(text, str) and text.strip() for text in labels.values()):
            problems.append(Problem(str(path), key, "the labels sv and en must be non-empty text"))
            continue
        result[key] = Competence(key=key, label=Label(sv=labels["sv"], en=labels["en"]))
    if not raw:
        problems.append(Problem(str(path), "(file)", "lists no competences"))
    if problems:
        raise CareAreaError(problems)
    return result


def load_care_area_file(path: Path, competence_keys: set[str] | frozenset[str]) -> CareArea:
    """One care-area file, validated strictly; CareAreaError lists every problem in it."""
    raw = _read_toml(path)
    schema = CareAreaFileSchema(file_stem=path.stem, source_file=path.name,
                                competence_keys=competence_keys)
    try:
        return schema.load(raw)
    except ValidationError as exc:
        problems = [Problem(str(path), key, message)
                    for key, message in flatten_errors(exc.messages)]
        raise CareAreaError(problems) from exc


def care_area_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise CareAreaError([Problem(str(folder), "(folder)", "is not a folder")])
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CareAreaError([Problem(str(folder), "(folder)", "holds no care-area files (*.toml)")])
    return files


def load_care_areas(folder: Path, competences_file: Path = COMPETENCES_FILE,
                    ) -> dict[str, CareArea]:
    """Every care area of the folder by key (sorted); CareAreaError lists every problem found."""
    known = set(load_competences(competences_file))
    areas: dict[str, CareArea] = {}
    problems: list[Problem] = []
    for path in care_area_files(folder):
        try:
            area = load_care_area_file(path, known)
        except CareAreaError as exc:
            problems.extend(exc.problems)
        else:
            areas[area.key] = area
    problems.extend(_shared_case_prefixes(areas.values()))
    problems.extend(_shared_organizers(areas.values()))
    if problems:
        raise CareAreaError(problems)
    return dict(sorted(areas.items()))


def _shared_case_prefixes(areas) -> list[Problem]:
    """Two areas with one prefix would give two cases the same number."""
    first: dict[str, CareArea] = {}
    problems = []
    for area in areas:
        other = first.setdefault(area.case_prefix, area)
        if other is not area:
            problems.append(Problem(area.source_file, "area.case_prefix",
                                    f"{area.case_prefix!r} is already the prefix of "
                                    f"{other.key!r}"))
    return problems


def _shared_organizers(areas) -> list[Problem]:
    """Replies are matched to an area by the mailbox they reach: one organizer per area."""
    first: dict[str, CareArea] = {}
    problems = []
    for area in areas:
        other = first.setdefault(area.calendar.organizer, area)
        if other is not area:
            problems.append(Problem(area.source_file, "calendar.organizer",
                                    f"{area.calendar.organizer!r} is already the organizer of "
                                    f"{other.key!r}"))
    return problems


def flatten_errors(messages: object, path: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict as (key path, problem) pairs: series[0].start."""
    if isinstance(messages, dict):
        pairs: list[tuple[str, str]] = []
        for key, inner in messages.items():
            pairs.extend(flatten_errors(inner, _join(path, key)))
        return pairs
    if isinstance(messages, list):
        pairs = []
        for inner in messages:
            pairs.extend(flatten_errors(inner, path))
        return pairs
    return [(path or "(file)", str(messages))]


def _join(path: str, key: object) -> str:
    if key == "_schema":
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


# -- app integration and accessors -------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Load every care area once at start; a broken file stops the app with the precise error."""
    settings = app.config["MDK"]
    app.extensions[COMPETENCES_EXTENSION_KEY] = load_competences(COMPETENCES_FILE)
    app.extensions[EXTENSION_KEY] = load_care_areas(settings.care_areas_path, COMPETENCES_FILE)


def competences() -> dict[str, Competence]:
    return current_app.extensions[COMPETENCES_EXTENSION_KEY]


def competence_label(key: str, language: str) -> str:
    competence = competences().get(key)
    return competence.label(language) if competence else key


def care_areas() -> dict[str, CareArea]:
    """Every care area by key, sorted by key."""
    return current_app.extensions[EXTENSION_KEY]


def care_area(key: str) -> CareArea:
    try:
        return care_areas()[key]
    except KeyError:
        raise CareAreaNotFound(key) from None


def areas_where_unit_is_nhv(hsa_id: str) -> list[CareArea]:
    """The care areas in which the unit with this HSA-id holds the NHV licence."""
    return [area for area in care_areas().values() if area.nhv_unit(hsa_id) is not None]
