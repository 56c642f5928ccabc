"""Run the scheduler: `python -m scheduler [--list | --once JOB]`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from contextlib import contextmanager, suppress

from apscheduler.schedulers.blocking import BlockingScheduler

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


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=app.config["MDK"].timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in registry.JOBS:
        scheduler.add_job(run_job, job.trigger, args=(app, job), id=job.id,
                          name=job.description or job.id, replace_existing=True,
                          **job.trigger_args)
    return scheduler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    parser.add_argument("--list", action="store_true", help="show the jobs and exit")
    parser.add_argument("--once", metavar="JOB", help="run one job now and exit")
    args = parser.parse_args(argv)
    app = create_app()
    try:
        return _run(app, args)
    finally:
        with app.app_context():
            db.engine.dispose()


def _run(app, args: argparse.Namespace) -> int:
    jobs = {job.id: job for job in registry.JOBS}  # read now: tests and features replace it
    if args.list:
        for job in jobs.values():
            print(f"{job.id}\t{job.trigger} {job.trigger_args}\t{job.description}")
        if not jobs:
            print("no jobs are registered yet")
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
        scheduler = build_scheduler(app)
        log.info("scheduler running %d job(s)", len(jobs))
        with suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()
        if scheduler.running:
            scheduler.shutdown(wait=False)
    log.info("scheduler stopped")
    return 0


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
