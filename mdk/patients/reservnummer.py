"""Reservnummer: regional reserve identity numbers, validated by the issuer's own format.

The formats live in config/reservnummer.toml (issuer key -> label + pattern) and are read
once at start; a broken file stops the start with a message naming the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mdk.config import CONFIG_DIR, ConfigError
from mdk.patients.identity import N_, IdentityNumberError

RESERVNUMMER = "reservnummer"
FORMATS_FILE = CONFIG_DIR / "reservnummer.toml"
ISSUER_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}", re.ASCII)
MAX_LENGTH = 40


@dataclass(frozen=True)
class ReservnummerFormat:
    issuer: str
    label: str
    pattern: re.Pattern[str]
    example: bool


@dataclass(frozen=True)
class Reservnummer:
    issuer: str
    value: str  # as written, without the optional dash


def load_formats(path: Path = FORMATS_FILE) -> dict[str, ReservnummerFormat]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - {"reservnummer"})
    if unknown:
        raise ConfigError(f"{path}: unknown section {unknown[0]!r}")
    return {issuer: _format(path, issuer, entry)
            for issuer, entry in data.get("reservnummer", {}).items()}


def _format(path: Path, issuer: str, entry: object) -> ReservnummerFormat:
    where = f"{path}: [reservnummer.{issuer}]"
    if not ISSUER_KEY.fullmatch(issuer):
        raise ConfigError(f"{where}: the key must be lower-case letters, digits and _")
    if not isinstance(entry, dict) or set(entry) - {"label", "pattern", "example"}:
        raise ConfigError(f"{where}: only label, pattern and example are allowed")
    label, pattern = entry.get("label"), entry.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{where}: label is missing")
    if not isinstance(pattern, str) or not pattern.isascii() or not pattern:
        raise ConfigError(f"{where}: pattern must be an ASCII regular expression")
    try:
        # re.ASCII: [0-9] and \d mean ASCII digits only, whatever the pattern says.
        compiled = re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ConfigError(f"{where}: pattern is not a valid regular expression: {exc}") from exc
    return ReservnummerFormat(issuer=issuer, label=label, pattern=compiled,
                              example=bool(entry.get("example", False)))


def parse_reservnummer(raw: object, issuer: object,
                       formats: dict[str, ReservnummerFormat]) -> Reservnummer:
    """Validate a reservnummer against its issuer's format; raise IdentityNumberError."""
    if not isinstance(issuer, str) or issuer not in formats:
        raise IdentityNumberError(N_("Choose the region that issued the reservnummer."))
    if not isinstance(raw, str) or not raw:
        raise IdentityNumberError(N_("Enter the reservnummer."))
    if len(raw) > MAX_LENGTH or not raw.isascii() or not formats[issuer].pattern.fullmatch(raw):
        raise IdentityNumberError(N_(
            "The reservnummer does not have the issuing region's format "
            "(letters A-Z and digits 0-9 only, with nothing before or after)."))
    return Reservnummer(issuer=issuer, value=raw.replace("-", ""))
