"""HTML to PDF with WeasyPrint: the one PDF library of the service.

A document is the HTML of a template (the same one a page can use) with the print stylesheet
`mdk/static/css/print.css` (A4, margins, "Sida X av Y"). Rendering never touches the network
or the file system outside `mdk/static`: patient text may hold a link or an image, and a PDF
must not make the server fetch anything. WeasyPrint is imported on the first render only, so
starting the web app does not pay for it. `template_to_pdf` is the Flask side: a template
(extending documents/print_base.html) rendered in a language, then `html_to_pdf`.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# A name that never resolves (RFC 2606): relative URLs and the app's "/static/..." URLs join
# onto it, and the fetcher below maps its /static/ paths to files. Nothing is ever opened.
STATIC_ORIGIN = "https://mdk.invalid"
BASE_URL = f"{STATIC_ORIGIN}/static/"
# print.css writes the Swedish footer; other languages get theirs here.
PAGE_LABELS = {"en": ("Page", "of")}

log = logging.getLogger(__name__)
# WeasyPrint's own messages quote what they met ("Failed to load image at '<url>'"), and a
# document's content may hold patient data, which never goes into a log: the quoted values
# are left out (the message stays, e.g. "Failed to load image at …: …"). Its progress lines
# ("Step 1 - Fetching and parsing HTML") would be INFO noise in the service's log.
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")


def _without_quoted_values(record: logging.LogRecord) -> bool:
    if record.args:
        record.msg = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else "…", str(record.msg))
        record.args = None
    record.exc_info = record.exc_text = None  # an exception's text may quote them too
    return True


logging.getLogger("weasyprint").addFilter(_without_quoted_values)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


NOT_STATIC = "not a static file of the service"  # the URL itself is not repeated: see above


class RefusedURL(ValueError):
    """A document asked for something that is not one of the service's static files."""


def static_file(url: str) -> Path:
    """The file under mdk/static that `url` names, or RefusedURL. Only the virtual origin's
    /static/ paths count; a path leaving the folder (.., %2e%2e, a symlink) is refused."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN:
        raise RefusedURL(NOT_STATIC)
    path = PurePosixPath(unquote(parts.path))
    if path.parts[:2] != ("/", "static") or len(path.parts) < 3:
        raise RefusedURL(NOT_STATIC)
    candidate = STATIC_DIR.joinpath(*path.parts[2:]).resolve()
    if not candidate.is_relative_to(STATIC_DIR) or not candidate.is_file():
        raise RefusedURL(NOT_STATIC)
    return candidate


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serves mdk/static and refuses the rest (WeasyPrint then leaves the image or
        stylesheet out and logs it); never opens a connection or another file."""

        def fetch(self, url, headers=None):
            try:
                path = static_file(url)
            except RefusedURL:
                # The scheme only: the URL came from the document and may hold anything.
                log.warning("PDF: refused to fetch a %s: URL", urlsplit(url).scheme or "?")
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": content_type})

    return StaticFilesOnly


def url_fetcher():
    """The fetcher every document is rendered with (exposed for the tests)."""
    return _fetcher_class()()


def _w3c_date(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _page_label_css(lang: str) -> str | None:
    if lang not in PAGE_LABELS:
        return None
    page, of = PAGE_LABELS[lang]
    counters = f'"{page} " counter(page) " {of} " counter(pages)'
    return "@page { @bottom-right { content: " + counters + "; } }"


def html_to_pdf(html: str, *, title: str, created_at: datetime | None = None,
                lang: str = "sv") -> bytes:
    """The PDF of `html` (a whole document) with the print stylesheet. `title` and
    `created_at` go into the PDF's metadata; without `created_at` the PDF has no date and
    the same HTML gives the same bytes."""
    from weasyprint import CSS, HTML

    fetcher = url_fetcher()
    stylesheets = [CSS(url=f"{BASE_URL}css/print.css", url_fetcher=fetcher)]
    if extra := _page_label_css(lang):
        stylesheets.append(CSS(string=extra, url_fetcher=fetcher))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=stylesheets)
    document.metadata.title = title
    document.metadata.lang = lang
    document.metadata.created = document.metadata.modified = (
        _w3c_date(created_at) if created_at else None)
    return document.write_pdf()


def template_to_pdf(template: str, *, title: str, created_at: datetime | None = None,
                    lang: str | None = None, **context) -> bytes:
    """The PDF of templates/<template>, in `lang` (default: the user's in a request, else the
    service's). Rendered without the page context processors (the navigation needs a
    request), so it works in `mdk demo load` and the scheduler as well."""
    from flask import current_app, has_request_context
    from flask_babel import force_locale

    from mdk.i18n import current_language

    if lang is None:
        lang = current_language() if has_request_context() \
            else current_app.config["MDK"].default_locale
    with force_locale(lang):
        html = current_app.jinja_env.get_template(template).render(lang=lang, **context)
    return html_to_pdf(html, title=title, created_at=created_at, lang=lang)
