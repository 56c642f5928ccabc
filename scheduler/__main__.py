"""Run the scheduler: `python -m scheduler [--list | --once JOB]`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from contextlib import contextmanager, suppress
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from mdk import create_app
from mdk.extensions import db
from scheduler import registry
from scheduler.lock import scheduler_lock
from scheduler.registry import Job

log = logging.getLogger("scheduler")


def run_job(app, job: Job) -> None:
    """Run one job inside an app context and log its duration and outcome (no patient data)."""
    started = time.monotonic()
    with app.app_context():
        try:
            job.func()
        except Exception:
            log.exception("job %s failed after %.2fs", job.id, time.monotonic() - started)
            raise
    log.info("job %s done in %.2fs", job.id, time.monotonic() - started)


def make_trigger(job: Job, timezone: str) -> BaseTrigger:
    """The APScheduler trigger of a job, in the service's time zone."""
    kinds = {"cron": CronTrigger, "interval": IntervalTrigger, "date": DateTrigger}
    if job.trigger not in kinds:
        raise ValueError(f"job {job.id}: unknown trigger {job.trigger!r}")
    return kinds[job.trigger](timezone=timezone, **job.trigger_args)


def next_run(job: Job, timezone: str, now: datetime | None = None) -> datetime | None:
    now = now or datetime.now(ZoneInfo(timezone))
    return make_trigger(job, timezone).get_next_fire_time(None, now)


def build_scheduler(app, jobs: list[Job]) -> BlockingScheduler:
    timezone = app.config["MDK"].timezone
    scheduler = BlockingScheduler(
        timezone=timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in jobs:
        scheduler.add_job(run_job, make_trigger(job, timezone), args=(app, job), id=job.id,
                          name=job.description or job.id, replace_existing=True)
    return scheduler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    parser.add_argument("--list", action="store_true",
                        help="show the jobs and their next run times, and exit")
    parser.add_argument("--once", metavar="JOB", help="run one job now and exit")
    args = parser.parse_args(argv)
    app = create_app()
    try:
        return _run(app, args)
    finally:
        with app.app_context():
            db.engine.dispose()


def _run(app, args: argparse.Namespace) -> int:
    settings = app.config["MDK"]
    # Read now, not at import: tests and features replace the list.
    jobs = {job.id: job for job in registry.load_jobs(settings.scheduler_registry)}
    if args.list:
        _print_jobs(list(jobs.values()), settings.timezone)
        return 0
    if args.once:
        if args.once not in jobs:
            print(f"unknown job {args.once!r}; known: {', '.join(jobs) or 'none'}",
                  file=sys.stderr)
            return 2
        with _locked(app):
            run_job(app, jobs[args.once])
        return 0
    # `kill` (SIGTERM) stops the scheduler like Ctrl-C: the lock is released on the way out.
    signal.signal(signal.SIGTERM, _exit)
    with _locked(app):
        scheduler = build_scheduler(app, list(jobs.values()))
        log.info("scheduler running %d job(s)", len(jobs))
        with suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()
        if scheduler.running:
            scheduler.shutdown(wait=False)
    log.info("scheduler stopped")
    return 0


def _print_jobs(jobs: list[Job], timezone: str) -> None:
    """One line per job: id, next run (local time, with offset), trigger, description."""
    if not jobs:
        print("no jobs are registered yet")
    for job in jobs:
        upcoming = next_run(job, timezone)
        when = upcoming.isoformat(sep=" ", timespec="minutes") if upcoming else "never"
        arguments = " ".join(f"{key}={value}" for key, value in job.trigger_args.items())
        print(f"{job.id}\tnext run {when}\t{job.trigger} {arguments}\t{job.description}")


def _exit(signum, frame) -> None:
    raise SystemExit(0)


@contextmanager
def _locked(app):
    log.info("waiting for the scheduler lock")
    with scheduler_lock(app):
        log.info("scheduler lock taken")
        yield


if __name__ == "__main__":
    sys.exit(main())
