"""The list benchmark finds the last page from the page itself, with either paging: numbered
pages (`?page=N`) or a keyset cursor ("older" links), so it keeps working when a list moves
from one to the other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import delete, select

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.service import system_actor
from mdk.extensions import db
from tests.bench.bench_lists import PAGE_SIZE, last_page_url, table_rows

START = datetime(2025, 1, 1, tzinfo=UTC)


def _numbered_page(url: str) -> str:
    page = int(dict(parse_qsl(urlsplit(url).query)).get("page", "1"))
    links = (f'<a href="/cases?area=analcancer&amp;page={page - 1}">Föregående</a>'
             if page > 1 else "")
    links += f"<span>Sida {page} av 7</span>"
    links += f'<a href="/cases?area=analcancer&amp;page={page + 1}">Nästa</a>' if page < 7 else ""
    return f'<table><tbody><tr><td>{page}</td></tr></tbody></table>' \
           f'<nav class="pagination" aria-label="Sidor">{links}</nav>'


def test_numbered_pages_go_to_the_last_page_number():
    url, how = last_page_url(_numbered_page, "/cases?area=analcancer")
    assert dict(parse_qsl(urlsplit(url).query)) == {"area": "analcancer", "page": "7"}
    assert how == "page 7"


def test_a_single_page_is_its_own_last_page():
    url, how = last_page_url(lambda _url: "<table><tbody></tbody></table>", "/patients")
    assert (url, how) == ("/patients", "one page")


def _events(count: int) -> list[AuditEvent]:
    db.session.execute(delete(AuditEvent))
    for minute in range(count):
        event = audit.record(system_actor(), "case.read", ("case", minute + 1))
        event.occurred_at = START + timedelta(minutes=minute)
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.occurred_at.desc(),
                                                               AuditEvent.id.desc())))


def _keyset_log(newest_first: list[AuditEvent], visits: list[str], combined: bool = False):
    """A log paged by `before_at` + `before_id` (or one `before=time,id`), as a keyset log
    review could be."""
    def page(url: str) -> str:
        visits.append(url)
        query = dict(parse_qsl(urlsplit(url).query))
        if "before" in query:
            query["before_at"], query["before_id"] = query["before"].split(",")
        rows = newest_first
        if "before_id" in query:
            cursor = (datetime.fromisoformat(query["before_at"].replace("Z", "+00:00")),
                      int(query["before_id"]))
            rows = [event for event in rows if (event.occurred_at, event.id) < cursor]
        shown, more = rows[:PAGE_SIZE], rows[PAGE_SIZE:]
        links = '<a href="/audit">Nyaste</a>' if len(rows) < len(newest_first) else ""
        if more:
            last = shown[-1]
            stamp = last.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            cursor = f"before={stamp},{last.id}" if combined \
                else f"before_at={stamp}&amp;before_id={last.id}"
            links += f'<a href="/audit?{cursor}">Äldre</a>'
        body = "".join(f"<tr><td>{event.id}</td></tr>" for event in shown)
        return f'<table><tbody>{body}</tbody></table><nav class="pagination">{links}</nav>'
    return page


@pytest.mark.parametrize("combined", [False, True])
def test_a_keyset_log_goes_to_its_oldest_page_without_walking_every_page(app_ctx, combined):
    newest_first = _events(1000)
    visits: list[str] = []
    get = _keyset_log(newest_first, visits, combined)
    url, how = last_page_url(get, "/audit")
    page = get(url)
    assert "Äldre" not in page and table_rows(page) == PAGE_SIZE
    assert f"<td>{newest_first[-1].id}</td>" in page  # the oldest event
    assert len(visits) < 5  # 1,000 events are 20 pages: it jumped, it did not walk
    assert "cursor placed" in how
