"""Every scheduled job, declared as data: id, trigger and the function it runs.

The scheduler replaces its job store from this list at every start, so this file is the whole
schedule. Each job derives its work from database state and is idempotent, so a missed or a
repeated run does no harm. Features add their jobs here as they are built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], Any]
    trigger: str  # an APScheduler trigger alias: "interval" or "cron"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""


JOBS: list[Job] = []
