"""A scheduler registry for tests: `MDK_SCHEDULER_REGISTRY=tests.scheduler_registry`.

One job, `mark`, due once at MDK_TEST_JOB_AT (ISO 8601 with offset; a day from now when
unset). Each run appends the running process's id to the file MDK_TEST_JOB_LOG, so a test can
count runs across processes.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from scheduler.registry import Job


def mark() -> None:
    with open(os.environ["MDK_TEST_JOB_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")


def _due_at() -> datetime:
    value = os.environ.get("MDK_TEST_JOB_AT")
    return datetime.fromisoformat(value) if value else datetime.now(UTC) + timedelta(days=1)


JOBS = [Job(id="mark", func=mark, trigger="date", trigger_args={"run_date": _due_at()},
            description="test job: note this process's id")]
