"""Every scheduled job, declared as data: id, trigger and the function it runs.

The scheduler replaces its job store from this list at every start, so this file is the whole
schedule. Each job derives its work from database state and is idempotent, so a missed or a
repeated run does no harm. Features add their jobs here as they are built.

Cron triggers run in the service's time zone (MDK_TIMEZONE, Europe/Stockholm): 02:30 is 02:30
local time in winter and summer. MDK_SCHEDULER_REGISTRY names another module with a JOBS list
instead of this one (the scheduler tests use tests.scheduler_registry).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

log = logging.getLogger("scheduler")


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], Any]
    trigger: str  # an APScheduler trigger alias: "interval", "cron" or "date"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def extend_calendars() -> None:
    """Keep every care area's meeting calendar a horizon ahead, hosts planned."""
    from mdk.conferences.service import extend_calendars as extend

    created = extend(horizon_months=current_app.config["MDK"].calendar_horizon_months)
    log.info("extend-calendars created %d conference(s)", created)


def deliver_outbox() -> None:
    """Send the mail that is due (a minute's work at most, then the next run goes on)."""
    from mdk.outbox.delivery import deliver_due

    result = deliver_due(max_batches=DELIVERY_BATCHES_PER_RUN)
    if result.claimed:
        log.info("deliver-outbox sent %d, failed %d, dead %d", result.sent, result.failed,
                 result.dead)


def readiness_gate() -> None:
    """Judge the material of every case whose meeting's cut-off has passed (once per case
    and meeting): ready, held for the coordinator, or deferred; catches up missed cut-offs."""
    from mdk.material.gate import run_scheduled

    run_scheduled()


def lock_agendas() -> None:
    """Lock each coming meeting's agenda at its referral deadline (unless unlocked by hand)."""
    from mdk.agenda.service import run_scheduled

    run_scheduled()


def send_case_lists() -> None:
    """Mail each participant the link to the meeting's case list from 13:00 local time the
    day before (mdk.case_lists.service); catches up until the meeting starts."""
    from mdk.case_lists.service import run_scheduled

    run_scheduled()


def start_meetings() -> None:
    """Mark each meeting that has started as held (agenda_locked → held)."""
    from mdk.conferences.lifecycle import run_scheduled

    run_scheduled()


def send_invites() -> None:
    """Mail the calendar invites that are due: meetings entering the window, updates,
    cancellations, and the referring physicians' case slots (mdk.invites.sending)."""
    from mdk.invites.sending import run_scheduled

    run_scheduled()


def warn_quorum() -> None:
    """A meeting within two working days whose quorum nobody covers: its coordinators are
    told once per set of uncovered competences (mdk.invites.quorum_warning)."""
    from mdk.invites.quorum_warning import run_scheduled

    run_scheduled()


def read_replies() -> None:
    """Apply the attendees' answers (iTIP REPLY) waiting in the organizer mailbox
    (MDK_IMAP_*) and file each message; does nothing without MDK_IMAP_HOST."""
    from mdk.invites.mailbox import run_scheduled

    run_scheduled()


def remind_reports() -> None:
    """Remind of reports not acknowledged in time, then escalate (mdk.reports.service)."""
    from mdk.reports.service import run_scheduled

    run_scheduled()


def remind_proms() -> None:
    """Remind the treating unit of each PROM time point from the morning of its due day
    (mdk.proms.due)."""
    from mdk.proms.due import run_scheduled

    run_scheduled()


def remind_treatment_start() -> None:
    """Remind the treating unit and the coordinators of a reported case with no treatment
    start recorded as the lead-time target's last day nears (mdk.treatment.service)."""
    from mdk.treatment.service import run_scheduled

    run_scheduled()


def escalate_reviews() -> None:
    """Late or unassigned review tasks: assign if someone is free, tell the coordinators once."""
    from mdk.reviews.service import escalate_reviews as escalate

    result = escalate()
    if result.made or result.late_told or result.assigned:
        log.info("review-escalation made %d, assigned %d, late told %d", result.made,
                 result.assigned, result.late_told)


# Batches per run of deliver-outbox: at the default 50 rows each, 1,000 mails a minute from
# the scheduler alone; more needs `mdk outbox work`.
DELIVERY_BATCHES_PER_RUN = 20

JOBS: list[Job] = [
    Job(id="extend-calendars", func=extend_calendars, trigger="cron",
        trigger_args={"hour": 2, "minute": 30},
        description="Extend the meeting calendars and plan their hosts"),
    Job(id="deliver-outbox", func=deliver_outbox, trigger="interval",
        trigger_args={"minutes": 1}, description="Send the mail that is due"),
    Job(id="readiness-gate", func=readiness_gate, trigger="interval",
        trigger_args={"minutes": 5},
        description="Check the material of the cases on each meeting past its referral "
                    "deadline: ready, held for the coordinator, or deferred"),
    Job(id="lock-agendas", func=lock_agendas, trigger="interval",
        trigger_args={"minutes": 5},
        description="Lock each meeting's agenda at its referral deadline"),
    Job(id="start-meetings", func=start_meetings, trigger="interval",
        trigger_args={"minutes": 5},
        description="Mark each meeting that has started as held"),
    Job(id="send-invites", func=send_invites, trigger="interval",
        trigger_args={"minutes": 5},
        description="Mail calendar invites, updates and cancellations of meetings and "
                    "case slots"),
    Job(id="send-case-lists", func=send_case_lists, trigger="interval",
        trigger_args={"minutes": 15},
        description="Mail the participants the link to the next day's case list (from "
                    "13:00 local time the day before)"),
    Job(id="warn-quorum", func=warn_quorum, trigger="cron", trigger_args={"minute": 10},
        description="Warn the coordinators of a meeting within two working days whose "
                    "quorum is not covered"),
    Job(id="read-replies", func=read_replies, trigger="interval",
        trigger_args={"minutes": 5},
        description="Apply the calendar answers waiting in the organizer mailbox"),
    Job(id="remind-reports", func=remind_reports, trigger="interval",
        trigger_args={"minutes": 15},
        description="Remind the referrer of a report not acknowledged in time; then tell "
                    "the referring unit's mailbox and the coordinators"),
    Job(id="remind-treatment-start", func=remind_treatment_start, trigger="interval",
        trigger_args={"minutes": 15},
        description="Remind the treating unit and the coordinators of a treatment start "
                    "not recorded as the lead-time target's last day nears"),
    Job(id="remind-proms", func=remind_proms, trigger="interval",
        trigger_args={"minutes": 15},
        description="Remind the treating unit of each PROM time point on its due day"),
    Job(id="review-escalation", func=escalate_reviews, trigger="interval",
        trigger_args={"minutes": 15},
        description="Assign unassigned reviews; tell coordinators of late ones"),
]


def load_jobs(module_name: str = "") -> list[Job]:
    """The JOBS of `module_name`, or of this module when it is empty (read at call time)."""
    if not module_name or module_name == __name__:
        return list(JOBS)
    return list(importlib.import_module(module_name).JOBS)
