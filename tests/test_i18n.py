"""Every UI message has a Swedish translation, and the compiled catalogue matches the source."""

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mdk.config import PROJECT_ROOT

PO = PROJECT_ROOT / "mdk" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
METHODS = [("mdk/**.py", "python"), ("scheduler/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(PROJECT_ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="sv")


def test_every_message_in_the_code_has_a_swedish_translation():
    catalog = _catalog()
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(_source_messages() - translated)
    assert not missing, f"run `make translations` and translate: {missing}"


def test_compiled_catalogue_matches_the_po_file():
    with PO.with_suffix(".mo").open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    source = {m.id: m.string for m in _catalog() if m.id}
    assert compiled == source, "run `make translations` to recompile messages.mo"
