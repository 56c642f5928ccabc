"""The lists as data grow (issue #9): the access log, the case list and the patient list, first
page against last page, at 100 and at 10,000 cases (20 audit events per case: 200,000 at the
large size), on PostgreSQL. Target: last / first <= 1.5 for each list at each size.

Each size is a PostgreSQL schema of its own (dropped after, like the tests' databases), built
by `mdk demo scale --cases N`. The pages are fetched through the Flask test client, logged in
as the demo's anal cancer coordinator, so a time is the whole request: access check, queries,
the page's audit events, the template. The last page is found from the page itself: the
pagination's last page number with `?page=`, or, if the list pages by keyset, the "older"
link moved to the oldest rows (then followed until the page has no older link).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import flask_migrate
from sqlalchemy import select

from mdk import create_app
from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.people.models import Person
from tests.support import fresh_database, log_in

SIZES = (100, 10_000)
EVENTS_PER_CASE = 20
LISTS = (("access log", "/audit"), ("case list", "/cases"), ("patient list", "/patients"))
REPEATS = 7  # best of: a busy machine only adds time
PAGE_SIZE = 50  # the lists' page size, for placing a keyset cursor at the oldest rows
MAX_FOLLOWED = 200  # older links followed at most, after the cursor was placed
TARGET = 1.5
COORDINATOR_EMAIL_UNIT = ("coordinator", "analcancer")


@dataclass
class Link:
    href: str
    rel: str
    text: str = ""


class Pagination(HTMLParser):
    """The links and text of the page's <nav class="pagination">."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self.text = ""
        self._depth = 0
        self._link: Link | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav" and "pagination" in (attributes.get("class") or "").split():
            self._depth = 1
        elif self._depth and tag == "nav":
            self._depth += 1
        elif self._depth and tag == "a" and attributes.get("href"):
            self._link = Link(attributes["href"], attributes.get("rel") or "")

    def handle_endtag(self, tag):
        if self._depth and tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif self._depth and tag == "nav":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.text += data
            if self._link is not None:
                self._link.text += data.strip()


def pagination(html: str) -> Pagination:
    parser = Pagination()
    parser.feed(html)
    return parser


def table_rows(html: str) -> int:
    """Rows in the page's table body: a short last page does less work than a full first."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in html else ""
    return body.count("<tr")


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


# --- finding the last page ----------------------------------------------------------------

def last_page_url(get: Callable[[str], str], first_url: str) -> tuple[str, str]:
    """The last page's URL, and how it was found."""
    nav = pagination(get(first_url))
    if not nav.links:
        return first_url, "one page"
    marked = [link for link in nav.links if "last" in link.rel.split()]
    if marked:
        return marked[0].href, "rel=last"
    numbered = [link for link in nav.links if _query(link.href).get("page", "").isdigit()]
    if numbered:
        pages = max(int(number) for number in re.findall(r"[0-9]+", nav.text))  # "of N"
        return _with_query(numbered[-1].href, page=str(pages)), f"page {pages}"
    return _oldest_by_keyset(get, _older(nav))


def _older(nav: Pagination) -> Link:
    """On the first page every link leads to older rows; take the one marked next, else the
    last one (an "oldest" link, when there is one, comes last)."""
    marked = [link for link in nav.links if "next" in link.rel.split()]
    return marked[0] if marked else nav.links[-1]


def _oldest_by_keyset(get: Callable[[str], str], older: Link) -> tuple[str, str]:
    """Move the older link's cursor (an event id, a time) to the event just before the oldest
    page, then follow older links until there are none."""
    url, moved = _cursor_at_oldest(older.href)
    followed = 0
    while followed < MAX_FOLLOWED:
        nav = pagination(get(url))
        onward = [link for link in nav.links if _query(link.href) != _query(url)
                  and _is_older(link, url)]
        if not onward:
            break
        url, followed = onward[-1].href, followed + 1
    how = "keyset cursor placed at the oldest rows" if moved else "keyset"
    return url, f"{how}, {followed} older links followed"


def _is_older(link: Link, current: str) -> bool:
    """Heuristic for a keyset nav: a link carrying a cursor of its own (not the first page)
    whose id or time is below the current one's."""
    mine, theirs = _query(current), _query(link.href)
    for key, value in theirs.items():
        if key in mine and value != mine[key]:
            return value < mine[key] if not (value.isdigit() and mine[key].isdigit()) \
                else int(value) < int(mine[key])
    return False


def _cursor_at_oldest(href: str) -> tuple[str, bool]:
    """The older link with its cursor at the (PAGE_SIZE + 1)-th oldest event, if the cursor
    holds plain values (an id, an ISO time) the benchmark can recognise."""
    target = db.session.scalars(select(AuditEvent).order_by(
        AuditEvent.occurred_at, AuditEvent.id).offset(PAGE_SIZE).limit(1)).first()
    if target is None:
        return href, False
    changes = {}
    for key, value in _query(href).items():
        # One parameter for both ("time,id", "id_time", ...), or one for each.
        separator = next((mark for mark in ",_|;~" if mark in value), None)
        parts = value.split(separator) if separator else []
        moved_parts = [_moved_value(part, target) for part in parts]
        if len(parts) == 2 and None not in moved_parts:
            changes[key] = separator.join(moved_parts)
        elif (moved := _moved_value(value, target)) is not None:
            changes[key] = moved
    return (_with_query(href, **changes), True) if changes else (href, False)


def _moved_value(value: str, target: AuditEvent) -> str | None:
    """An event id becomes the target's id, a time the target's time; else None."""
    if value.isdigit() and db.session.get(AuditEvent, int(value)) is not None:
        return str(target.id)
    if (moment := _as_time(value)) is not None:
        return _like(value, moment, target.occurred_at)
    return None


def _as_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _like(original: str, parsed: datetime, value: datetime) -> str:
    """`value` written the way `original` was (zone, separator, precision)."""
    if parsed.tzinfo is not None:
        value = value.astimezone(parsed.tzinfo)
    text = value.isoformat(sep="T" if "T" in original else " ")
    if "." not in original:
        text = value.replace(microsecond=0).isoformat(sep="T" if "T" in original else " ")
    if parsed.tzinfo is None:
        text = text.split("+")[0]
    elif original.endswith("Z"):
        text = text.replace("+00:00", "Z")
    return text


# --- measuring ----------------------------------------------------------------------------

def _timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed


def first_and_last(client, first_url: str, last_url: str) -> tuple[float, float]:
    """Best of REPEATS for each page, the two taken in turn so both see the same machine."""
    _timed(client, first_url), _timed(client, last_url)  # warm: templates, statement cache
    firsts, lasts = [], []
    for _ in range(REPEATS):
        firsts.append(_timed(client, first_url))
        lasts.append(_timed(client, last_url))
    return min(firsts), min(lasts)


def _coordinator() -> Person:
    from mdk.demo.cases import _user

    user = _user(*COORDINATOR_EMAIL_UNIT)
    if user is None:
        raise RuntimeError("the demo has no anal cancer coordinator")
    return db.session.get(Person, user.actor.person_id)


def measure(url: str, folder: Path, cases: int) -> list[str]:
    app = create_app({"env": "test", "database_url": url, "instance_dir": str(folder),
                      "base_url": "http://localhost", "secret_key": "bench-secret",
                      "log_level": "WARNING"})
    lines = []
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=[
            "demo", "scale", "--cases", str(cases), "--events-per-case", str(EVENTS_PER_CASE)])
        if result.exit_code != 0:
            raise RuntimeError(f"mdk demo scale failed: {result.output}")
        lines.append(f"{cases} cases: mdk demo scale took {time.perf_counter() - started:.0f} s "
                     f"({result.output.strip()})")
        coordinator = _coordinator()
    client = app.test_client()
    log_in(client, coordinator)

    def get(page_url: str) -> str:
        response = client.get(page_url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {page_url} answered {response.status_code}")
        return response.get_data(as_text=True)

    for name, first_url in LISTS:
        with app.app_context():
            last_url, how = last_page_url(get, first_url)
        first, last = first_and_last(client, first_url, last_url)
        rows = f"{table_rows(get(first_url))} and {table_rows(get(last_url))} rows"
        lines.append(f"{cases} cases: {name}: first page {first * 1000:.0f} ms, last page "
                     f"{last * 1000:.0f} ms ({how}; {rows}), ratio {last / first:.2f} "
                     f"(target <= {TARGET})")
    with app.app_context():
        db.engine.dispose()
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for cases in SIZES:
            # PostgreSQL always: the question is how production's engine scales.
            with fresh_database(Path(folder), "postgresql") as url:
                for line in measure(url, Path(folder), cases):
                    print(line, flush=True)
