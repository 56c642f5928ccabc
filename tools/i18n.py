"""Keep the Swedish catalogue in step with the code: `python tools/i18n.py` (`make translations`).

Extracts every message, merges it into mdk/translations/sv/LC_MESSAGES/messages.po (keeping
existing translations), fills translations from tools/translations/*.json ({msgid: Swedish},
one file per feature), compiles the .mo, and lists messages still without a Swedish
translation and msgids two feature files translate differently (exit 1 if any).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "mdk" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def main(argv: list[str]) -> int:
    pybabel = str(Path(sys.executable).parent / "pybabel")
    pot = Path(tempfile.mkdtemp()) / "messages.pot"
    subprocess.run([pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "--no-location", "--omit-header", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([pybabel, "update", "-i", str(pot), "-d", "mdk/translations", "-l", "sv",
                    "--no-fuzzy-matching", "--ignore-obsolete", "--omit-header"],
                   cwd=ROOT, check=True, capture_output=True)
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    extra, conflicts = _feature_translations()
    for conflict in conflicts:
        print(conflict)
    if extra:
        for message in catalog:
            if message.id and message.id in extra:
                message.string = extra[message.id]
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True, sort_output=True)
    with PO.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing or conflicts else 0


def _feature_translations() -> tuple[dict[str, str], list[str]]:
    """The feature files' translations merged, and each msgid two files translate
    differently (one msgid has one translation: the later file would silently win)."""
    extra: dict[str, str] = {}
    source_of: dict[str, str] = {}
    conflicts = []
    for source in sorted((ROOT / "tools" / "translations").glob("*.json")):
        for msgid, swedish in json.loads(source.read_text(encoding="utf-8")).items():
            if msgid in extra and extra[msgid] != swedish:
                conflicts.append(f"conflicting translations of {msgid!r}: {extra[msgid]!r} "
                                 f"({source_of[msgid]}) and {swedish!r} ({source.name})")
                continue
            extra[msgid], source_of[msgid] = swedish, source.name
    return extra, conflicts


if __name__ == "__main__":
    sys.exit(main(sys.argv))
