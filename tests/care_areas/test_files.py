"""The care-area files: the shipped ones load, broken ones are refused with file, key, problem."""

from __future__ import annotations

import pytest

from mdk.care_areas.service import (
    COMPETENCES_FILE,
    CareAreaError,
    load_care_areas,
    load_competences,
)
from tests.care_areas.helpers import SHIPPED, THIRD_AREA, broken_copy, write_area
from tests.conftest import make_app

BROKEN = [
    # (id, source file, text to replace, replacement, file stem, key path, problem)
    ("unknown-competence", "analcancer", '"oncologist", "surgeon"', '"oncologyst", "surgeon"',
     None, "quorum.competences[0]", "unknown competence 'oncologyst'"),
    ("bad-hsa-id", "analcancer", 'hsa_id = "SE2321000131-AC02"', 'hsa_id = "SE232100013-AC02"',
     None, "nhv_units[1].hsa_id", "'SE232100013-AC02' is not a valid HSA-id"),
    ("fixed-unit-not-own", "crs_hipec", 'fixed_unit = "SE2321000016-CH02"',
     'fixed_unit = "SE2321000016-AC01"', None, "series[1].host_policy.fixed_unit",
     "'SE2321000016-AC01' is not one of this area's nhv_units"),
    ("bad-time", "analcancer", 'start = "08:00"', 'start = "25:00"', None, "series[0].start",
     "must be a time \"HH:MM\" from 00:00 to 23:59, not '25:00'"),
    ("missing-key", "analcancer", "duration_minutes = 90\n", "", None,
     "series[0].duration_minutes", "required key is missing"),
    ("unknown-key", "analcancer", "case_slot_minutes = 10\n",
     'case_slot_minutes = 10\ncolor = "red"\n', None, "series[0].color", "unknown key"),
    ("stem-not-key", "analcancer", "", "", "anal", "area.key",
     "is 'analcancer' but the file is named anal.toml"),
    ("invalid-toml", "analcancer", "weekday = 2 ", "weekday = = 2 ", None, "(TOML syntax)",
     "Invalid value (at line "),
    ("weekday-out-of-range", "analcancer", "weekday = 2 ", "weekday = 8 ", None,
     "series[0].weekday", "must be an ISO weekday from 1 (Monday) to 7 (Sunday)"),
    ("rotation-missing", "analcancer", 'rotation = "per_meeting"', "", None,
     "series[0].host_policy.rotation", "a rotating host needs rotation"),
    ("period-without-length", "analcancer", 'rotation = "per_meeting"',
     'rotation = "per_period"\nperiod_unit = "years"', None,
     "series[0].host_policy.period_length", "a per_period rotation needs period_length"),
    ("weights-name-other-unit", "analcancer", 'rotation = "per_meeting"',
     'rotation = "per_meeting"\nweights = { "SE2321000024-CH01" = 2 }', None,
     "series[0].host_policy.weights.SE2321000024-CH01", "is not one of this area's nhv_units"),
    ("colour-too-light", "analcancer", 'colour = "#8b1e3f"', 'colour = "#ffd966"', None,
     "nhv_units[1].colour", "too light for white text"),
    ("organizer-not-an-address", "analcancer", 'organizer = "nmdk-analcancer@mdk.example.se"',
     'organizer = "nmdk-analcancer"', None, "calendar.organizer",
     "'nmdk-analcancer' is not an e-mail address"),
    ("organizer-missing", "analcancer", 'organizer = "nmdk-analcancer@mdk.example.se"\n', "",
     None, "calendar.organizer", "required key is missing"),
    ("duplicate-series-key", "crs_hipec", 'key = "ks"', 'key = "as"', None, "series[1].key",
     "'as' is already used by series[0]"),
    ("case-prefix-lower-case", "analcancer", 'case_prefix = "AC"', 'case_prefix = "ac"', None,
     "area.case_prefix", "must be 2 to 5 capital letters A-Z, not 'ac'"),
    ("case-prefix-missing", "analcancer", 'case_prefix = "AC"\n', "", None,
     "area.case_prefix", "required key is missing"),
    ("hint-names-unknown-field", "analcancer", 'field = "histology"', 'field = "histologi"', None,
     "eligibility_hints[0].field", "'histologi' is not one of this area's referral_fields"),
    ("min-above-max", "analcancer", "min = 0\nmax = 4\n", "min = 5\nmax = 4\n", None,
     "referral_fields[5].max", "must not be below min (5), not 4"),
    ("range-on-text", "crs_hipec", 'type = "long_text"\n', 'type = "long_text"\nmax = 3\n', None,
     "referral_fields[3].max", 'only a field of type "integer" has max'),
    ("bad-pattern", "analcancer", "pattern = '(y|r|yr)?", "pattern = '((y|r|yr)?", None,
     "referral_fields[3].pattern", "is not a valid regular expression: missing ), unterminated"),
    ("pattern-without-message", "analcancer", "\npattern_message = {",
     "\n# pattern_message = {", None, "referral_fields[3].pattern_message",
     "a field with a pattern needs pattern_message"),
    ("pattern-on-integer", "crs_hipec", "min = 0\nmax = 39\n",
     "min = 0\nmax = 39\npattern = '[0-9]+'\npattern_message = { sv = \"x\", en = \"x\" }\n",
     None, "referral_fields[2].pattern", 'only a field of type "text" or "long_text" has a'),
    ("review-by-not-a-reviewer", "crs_hipec", 'secondary_review = ["radiologist"]',
     "secondary_review = []", None, "material[2].review_by",
     "'radiologist' is not in quorum.secondary_review"),
    ("review-template-unknown-competence", "analcancer", "\nradiologist = { sv = \"MR",
     "\nradiolog = { sv = \"MR", None, "review.templates.radiolog",
     "unknown competence 'radiolog'"),
    ("gate-unknown", "analcancer", 'gate = "hold"', 'gate = "drop"', None, "area.gate",
     "must be one of 'hold', 'defer', not 'drop'"),
    ("protocol-section-kind-unknown", "analcancer", 'kind = "unit"\nrequired = true\n\n',
     'kind = "unity"\nrequired = true\n\n', None,
     "templates.protocol.sections[6].kind", "must be one of 'text', 'choice', 'unit', "
     "'person_and_date', 'boolean', 'rehabilitation', 'schedule', not 'unity'"),
    ("protocol-choice-without-options", "analcancer", 'kind = "unit"\nrequired = true\n\n',
     'kind = "choice"\nrequired = true\n\n',
     None, "templates.protocol.sections[6].options",
     'a section of kind "choice" needs options'),
    ("protocol-options-on-text", "crs_hipec", 'PCI-bedömning", en = "PCI assessment" }\n',
     'PCI-bedömning", en = "PCI assessment" }\n'
     'options = [{ key = "a", label = { sv = "A", en = "A" } }]\n', None,
     "templates.protocol.sections[2].options", 'only a section of kind "choice" has options'),
    ("protocol-section-key-twice", "crs_hipec", 'key = "pci"\nlabel = { sv = "PCI-bedömning"',
     'key = "question"\nlabel = { sv = "PCI-bedömning"', None,
     "templates.protocol.sections[2].key", "'question' is already used by sections[0]"),
    ("protocol-prefill-unknown", "analcancer", 'prefill = "case_question"',
     'prefill = "referral"', None, "templates.protocol.sections[0].prefill",
     "must be one of 'case_question', 'review_statement', 'attendance', "
     "'treating_unit_contact' or 'protocol:<section key>', not 'referral'"),
    ("care-plan-schedule-unit-unknown", "analcancer", 'count = 3, unit = "years"',
     'count = 3, unit = "eons"', None, "templates.care_plan.sections[9].rows[4].unit",
     "must be one of 'days', 'weeks', 'months', 'years', not 'eons'"),
    ("care-plan-rehabilitation-without-profession", "analcancer", 'profession = "Sexolog", ',
     "", None, "templates.care_plan.sections[7].rows[2].profession", "required key is missing"),
    ("care-plan-prom-without-instrument", "analcancer", 'instrument = "LARS-score", ', "",
     None, "templates.care_plan.sections[10].rows[2].instrument",
     "a PROM time point names its instrument"),
    ("care-plan-prefill-unknown-protocol-section", "analcancer",
     'prefill = "protocol:treatment"', 'prefill = "protocol:treatmnt"', None,
     "templates.care_plan.sections[6].prefill",
     "'treatmnt' is not a section of kind 'text' in templates.protocol"),
    ("care-plan-rows-on-text", "crs_hipec", 'key = "self_care"\n',
     'key = "self_care"\nrows = [{ need = "x", profession = "y" }]\n', None,
     "templates.care_plan.sections[10].rows",
     'only a section of kind "rehabilitation" or "schedule" has rows'),
    ("protocol-section-of-a-care-plan-kind", "crs_hipec",
     'PCI-bedömning", en = "PCI assessment" }\n',
     'PCI-bedömning", en = "PCI assessment" }\nkind = "schedule"\n', None,
     "templates.protocol.sections[2].kind",
     'a section of kind "schedule" belongs in templates.care_plan'),
    ("treatment-reason-key-twice", "analcancer", 'key = "capacity"', 'key = "patient_died"',
     None, "treatment.deviation_reasons[4].key",
     "'patient_died' is already used by deviation_reasons[3]"),
    ("treatment-remind-out-of-range", "crs_hipec", "remind_working_days_before = 3",
     "remind_working_days_before = 0", None, "treatment.remind_working_days_before",
     "must be a whole number of working days from 1 to 20"),
    ("treatment-reason-without-label", "crs_hipec",
     'label = { sv = "Kapacitet eller väntetid", en = "Capacity or waiting time" }\n', "",
     None, "treatment.deviation_reasons[3].label", "required key is missing"),
]


def test_shipped_files_load_both_care_areas():
    areas = load_care_areas(SHIPPED, COMPETENCES_FILE)
    assert list(areas) == ["analcancer", "crs_hipec"]


def test_shipped_files_pass_the_check_command(runner):
    result = runner.invoke(args=["care-areas", "check", "--dir", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "OK analcancer: Analcancer" in result.output
    assert "OK crs_hipec: CRS/HIPEC" in result.output


def test_list_command_shows_areas_units_and_series(runner):
    result = runner.invoke(args=["care-areas", "list", "--dir", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "SE2321000016-AC01\tKS\tKarolinska Universitetssjukhuset, Tema Cancer" in result.output
    assert "series  national\tweekday 2 08:00-09:30\thost rotating" in result.output


def test_anal_cancer_runs_one_national_rotating_series():
    area = load_care_areas(SHIPPED, COMPETENCES_FILE)["analcancer"]
    assert area.national_mdk
    (series,) = area.series
    assert (series.weekday, series.start, series.end) == (2, "08:00", "09:30")
    assert (series.host_policy.kind, series.host_policy.rotation) == ("rotating", "per_meeting")
    assert area.secondary_review == ("radiologist", "nuclear_medicine_physician", "pathologist")


def test_crs_hipec_has_one_fixed_host_series_per_unit():
    area = load_care_areas(SHIPPED, COMPETENCES_FILE)["crs_hipec"]
    assert not area.national_mdk
    hosts = [series.host_policy.fixed_unit for series in area.series]
    assert hosts == [unit.hsa_id for unit in area.nhv_units]


def test_licence_staffing_is_not_the_quorum():
    areas = load_care_areas(SHIPPED, COMPETENCES_FILE)
    assert "assistant_nurse" in areas["analcancer"].licence_critical
    assert "assistant_nurse" not in areas["analcancer"].quorum
    assert "dietitian" in areas["crs_hipec"].licence_critical
    assert "dietitian" not in areas["crs_hipec"].quorum


def test_every_competence_in_the_shipped_files_is_in_the_vocabulary():
    known = load_competences(COMPETENCES_FILE)
    for area in load_care_areas(SHIPPED, COMPETENCES_FILE).values():
        used = {*area.licence_critical, *area.licence_other, *area.quorum,
                *area.quorum_when_needed, *area.secondary_review}
        assert used <= set(known), area.key


@pytest.mark.parametrize(("source", "old", "new", "stem", "key", "problem"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_check_broken_file_names_file_key_and_problem(runner, tmp_path, source, old, new, stem,
                                                      key, problem):
    path = broken_copy(tmp_path, source, old, new, stem)
    result = runner.invoke(args=["care-areas", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"ERROR {path}: {key}: " in result.output
    line = next(line for line in result.output.splitlines() if f"{path}: {key}: " in line)
    assert problem in line


def test_check_reports_every_problem_of_a_file_not_just_the_first(tmp_path):
    text = (SHIPPED / "analcancer.toml").read_text(encoding="utf-8")
    text = text.replace('start = "08:00"', 'start = "7:5"').replace('"surgeon", "radiologist"',
                                                                     '"surgen", "radiologist"')
    write_area(tmp_path, "analcancer", text)
    with pytest.raises(CareAreaError) as caught:
        load_care_areas(tmp_path, COMPETENCES_FILE)
    keys = {problem.key for problem in caught.value.problems}
    assert keys == {"series[0].start", "quorum.competences[1]"}


def test_check_reports_an_empty_folder(runner, tmp_path):
    result = runner.invoke(args=["care-areas", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "holds no care-area files" in result.output


def test_app_refuses_to_start_with_a_broken_file(tmp_path):
    path = broken_copy(tmp_path / "areas", "analcancer", 'start = "08:00"', 'start = "25:00"')
    with pytest.raises(CareAreaError, match=f"{path}: series\\[0\\].start: must be a time"):
        make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, care_areas_dir=str(path.parent))


def test_third_area_file_is_picked_up_without_code_change(tmp_path):
    folder = tmp_path / "areas"
    for shipped in SHIPPED.glob("*.toml"):
        write_area(folder, shipped.stem, shipped.read_text(encoding="utf-8"))
    write_area(folder, "vulvacancer", THIRD_AREA)
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, care_areas_dir=str(folder))
    app.config["LOGIN_DISABLED"] = True  # this app has no database to log in against
    page = app.test_client().get("/care-areas/vulvacancer").get_data(as_text=True)
    assert "<h1>Vulvacancer</h1>" in page
    assert "Varje torsdag 13:00–14:00, värdskap roterar per år mellan de två enheterna" in page
    assert "viktat: KS 2, SUS 1" in page


def test_two_areas_with_one_case_prefix_are_refused(tmp_path):
    """Two areas numbering AC-2026-0001 would give two cases one number."""
    write_area(tmp_path, "analcancer", (SHIPPED / "analcancer.toml").read_text(encoding="utf-8"))
    write_area(tmp_path, "vulvacancer", THIRD_AREA.replace('case_prefix = "VU"',
                                                          'case_prefix = "AC"'))
    with pytest.raises(CareAreaError) as caught:
        load_care_areas(tmp_path, COMPETENCES_FILE)
    [problem] = caught.value.problems
    assert (problem.key, problem.message) == (
        "area.case_prefix", "'AC' is already the prefix of 'analcancer'")


def test_two_areas_with_one_organizer_are_refused(tmp_path):
    """Replies reach an area by its organizer's mailbox: two areas cannot share one."""
    write_area(tmp_path, "analcancer", (SHIPPED / "analcancer.toml").read_text(encoding="utf-8"))
    write_area(tmp_path, "vulvacancer", THIRD_AREA.replace(
        'organizer = "nmdk-vulvacancer@mdk.example.se"',
        'organizer = "NMDK-analcancer@mdk.example.se"'))
    with pytest.raises(CareAreaError) as caught:
        load_care_areas(tmp_path, COMPETENCES_FILE)
    [problem] = caught.value.problems
    assert (problem.key, problem.message) == (
        "calendar.organizer",
        "'nmdk-analcancer@mdk.example.se' is already the organizer of 'analcancer'")


def test_the_shipped_areas_name_their_organizer(app_ctx):
    from mdk.care_areas.service import care_area

    calendar = care_area("analcancer").calendar
    assert (calendar.organizer, calendar.name) == ("nmdk-analcancer@mdk.example.se",
                                                   "nMDK analcancer")
