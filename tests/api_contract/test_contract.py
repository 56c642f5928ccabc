"""The API's contract: schemathesis walks every operation of GET /api/openapi.json, as a
referring unit's API token and as a coordinator's login session, and no answer is a 5xx or
breaks what the document says of it.

The app is the session's own (tests/conftest.py), called in process (WSGI), each caller in
its own rolled-back transaction over a small world of real rows (tests/cases/factories.py),
so a generated id in a path sometimes names a real case, item, file or review task and the
operation gets past its 404.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import schemathesis
from flask.testing import FlaskClient
from hypothesis import strategies as st
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mdk.api_tokens.service import create_token
from mdk.audit.service import system_actor
from mdk.care_areas.service import care_area
from mdk.config import with_overrides
from mdk.db import utcnow
from mdk.material import service as material
from tests.cases.factories import AREA, NUMBERS, accept, make_world, refer, referral
from tests.material.factories import PDF
from tests.reviews.helpers import by_competence, host_reviewers
from tests.support import log_in

SEED = 20260512
# Hypothesis examples per operation in the fuzzing phase; the examples and coverage phases
# add their own fixed cases on top (boundaries, missing and wrong-typed fields, NUL bytes).
EXAMPLES_PER_OPERATION = 15
# Two callers: at least 2,000 requests in all, counted, not hoped for.
MIN_REQUESTS_PER_CALLER = 1000

# What every answer is checked for, and why:
# - not_a_server_error: no 5xx, whatever comes in.
# - response_schema_conformance: the body is what the document says (problem bodies too).
# - status_code_conformance: the status is documented (or covered by `default`).
# - content_type_conformance: application/json for data, application/problem+json for
#   errors, as declared.
# - response_headers_conformance: documented headers (X-Pagination) are as declared.
# Not run: positive_data_acceptance, because a body valid by the document is still refused
# for rules the document cannot state (a personnummer's checksum, a case no longer a draft,
# an id that names no row, a care area the token lacks). Nor negative_data_rejection: the
# hooks below put real values into bodies, negative ones included, so a body meant to be
# invalid often is not any more, and the check then calls its 201 a failure; its one other
# report was a null sent for a field the document declares nullable.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance, response_headers_conformance]


@dataclass
class Caller:
    """Who calls: a test client with either a bearer token or a login session, rows of real
    path parameters in its world, and the number of requests it made."""

    name: str
    client: object
    headers: dict[str, str] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    values: dict[str, list] = field(default_factory=dict)
    requests: int = 0
    throttled: int = 0

    def call(self, case):
        self.requests += 1
        response = case.call(session=self.client, headers=self.headers)
        self.throttled += response.status_code == 429
        return response


class ClosingClient(FlaskClient):
    """A test client that reads and closes every response. schemathesis' WSGI transport
    reads the body but never closes the response, so a download (send_file) would leave its
    file open, a ResourceWarning: the test's leak, not the app's."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response


_ABSENT = object()  # a body field the generator left out
# The caller of the test running now: the path-parameter hook below reads its real ids.
_current: dict[str, Caller] = {}


@pytest.fixture(scope="session")
def contract_schema(plain_app):
    app = plain_app  # the session-wide app (the `app` fixture is chosen per test)
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "database": "none",
            # The callers authenticate themselves; a generated `session` cookie or bearer
            # header would only log them out.
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
    })
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Real ids for the path (a row of the world that has every parameter of the path: a
        case with one of its items, say) or the generated ones; Hypothesis starts from the
        first branch of one_of, so the real rows come first."""
        caller = _current.get("caller")
        names = set(path_parameters or ())
        real = [{name: row[name] for name in names} for row in
                (caller.rows if caller else ()) if names and names <= row.keys()]
        if not real:
            return st.just(path_parameters)
        return st.one_of(st.sampled_from(real), st.just(path_parameters))

    @schema.hook
    def flatmap_body(context, body):
        """Mostly a real value for each body field the world has values for (a valid
        personnummer, a meeting, a checklist key, a PDF), given or left out by the generator,
        so a write gets past the rules the document cannot state (checksums, rows that
        exist) and its success answer is checked too."""
        caller = _current.get("caller")
        if caller is None or not isinstance(body, dict):
            return st.just(body)
        declared = {name for alternative in context.operation.body
                    for name in alternative.optimized_schema.get("properties", {})}
        fields = {name: st.just(value) for name, value in body.items()}
        for name in declared & caller.values.keys():
            generated = st.just(body.get(name, _ABSENT))
            # Three to one for the real value: a write needs all its fields right at once.
            fields[name] = st.one_of(*[st.sampled_from(caller.values[name])] * 3, generated)
        return st.fixed_dictionaries(fields).map(
            lambda drawn: {name: value for name, value in drawn.items() if value is not _ABSENT})

    return schema


def _world(app) -> tuple[object, list[dict], dict[str, list]]:
    """A world of real rows: the referring unit's draft, submitted and accepted cases (the
    accepted one with review tasks and an uploaded file), and another unit's case."""
    with app.app_context():
        world = make_world()
        host_reviewers(world)
        draft = refer(world, submit=False, number_index=0)
        submitted = refer(world, number_index=1)
        accepted = accept(world, refer(world, number_index=2))
        other = refer(world, "other_referrer", number_index=3)
        uploaded = material.attach_file(world.actor("referrer"), accepted, "mri_pelvis",
                                        io.BytesIO(PDF), "mr.pdf")
        tasks = by_competence(accepted).values()
        rows = [{"case_id": case.id} for case in (draft, submitted, accepted, other)]
        rows += [{"case_id": accepted.id, "item_id": item.id}
                 for item in material.items_of(accepted)]
        rows += [{"case_id": accepted.id, "file_id": uploaded.id}]
        rows += [{"task_id": task.id} for task in tasks]
        rows += [{"unit_id": unit.id} for unit in (world.referring, world.nhv[1])]
        rows += [{"provider_id": world.referring.provider_id}]
        # Not the coordinator's own row: a PATCH that deactivates them would end the run.
        rows += [{"person_id": world.people[who].id} for who in ("referrer", "host_member")]
        rows += [{"key": key} for key in ("analcancer", "crs_hipec")]
        past = (utcnow().date() - timedelta(days=10)).isoformat()
        nhv = [unit.id for unit in world.nhv]
        values = {
            "identity_number": list(NUMBERS[4:8]), "identity_kind": ["national"],
            "care_area": [AREA], "given_name": ["Testpatient"], "family_name": ["Kontrakt"],
            "answers": [referral()["answers"]], "referring_unit_id": [world.referring.id],
            "conference_id": [world.conference.id, world.later_conference.id],
            "treating_unit_id": nhv, "unit_id": nhv,
            "checklist_key": [item.key for item in care_area(AREA).material_checklist],
            "review_by": ["radiologist", "pathologist", "nuclear_medicine_physician"],
            "examined_on": [past], "status_on": [past],
            "provider_id": [world.referring.provider_id],
            "email": ["kontrakt.ett@example.se", "kontrakt.tva@example.se"],
            "mailbox": ["kontrakt@example.se"], "phone": ["08-123 456 78"],
            "file": [PDF],
        }
        return world, rows, values


@pytest.fixture(params=["referrer token", "coordinator session"])
def caller(request, app, monkeypatch) -> Caller:
    # The run sends its requests in seconds: the token's rate limit would answer most of
    # them 429 (documented, so no failure) and leave the operations behind it untested.
    monkeypatch.setitem(app.config, "MDK", with_overrides(
        app.config["MDK"], api_rate_limit="1000000 per minute"))
    world, rows, values = _world(app)
    client = ClosingClient(app, app.response_class)
    made = Caller(request.param, client, rows=rows, values=values)
    if request.param == "referrer token":
        with app.app_context():
            token = create_token(system_actor(), unit_hsa_id=world.referring.hsa_id)
            made.headers = {"Authorization": f"Bearer {token.secret}"}
    else:
        log_in(client, world.people["coordinator"])
    _current["caller"] = made
    yield made
    _current.clear()


def _operation_tests(schema, test_func):
    """(label, test) per operation of the document: the Hypothesis tests schemathesis'
    pytest integration builds (explicit examples, coverage cases, fuzzing), run here one
    after the other. schemathesis.pytest.from_fixture would do the same, but its lazy
    wrapper relies on a private attribute pytest 9.2 no longer has (Node._nodeid)."""
    for result in get_all_tests(schema=schema, test_func=test_func, settings=None,
                                given_kwargs=None):
        operation, test = result.ok()  # an operation the loader cannot read fails here
        yield operation.label, test


def test_api_contract(contract_schema, caller):
    def check(case):
        response = caller.call(case)
        case.validate_response(response, checks=CHECKS)

    load_all_checks()
    failures = []
    for label, test in _operation_tests(contract_schema, check):
        try:
            test()
        except FailureGroup as group:
            failures.append(f"{label}:\n{as_reported_failure(group)}")
        except Exception as error:  # a 500 raised in the app, or a broken test
            failures.append(f"{label}: {type(error).__name__}: {error}")
    assert not failures, f"{caller.name}:\n" + "\n\n".join(failures)
    print(f"{caller.name}: {caller.requests} requests")
    assert caller.throttled == 0, f"{caller.name}: {caller.throttled} answers were 429"
    assert caller.requests >= MIN_REQUESTS_PER_CALLER, (
        f"{caller.name}: only {caller.requests} requests, expected {MIN_REQUESTS_PER_CALLER}")
