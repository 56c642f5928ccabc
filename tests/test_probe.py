"""A probe of every id route, API operation and HTML form, generated from the app itself (the
URL map, the OpenAPI document, the rendered forms), never listed by hand: ids beyond the
columns' 32 bits, a NUL in every text, integers of 5,000 digits. The answer is a 4xx (a
problem for the API, a form error for a page), never a 500. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select

from mdk.api_tokens.models import ApiToken
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.core.security import HEADERS
from mdk.extensions import db
from mdk.people.models import Absence, Person
from mdk.reviews.models import ReviewTask
from mdk.validation import MAX_ID
from tests.access.helpers import csrf_token, load_demo_people
from tests.support import log_in
from tests.units.factories import field_error

BEYOND_32_BITS = 2**31
LARGEST_64_BIT = 2**63 - 1
HUGE_INTEGER = "9" * 5000  # beyond Python's 4,300-digit int-string conversion limit
NUL_TEXT = "Probe\x00text"
PROBLEM = "application/problem+json"


# --- data for the walk ---------------------------------------------------------------------

@pytest.fixture()
def demo(app):
    """The demo data (rolled back after): role -> person id."""
    return load_demo_people(app)


@pytest.fixture()
def walkers(app, demo):
    """A logged-in admin and a coordinator of the demo (each with a CSRF token)."""
    clients = {}
    for role in ("admin", "coordinator"):
        client = app.test_client()
        with app.app_context():
            person = db.session.get(Person, demo[role])
        log_in(client, person)
        clients[role] = (client, csrf_token(client))
    return clients


def _real_values(app, person_id: int) -> dict[str, object]:
    """Real values for URL variables, in the walker's scope, so a route reaches its service
    and its forms, not only its 404."""
    with app.app_context():
        walker = db.session.get(Person, person_id)
        area = walker.role_grants[0].care_area

        def first(column, *where):
            return db.session.scalars(select(column).where(*where).order_by(column)).first()

        case = db.session.get(Case, first(Case.id, Case.care_area == area,
                                          Case.state == "submitted"))
        return {"unit_id": walker.unit_id, "provider_id": walker.unit.provider_id,
                "person_id": walker.id, "grant_id": walker.role_grants[0].id,
                "absence_id": first(Absence.id) or 1, "patient_id": case.patient_id,
                "conference_id": first(Conference.id, Conference.care_area == area),
                "case_id": case.id, "event_id": 1, "position": 1, "key": area,
                "area_key": area, "table": "hosting",
                "month": "2026-12", "file_format": "csv", "move": "withdraw",
                "filename": "css/mdk.css", "item_id": 1, "file_id": 1,
                "task_id": first(ReviewTask.id) or MAX_ID,
                "token_id": first(ApiToken.id) or MAX_ID, "name": "swagger-ui.css",
                "token": "no-such-feed-token",
                "answer_token": "no-such-answer-token"}


@pytest.fixture()
def quick_walkers(app, client, admin_user):
    """Without the demo (the URL walks need no rows): the admin (admin and coordinator in
    every area) and a coordinator of one area only; with the values for their URLs."""
    from mdk.people import service as people
    from tests.units.factories import make_person

    with app.app_context():
        admin = db.session.merge(admin_user)
        coordinator = make_person(unit=admin.unit)
        people.grant_role(coordinator, "coordinator", "analcancer", admin.unit_id)
        db.session.commit()
        coordinator_id = coordinator.id
        values = {"unit_id": admin.unit_id, "provider_id": admin.unit.provider_id,
                  "person_id": admin.id, "grant_id": admin.role_grants[0].id,
                  "absence_id": MAX_ID, "patient_id": MAX_ID, "conference_id": MAX_ID,
                  "case_id": MAX_ID, "event_id": MAX_ID, "key": "analcancer",
                  "area_key": "analcancer", "month": "2026-12", "file_format": "csv",
                  "move": "withdraw", "filename": "css/mdk.css", "task_id": MAX_ID,
                  "item_id": MAX_ID, "file_id": MAX_ID, "token_id": MAX_ID,
                  "position": 1, "name": "swagger-ui.css", "token": "no-such-feed-token",
                  "table": "hosting",
                "answer_token": "no-such-answer-token"}
    with app.app_context():  # log_in must not run inside another app context
        coordinator = db.session.get(Person, coordinator_id)
    other = app.test_client()
    log_in(other, coordinator)
    return {"admin": (client, csrf_token(client)), "coordinator": (other, csrf_token(other))
            }, values


def _id_rules(app):
    """(rule, its id variables) for every rule with an `<int:...>` variable."""
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items()
               if converter.__class__.__name__ == "DatabaseIdConverter"]
        if ids:
            yield rule, ids


def _build(rule, values: dict[str, object]) -> str:
    return re.sub(r"<(?:[^:>]+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m[1]]), rule.rule)


def _send(client, token: str, method: str, url: str):
    if url.startswith("/api/"):
        return client.open(url, method=method, json={} if method != "GET" else None)
    return client.open(url, method=method, data={"csrf_token": token} if method != "GET"
                       else None)


# --- ids: the URL map -------------------------------------------------------------------------

def test_every_id_route_answers_404_beyond_the_columns_never_500(app, quick_walkers):
    walkers, values = quick_walkers
    wrong = []
    for role, (client, token) in walkers.items():
        for rule, ids in _id_rules(app):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for number in (BEYOND_32_BITS, LARGEST_64_BIT, MAX_ID):
                    for name in ids:  # one id out of range at a time, the others real
                        url = _build(rule, {**values, name: number})
                        response = _send(client, token, method, url)
                        expected = {404} if number > MAX_ID else set(range(300, 500))
                        if response.status_code not in expected:
                            wrong.append(f"{role} {method} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_text_url_variable_with_a_nul_is_a_4xx(app, quick_walkers):
    walkers, values = quick_walkers
    wrong = []
    for role, (client, token) in walkers.items():
        for rule in app.url_map.iter_rules():
            texts = [name for name, converter in rule._converters.items()
                     if converter.__class__.__name__ in ("UnicodeConverter", "PathConverter")]
            for name in texts:
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    url = _build(rule, {**values, name: "a%00b"})
                    response = _send(client, token, method, url)
                    response.close()
                    if not 400 <= response.status_code < 500:
                        wrong.append(f"{role} {method} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_id_rule_is_the_columns_rule(app):
    from mdk.forms import optional_int
    from mdk.validation import parse_id

    assert MAX_ID == 2**31 - 1
    assert parse_id(str(MAX_ID)) == MAX_ID == optional_int(MAX_ID)
    assert parse_id(str(BEYOND_32_BITS)) is None and optional_int(BEYOND_32_BITS) is None
    assert parse_id("0") is None and parse_id(True) is None and parse_id("1e3") is None


# --- the API: the OpenAPI document ------------------------------------------------------------

def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, operation


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def _body_properties(document: dict, operation: dict) -> dict[str, dict]:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return {}
    schema = _resolve(document, content["application/json"]["schema"])
    return {name: _resolve(document, prop) for name, prop in schema.get("properties", {}).items()
            if not prop.get("readOnly")}


def _api_path(path: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), path)


def _is_problem(response) -> bool:
    return 400 <= response.status_code < 500 and response.mimetype == PROBLEM


def _bad_bodies(properties: dict[str, dict]):
    """(property, what, raw JSON body, status) for each property: a NUL in text and an id
    beyond the columns (422 naming the property), a number of 5,000 digits (400)."""
    for name, prop in properties.items():
        kind = prop.get("type")
        if kind == "string":
            yield name, "NUL", json.dumps({name: NUL_TEXT}), 422
        elif kind == "integer":
            yield name, "2^31", json.dumps({name: BEYOND_32_BITS}), 422
            yield name, "5000 digits", f'{{"{name}": {HUGE_INTEGER}}}', 400
        elif kind == "object":  # a map of answers: its texts are checked by the service
            yield None, "NUL", json.dumps({name: {"probe": NUL_TEXT}}), None


def _parameters(operation: dict, document: dict) -> list[dict]:
    """The operation's parameters, a shared one (`$ref`, e.g. flask-smorest's If-Match
    header) as its component says it."""
    components = document.get("components", {}).get("parameters", {})
    return [components[parameter["$ref"].split("/")[-1]] if "$ref" in parameter else parameter
            for parameter in operation.get("parameters", [])]


def _bad_queries(operation: dict, document: dict):
    for parameter in _parameters(operation, document):
        if parameter["in"] != "query":
            continue
        name, schema = parameter["name"], parameter["schema"]
        kind = schema.get("items", schema).get("type")
        if kind == "string":
            yield {name: NUL_TEXT}
        elif kind == "integer":
            yield {name: HUGE_INTEGER}
            if "maximum" in schema:
                yield {name: schema["maximum"] + 1}


def test_every_api_operation_refuses_nul_and_huge_numbers_as_a_problem(app, demo, walkers):
    document = walkers["admin"][0].get("/api/openapi.json").json
    callers = [(walkers[role][0], _real_values(app, demo[role]))
               for role in ("admin", "coordinator")]

    def send(path, method, **kwargs):
        """As the admin, or the coordinator where the admin may not (cases)."""
        for client, values in callers:
            response = client.open(_api_path(path, values), method=method.upper(), **kwargs)
            if response.status_code not in (403, 404):
                break
        return response

    wrong, probes = [], 0
    for path, method, operation in _operations(document):
        for name, what, body, status in _bad_bodies(_body_properties(document, operation)):
            response = send(path, method, data=body, content_type="application/json")
            probes += 1
            named = name is None or status == 400 or name in _errors(response, "json")
            if not _is_problem(response) or status not in (None, response.status_code) \
                    or not named:
                wrong.append(f"{method.upper()} {path} {name}={what}: "
                             f"{response.status_code} {response.mimetype}")
        for query in _bad_queries(operation, document):
            response = send(f"{path}?{urlencode(query)}", method)
            probes += 1
            if not _is_problem(response) or not set(query) <= set(_errors(response, "query")):
                wrong.append(f"{method.upper()} {path}?{list(query)[0]}: "
                             f"{response.status_code} {response.mimetype}")
    assert probes > 40  # the walk found the operations
    assert not wrong, "\n".join(wrong)


def _errors(response, location: str) -> dict:
    return ((response.json or {}).get("errors") or {}).get(location) or {}


def test_every_documented_input_declares_the_rules_the_service_applies(client):
    """Every string a client sends carries the text rule's pattern (mdk.schemas.Text) and
    every id the columns' range (mdk.schemas.database_id), so the document tells what the
    API refuses."""
    document = client.get("/api/openapi.json").json
    missing = []
    for path, method, operation in _operations(document):
        inputs = dict(_body_properties(document, operation))
        inputs.update({p["name"]: p["schema"] for p in _parameters(operation, document)
                       if p["in"] == "query"})
        for name, schema in inputs.items():
            schema = _resolve(document, schema.get("items", schema))
            if schema.get("type") == "string" and "format" not in schema \
                    and "pattern" not in schema and "enum" not in schema:
                missing.append(f"{method.upper()} {path} {name}: no pattern")
            if schema.get("type") == "integer" and name.endswith("_id") \
                    and schema.get("maximum") != MAX_ID:
                missing.append(f"{method.upper()} {path} {name}: not the id range")
    assert not missing, "\n".join(missing)


# --- the HTML forms: as rendered ---------------------------------------------------------------

TEXT_INPUTS = {"text", "email", "url", "date", "time", "week", "search", "tel", "number", None}


class _Forms(HTMLParser):
    """Every <form> of a page: action, method, and its fields with their shown values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.links.append(attrs["href"])
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {},
                               "text": [], "method": (attrs.get("method") or "get").lower()})
        elif not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form["fields"][name] = attrs.get("value", "y")
            elif kind != "submit":
                form["fields"][name] = attrs.get("value", "")
                if kind in TEXT_INPUTS:
                    form["text"].append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in form["fields"]:
                form["fields"][self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = ""
            form["text"].append(name)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def _shown_pages(app, demo, walkers):
    """(role, client, token, page, its parsed forms and links) for every HTML page a GET
    shows each walker (no API, no files), with real ids."""
    for role, (client, token) in walkers.items():
        values = _real_values(app, demo[role])
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(("/api", "/static")):
                continue
            page = _build(rule, values)
            response = client.get(page)
            if response.status_code == 200 and response.mimetype == "text/html":
                parser = _Forms()
                parser.feed(response.get_data(as_text=True))
                yield role, client, token, page, parser


def test_every_form_refuses_a_nul_in_each_text_field_with_a_form_error(app, demo, walkers):
    wrong, probes, seen = [], 0, set()
    for role, client, token, page, parser in _shown_pages(app, demo, walkers):
        for form in parser.forms:
            action = form["action"] or page
            if action in ("/logout", "/language") or (action, form["method"]) in seen:
                continue
            seen.add((action, form["method"]))
            if not form["text"]:
                continue  # nothing to type into (a delete button)
            form["complete"] = _complete(client, token, form, action)
            for field in form["text"]:
                probes += 1
                answer = _submit(client, token, form, action, field)
                if answer is not None:
                    wrong.append(f"{role} {form['method'].upper()} {action} {field}: {answer}")
    assert probes > 50  # the walk found the forms
    assert not wrong, "\n".join(wrong)


def test_every_query_parameter_of_the_pages_links_survives_bad_values(app, demo, walkers):
    """Each parameter of each link the pages show (paging cursors, filters, sorting) with
    ids beyond the columns and with a NUL: a page or a 4xx, never a 500."""
    wrong, probes, seen = [], 0, set()
    for role, client, _token, page, parser in _shown_pages(app, demo, walkers):
        for link in parser.links:
            target = urlsplit(link)
            if target.netloc or (target.path, target.query) in seen:
                continue
            seen.add((target.path, target.query))
            query = dict(parse_qsl(target.query, keep_blank_values=True))
            for name, value in query.items():
                for bad in _bad_values(value):
                    url = f"{target.path or page}?{urlencode({**query, name: bad})}"
                    probes += 1
                    answer = client.get(url)
                    if answer.status_code >= 500:
                        wrong.append(f"{role} GET {url}: {answer.status_code}")
    assert probes > 20  # the walk found the links
    assert not wrong, "\n".join(wrong)


def _bad_values(value: str) -> list[str]:
    """A NUL; and where the value ends in a number (an id, a cursor's id), ids beyond the
    columns in its place."""
    if not re.search(r"[0-9]+$", value):
        return [NUL_TEXT]
    return [NUL_TEXT] + [re.sub(r"[0-9]+$", str(number), value)
                         for number in (BEYOND_32_BITS, LARGEST_64_BIT)]


def _submit(client, token: str, form: dict, action: str, field: str) -> str | None:
    """Send the form as shown with a NUL in `field`; what is wrong with the answer, or None.
    A post is shown again (200/422) — with the error at the field when the form as shown
    was complete, so nothing else stops it first; a search answers 400/422."""
    data = {**form["fields"], field: NUL_TEXT}
    if form["method"] == "get":
        answer = client.get(f"{urlsplit(action).path}?{urlencode(data)}")
        return None if answer.status_code in (400, 422) else str(answer.status_code)
    answer = client.post(action, data={**data, "csrf_token": token})
    if answer.status_code not in (200, 422):
        return str(answer.status_code)
    if form["complete"] and field_error(answer.get_data(as_text=True), field) is None:
        return f"{answer.status_code} without an error at the field"
    return None


def _complete(client, token: str, form: dict, action: str) -> bool:
    """The form as shown is accepted (a redirect; rolled back with the test)."""
    if form["method"] != "post":
        return False
    return client.post(action, data={**form["fields"], "csrf_token": token}).status_code == 302


# --- a failed statement still gets the Swedish error page, with every header ------------------

def test_a_database_error_still_shows_the_error_page_with_every_security_header(
        app, client, monkeypatch):
    from mdk.units.models import CareProvider

    def broken_view():
        db.session.commit()  # expires the loaded rows: the page must read current_user again
        db.session.add(CareProvider(name=None, organisation_number=None))  # NOT NULL
        db.session.flush()

    monkeypatch.setitem(app.view_functions, "core.index", broken_view)
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Något gick fel" in page
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
