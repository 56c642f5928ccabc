"""The statistics page runs the same SQL statements however many cases there are: every
figure is aggregated in the database (the benchmark, tests/bench/bench_stats.py, measures
the time at 100 and 10,000 cases)."""

from __future__ import annotations

from mdk.extensions import db
from tests.stats.bulk import add_history
from tests.support import count_statements

URL = "/stats?area=analcancer&from=2025-01-01&to=2025-12-31"


def _statements(client, app) -> int:
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as counter:
        response = client.get(URL)
    assert response.status_code == 200
    return len(counter.statements)


def test_page_statements_do_not_grow_with_the_cases(app, browser, dataset):
    client = browser(dataset.world.people["coordinator"])
    add_history("analcancer", 20, prefix="FEW")
    few = _statements(client, app)
    add_history("analcancer", 400, seed=16, prefix="MANY")
    many = _statements(client, app)
    assert few == many
    page = client.get(URL).get_data(as_text=True)
    assert "Statistikmassa" not in page  # no patient on the page
