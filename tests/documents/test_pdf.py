"""The one PDF layer (mdk.documents.pdf): A4 with the print stylesheet, Swedish text that
extracts right, metadata, the same bytes for the same HTML, and no fetching of anything but
the service's own static files (a link or image in patient text must never reach out)."""

from __future__ import annotations

import logging
import socket
import struct
import subprocess
import sys
import threading
import zlib
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from mdk.config import PROJECT_ROOT
from mdk.documents.pdf import (
    BASE_URL,
    STATIC_DIR,
    RefusedURL,
    html_to_pdf,
    static_file,
    template_to_pdf,
    url_fetcher,
)
from mdk.i18n import LANG_COOKIE

A4 = (595.28, 841.89)  # points


def _page(html: str) -> str:
    return ("<!doctype html><html lang=sv><head><meta charset=utf-8></head>"
            f"<body>{html}</body></html>")


def _read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]  # what material uploads ask
    return PdfReader(BytesIO(pdf))


def _size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def test_a_document_is_a4_portrait_and_landscape_on_request():
    portrait = _read(html_to_pdf(_page("<p>Stående</p>"), title="t"))
    landscape = _read(html_to_pdf(_page("<p>Liggande</p>").replace("<body>",
                                                                  '<body class="landscape">'),
                                  title="t"))
    assert _size(portrait.pages[0]) == pytest.approx(A4, abs=0.5)
    assert _size(landscape.pages[0]) == pytest.approx(A4[::-1], abs=0.5)


def test_swedish_text_extracts_as_written():
    text = _read(html_to_pdf(_page("<h1>Åsa Öberg</h1><p>Jörgen Ängström, ÅÄÖ åäö é ü</p>"),
                             title="t")).pages[0].extract_text()
    assert "Åsa Öberg" in text and "Jörgen Ängström, ÅÄÖ åäö é ü" in text


def test_the_fonts_are_dejavu_sans():
    page = _read(html_to_pdf(_page("<p>Å <b>fet</b></p>"), title="t")).pages[0]
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(name.split("+")[-1] in ("DejaVu-Sans", "DejaVu-Sans-Bold")
                         for name in fonts)


def test_title_language_and_creation_date_are_in_the_metadata():
    created = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    reader = _read(html_to_pdf(_page("<p>x</p>"), title="Loggutdrag för patient",
                               created_at=created))
    assert reader.metadata.title == "Loggutdrag för patient"
    assert reader.metadata.creation_date == created
    assert reader.trailer["/Root"]["/Lang"] == "sv"


def test_the_same_html_gives_the_same_bytes():
    html = _page("<h1>Rapport</h1><p>Ärende AC-2026-0001</p>")
    created = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert html_to_pdf(html, title="t") == html_to_pdf(html, title="t")
    assert html_to_pdf(html, title="t", created_at=created) == \
        html_to_pdf(html, title="t", created_at=created)
    assert b"/CreationDate" not in html_to_pdf(html, title="t")  # no date: nothing of "now"


def test_the_print_stylesheet_numbers_the_pages_and_repeats_the_header():
    rows = "".join(f"<p>Rad {number}</p>" for number in range(120))
    reader = _read(html_to_pdf(_page(f'<div class="page-header">Nationell MDK · sidhuvud</div>'
                                     f"<h1>Protokoll</h1>{rows}"), title="t"))
    assert len(reader.pages) >= 2
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Sida {number} av {total}" in text
        assert "Nationell MDK · sidhuvud" in text and "Protokoll" in text  # header, title


def test_an_english_document_says_page_x_of_y():
    text = _read(html_to_pdf(_page("<p>x</p>"), title="t", lang="en")).pages[0].extract_text()
    assert "Page 1 of 1" in text and "Sida" not in text


def test_the_static_files_are_served_and_nothing_else():
    assert static_file(f"{BASE_URL}css/print.css") == STATIC_DIR / "css" / "print.css"
    assert static_file("https://mdk.invalid/static/favicon.svg") == STATIC_DIR / "favicon.svg"
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "https://mdk.invalid/x.css",
                f"file://{STATIC_DIR}/css/print.css", "https://mdk.invalid/static/",
                "https://mdk.invalid/static/../../pyproject.toml",
                "https://mdk.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
                "https://mdk.invalid/static/css/missing.css", "https://mdk.invalid:8443/static/x",
                "http://mdk.invalid/static/css/print.css", "data:text/plain,x",
                "ftp://mdk.invalid/static/css/print.css"):
        with pytest.raises(RefusedURL):
            static_file(url)


class _Listener:
    """A local TCP server that only counts the connections it gets."""

    def __init__(self):
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()  # no answer: the fetch fails either way

    def close(self):
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture()
def listener():
    server = _Listener()
    yield server
    server.close()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _hostile(port: int, image_path) -> str:
    """What patient text could smuggle in were it ever left unescaped."""
    remote = f"http://127.0.0.1:{port}"
    return _page(f'<link rel="stylesheet" href="{remote}/x.css">'
                 f'<link rel="attachment" href="file:///etc/passwd">'
                 f'<p style="background: url({remote}/bg.png)">Anteckning</p>'
                 f'<img src="{remote}/x.png"><img src="file:///etc/passwd">'
                 f'<img src="file://{image_path}"><a href="{remote}/link">länk</a>')


def test_nothing_outside_the_static_files_is_fetched(listener, tmp_path, caplog):
    image = tmp_path / "pixel.png"
    image.write_bytes(_png())
    with caplog.at_level(logging.DEBUG):
        reader = _read(html_to_pdf(_hostile(listener.port, image), title="t"))
    assert listener.connections == 0
    assert not reader.pages[0].images  # neither the local file nor anything remote
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    refused = [r.getMessage() for r in caplog.records if r.name == "mdk.documents.pdf"]
    assert "PDF: refused to fetch a http: URL" in refused
    assert "PDF: refused to fetch a file: URL" in refused
    assert "Anteckning" in reader.pages[0].extract_text()
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert "Failed to load image at …: …" in caplog.text  # WeasyPrint's, the URL left out
    for quoted in (str(listener.port), "passwd", "pixel.png"):  # no URL of the document
        assert quoted not in logged


def test_the_same_document_does_fetch_with_weasyprints_own_fetcher(listener, tmp_path):
    """The control for the test above: its listener and image check do catch a fetch."""
    from weasyprint import HTML

    image = tmp_path / "pixel.png"
    image.write_bytes(_png())
    pdf = HTML(string=_hostile(listener.port, image)).write_pdf()
    assert listener.connections >= 1
    assert PdfReader(BytesIO(pdf)).pages[0].images


def test_the_fetcher_serves_a_static_file_a_document_links():
    """A template's `url_for('static', ...)` link works (WeasyPrint alone, no print.css
    added: the page numbers come from the linked file)."""
    from weasyprint import HTML

    html = _page('<link rel="stylesheet" href="/static/css/print.css"><p>x</p>')
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf()
    assert "Sida 1 av 1" in _read(pdf).pages[0].extract_text()


def test_a_template_outside_a_request_is_in_the_services_language(app_ctx):
    reader = _read(template_to_pdf("demo/material_pdf.html", title="Prov",
                                   case_number="AC-2026-0001"))
    text = reader.pages[0].extract_text()
    assert "Ärende AC-2026-0001. Fiktivt dokument" in text and "Sida 1 av 1" in text
    assert "Nationell MDK" in text  # the frame's header, translated
    assert reader.trailer["/Root"]["/Lang"] == "sv"


def test_a_template_in_a_request_follows_the_users_language(app):
    with app.test_request_context(headers={"Cookie": f"{LANG_COOKIE}=en"}):
        text = _read(template_to_pdf("documents/print_base.html", title="t")).pages[0] \
            .extract_text()
    assert "National MDK" in text and "Page 1 of 1" in text


def test_starting_the_app_does_not_import_weasyprint():
    code = ("import sys; from mdk import create_app; create_app(); "
            "print('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, text=True,
                            capture_output=True, check=True)
    assert result.stdout.strip() == "False"
