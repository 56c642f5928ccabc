"""Loading the care-area files and the competence vocabulary; accessors for other features."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask import current_app

from mdk.care_areas.domain import CareArea, Competence, Label

EXTENSION_KEY = "mdk_care_areas"
COMPETENCES_EXTENSION_KEY = "mdk_competences"


class CareAreaError(ValueError):
    """A care-area or competence file is wrong; the message names file, key and problem."""


def load_competences(path: Path) -> dict[str, Competence]:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CareAreaError(f"{path}: {exc}") from exc
    result = {}
    for key, labels in raw.items():
        if not isinstance(labels, dict) or set(labels) != {"sv", "en"}:
            raise CareAreaError(f"{path}: {key}: needs exactly the labels sv and en")
        result[key] = Competence(key=key, label=Label(sv=labels["sv"], en=labels["en"]))
    return result


def competences() -> dict[str, Competence]:
    return current_app.extensions[COMPETENCES_EXTENSION_KEY]


def care_areas() -> dict[str, CareArea]:
    return current_app.extensions[EXTENSION_KEY]
