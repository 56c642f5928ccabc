import pytest

from mdk.config import ConfigError
from mdk.patients.models import Patient
from mdk.patients.reservnummer import FORMATS_FILE, load_formats
from mdk.patients.schemas import PatientPseudonymSchema, PatientSchema


def _patient() -> Patient:
    return Patient(id=7, identity_kind="personnummer", identity_value="198005171230",
                   given_name="Testpatient", family_name="Ett", protected_identity=False,
                   fictitious=True)


def test_full_schema_shows_identity_and_name():
    dumped = PatientSchema().dump(_patient())
    assert (dumped["identity"], dumped["given_name"], dumped["masked_identity"]) == (
        "19800517-1230", "Testpatient", "19800517-****")


def test_pseudonym_schema_shows_neither_identity_nor_name():
    dumped = PatientPseudonymSchema().dump(_patient())
    assert dumped == {"id": 7, "protected_identity": False, "fictitious": True}


def test_shipped_reservnummer_formats_are_marked_as_examples():
    formats = load_formats(FORMATS_FILE)
    assert formats and all(entry.example for entry in formats.values())


@pytest.mark.parametrize(("entry", "named"), [
    ('[reservnummer.bad]\nlabel = "X"\npattern = "[0-9"\n', "reservnummer.bad"),
    ('[reservnummer.Bad]\nlabel = "X"\npattern = "[0-9]"\n', "reservnummer.Bad"),
    ('[reservnummer.nolabel]\npattern = "[0-9]"\n', "label"),
    ('[reservnummer.x]\nlabel = "X"\npattern = "[０-９]"\n', "ASCII"),
    ('[reservnummer.x]\nlabel = "X"\npattern = "[0-9]"\ncolour = 1\n', "only label"),
    ('[other]\n', "unknown section"),
])
def test_a_broken_reservnummer_file_is_refused_naming_the_entry(tmp_path, entry, named):
    path = tmp_path / "reservnummer.toml"
    path.write_text(entry, encoding="utf-8")
    with pytest.raises(ConfigError, match=named):
        load_formats(path)
