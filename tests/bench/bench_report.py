"""The report PDF through the service (issue #14; target: at most 1.3 times the renderer alone).

Service: `GET /cases/<id>/report.pdf` as the referring physician, through the Flask test
client: login check, access, the read audited (and committed), the document built from the
signed protocol and the established care plan, rendered to HTML and on to PDF. Renderer
alone: WeasyPrint turning the very same HTML into PDF with the same stylesheet and nothing
else. Interleaved rounds in one run on a throwaway SQLite file; medians."""

from __future__ import annotations

import statistics
import tempfile
import time

from mdk.documents.pdf import BASE_URL, STATIC_DIR
from mdk.reports import document
from tests.bench import sqlite_bench_app
from tests.reports.factories import world_with_report
from tests.support import log_in

ROUNDS = 15


def _renderer_alone(html: str) -> bytes:
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(STATIC_DIR / "css" / "print.css"))
    return HTML(string=html, base_url=BASE_URL).write_pdf(stylesheets=[stylesheet])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = sqlite_bench_app(folder)
        with app.app_context():
            world, case, report = world_with_report()
            url, referrer = f"/cases/{case.id}/report.pdf", world.people["referrer"]
            with app.test_request_context("/"):
                html = document.print_html(document.document_of(report, world.principal(
                    "referrer")))
        client = app.test_client()
        log_in(client, referrer)
        if client.get(url).status_code != 200:  # warm both: imports, fonts, templates
            raise RuntimeError(f"GET {url} failed")
        _renderer_alone(html)
        service_times, alone_times = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = client.get(url)
            service_times.append(time.perf_counter() - started)
            if response.status_code != 200 or not response.data.startswith(b"%PDF-"):
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            started = time.perf_counter()
            _renderer_alone(html)
            alone_times.append(time.perf_counter() - started)
    service, alone = statistics.median(service_times), statistics.median(alone_times)
    print(f"report pdf: service {service * 1000:.0f} ms, WeasyPrint alone on the same HTML "
          f"{alone * 1000:.0f} ms: ratio {service / alone:.2f} (target: at most 1.3; "
          f"median of {ROUNDS})")
