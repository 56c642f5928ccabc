"""Tokens in paths never reach a log line. A request log prints the path, and the path of a
feed holds its token, that of an invite's answer link its signed token (mdk.invites.answers):
werkzeug's line (`mdk run`), gunicorn's access line and the app's own (an unhandled error
names the path) pass through this filter, which masks them."""

from __future__ import annotations

import logging
import re

# A token is 43 URL-safe characters; the area keys and months of the calendar pages
# (/calendar/analcancer/2026-12) are shorter and stay readable.
TOKEN_IN_PATH = re.compile(r"(/calendar/)[A-Za-z0-9_-]{32,}")
# An answer link's token (URL-safe base64 and dots), whatever its length: all of the segment.
ANSWER_TOKEN_IN_PATH = re.compile(r"(/invites/answer/)[^\s/?#\"']+")
MASK = r"\1***"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "mdk", "flask.app")


def mask(text: str) -> str:
    return ANSWER_TOKEN_IN_PATH.sub(MASK, TOKEN_IN_PATH.sub(MASK, text))


class MaskFeedTokens(logging.Filter):
    """Formats the record's message once, masked, so no handler sees the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken record is the logging module's to report
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(app_logger: logging.Logger) -> None:
    for logger in {app_logger, *map(logging.getLogger, LOGGERS)}:
        if not any(isinstance(f, MaskFeedTokens) for f in logger.filters):
            logger.addFilter(MaskFeedTokens())
