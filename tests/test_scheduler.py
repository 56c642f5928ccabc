"""The scheduler process: its command line, its registry of jobs, and one-at-a-time locking."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler import registry
from scheduler.__main__ import main
from scheduler.lock import scheduler_lock
from scheduler.registry import Job
from tests.support import running, service_environment

SCHEDULER = [sys.executable, "-m", "scheduler"]


@pytest.fixture()
def environment(app) -> dict[str, str]:
    """A scheduler process's environment: this session's database and instance folder."""
    settings = app.config["MDK"]
    return service_environment(settings.database_url, settings.instance_path)


@pytest.fixture()
def test_job(app, environment, monkeypatch) -> list[str]:
    """Registers job `x` for in-process `main()` calls; the list records each run."""
    runs: list[str] = []
    job = Job(id="x", func=lambda: runs.append("x"), trigger="interval",
              trigger_args={"hours": 1}, description="test job")
    monkeypatch.setattr(registry, "JOBS", [job])
    for key in ("MDK_ENV", "MDK_DATABASE_URL", "MDK_INSTANCE_DIR"):
        monkeypatch.setenv(key, environment[key])
    return runs


def test_list_shows_the_jobs_with_their_next_run_times(environment):
    result = subprocess.run([*SCHEDULER, "--list"], env=environment, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines()
                if line.startswith("extend-calendars"))
    # Daily at 02:30 Stockholm time, shown with its UTC offset (+01:00 or +02:00).
    assert re.search(r"next run \d{4}-\d{2}-\d{2} 02:30\+0[12]:00", line), line


def test_list_without_jobs_says_so(test_job, monkeypatch, capsys):
    monkeypatch.setattr(registry, "JOBS", [])
    assert main(["--list"]) == 0
    assert "no jobs are registered yet" in capsys.readouterr().out


def test_once_with_an_unknown_job_exits_2_naming_the_known_ones(test_job, capsys):
    assert main(["--once", "unknown"]) == 2
    error = capsys.readouterr().err
    assert "unknown job 'unknown'" in error
    assert "known: x" in error
    assert test_job == []


def test_once_runs_the_job_exactly_once_and_logs_its_duration(test_job, caplog):
    caplog.set_level(logging.INFO, logger="scheduler")
    assert main(["--once", "x"]) == 0
    assert test_job == ["x"]
    assert any(re.fullmatch(r"job x done in \d+\.\d\ds", record.getMessage())
               for record in caplog.records)


def test_second_lock_holder_waits_until_the_first_releases(app):
    events: list[str] = []
    first_holds, let_first_go = threading.Event(), threading.Event()

    def first() -> None:
        with scheduler_lock(app):
            events.append("first took the lock")
            first_holds.set()
            let_first_go.wait(5)
            events.append("first releases")

    def second() -> None:
        first_holds.wait(5)
        with scheduler_lock(app):
            events.append("second took the lock")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_holds.wait(5)
    time.sleep(0.3)  # time enough for the second to take the lock if it were free
    assert events == ["first took the lock"]
    let_first_go.set()
    for thread in threads:
        thread.join(5)
    assert events == ["first took the lock", "first releases", "second took the lock"]


def test_once_waits_while_another_scheduler_process_runs(test_job, environment, tmp_path):
    log = tmp_path / "scheduler.log"
    with running(SCHEDULER, environment, log) as other:
        _wait_for_line(log, "scheduler lock taken")
        once = threading.Thread(target=main, args=(["--once", "x"],))
        once.start()
        time.sleep(0.3)
        assert test_job == []  # still waiting for the lock
        other.terminate()
        assert other.wait(timeout=30) == 0
        once.join(30)
    assert test_job == ["x"]
    assert "scheduler stopped" in log.read_text()


def _wait_for_line(log, text: str, timeout: float = 60.0) -> None:
    # A generous wait: a scheduler process imports the whole app before it logs, which on a
    # loaded 2-core machine (both engines' suites side by side) has taken over 10 seconds.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"the scheduler never logged {text!r}:\n{log.read_text()}")


# --- separate processes with a test registry (MDK_SCHEDULER_REGISTRY) ------------------------

@pytest.fixture()
def registry_environment(environment, tmp_path) -> dict[str, str]:
    """Scheduler processes that run tests.scheduler_registry's `mark` job, which appends its
    process id to a file per run."""
    return {**environment, "MDK_SCHEDULER_REGISTRY": "tests.scheduler_registry",
            "MDK_TEST_JOB_LOG": str(tmp_path / "runs.txt")}


def _runs(environment) -> list[str]:
    path = Path(environment["MDK_TEST_JOB_LOG"])
    return path.read_text().split() if path.exists() else []


def test_two_scheduler_processes_run_a_due_job_exactly_once(registry_environment, tmp_path):
    due = datetime.now(UTC) + timedelta(seconds=6)
    environment = {**registry_environment, "MDK_TEST_JOB_AT": due.isoformat()}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with running(SCHEDULER, environment, logs[0]) as first, \
            running(SCHEDULER, environment, logs[1]) as second:
        for log in logs:
            _wait_for_line(log, "waiting for the scheduler lock")
        deadline = max(due, datetime.now(UTC)) + timedelta(seconds=10)
        while not _runs(environment) and datetime.now(UTC) < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # time enough for a second run, were there one
        runs = _runs(environment)
        holders = [process for process, log in zip((first, second), logs, strict=True)
                   if "scheduler lock taken" in log.read_text()]
        assert runs == [str(holders[0].pid)]
        assert len(holders) == 1  # the other is still waiting for the lock
        assert any("job mark done in" in log.read_text() for log in logs)


def test_once_in_a_process_runs_the_named_job_once_and_exits(registry_environment):
    result = subprocess.run([*SCHEDULER, "--once", "mark"], env=registry_environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(_runs(registry_environment)) == 1


def test_list_with_a_test_registry_shows_its_job(registry_environment):
    result = subprocess.run([*SCHEDULER, "--list"], env=registry_environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("mark\tnext run ")
