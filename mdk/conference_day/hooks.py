"""Where a held meeting hears that a case left it (moved on, withdrawn, reported): on the
case feature's `case_moved` signal, inside the move's transaction, it closes once every
case on it is done with (mdk.conferences.lifecycle.close_if_done)."""

from __future__ import annotations

from mdk.cases.signals import case_moved


def _on_case_moved(case, transition=None, previous_conference=None, **_extra) -> None:
    from mdk.conferences import lifecycle

    lifecycle.close_if_done(previous_conference)
    if case.conference is not None and case.conference is not previous_conference:
        lifecycle.close_if_done(case.conference)


def install() -> None:
    """Connecting the same receiver again is a no-op (blinker keys receivers by identity)."""
    case_moved.connect(_on_case_moved)
