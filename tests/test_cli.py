"""The `mdk` command as users run it: help, `mdk run` with and without the scheduler, gunicorn.

Each server test starts real processes on a throw-away database of this run's engine.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import (
    free_port,
    fresh_database,
    running,
    service_environment,
    wait_until_healthy,
)

MDK = [sys.executable, "-m", "mdk.cli"]


@pytest.fixture(scope="module")
def migrated_environment(tmp_path_factory):
    """A database migrated by `mdk db upgrade`, and the environment that points to it."""
    with fresh_database(tmp_path_factory.mktemp("cli-db")) as url:
        environment = service_environment(url, tmp_path_factory.mktemp("cli-instance"))
        subprocess.run([*MDK, "db", "upgrade"], env=environment, check=True,
                       capture_output=True, timeout=60)
        yield environment


def _commands_listed(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=15)


def _process_gone(pid: int, timeout: float = 10.0) -> bool:
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "State:\tZ" in status.read_text():
                return True  # dead, only waiting to be reaped
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def _scheduler_pid(log: Path, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"scheduler started \(pid (\d+)\)", log.read_text())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(f"`mdk run` did not say it started the scheduler:\n{log.read_text()}")


def test_help_lists_the_commands_that_exist(migrated_environment):
    result = subprocess.run([*MDK, "--help"], env=migrated_environment, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0
    assert {"db", "run", "routes", "shell"} <= _commands_listed(result.stdout)


def test_run_without_scheduler_serves_healthz_and_stops_cleanly(migrated_environment, tmp_path):
    port = free_port()
    log = tmp_path / "mdk-run.log"
    command = [*MDK, "run", "--no-scheduler", "--port", str(port)]
    with running(command, migrated_environment, log) as process:
        health = wait_until_healthy(f"http://127.0.0.1:{port}", process)
        assert health["database"] == "ok"
        assert _stop(process) == 0
    assert "scheduler started" not in log.read_text()


def test_run_with_scheduler_stops_both_processes(migrated_environment, tmp_path):
    port = free_port()
    log = tmp_path / "mdk-run.log"
    with running([*MDK, "run", "--port", str(port)], migrated_environment, log) as process:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        scheduler_pid = _scheduler_pid(log)
        assert "scheduler" in Path(f"/proc/{scheduler_pid}/cmdline").read_text()
        assert _stop(process) == 0
    assert _process_gone(scheduler_pid), f"the scheduler outlived `mdk run`:\n{log.read_text()}"
    assert "scheduler stopped" in log.read_text()


def test_gunicorn_serves_the_app_factory(migrated_environment, tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
               "mdk:create_app()"]
    # Newer gunicorns open a control socket under $HOME: keep it in this test's folder.
    environment = {**migrated_environment, "HOME": str(tmp_path)}
    with running(command, environment, tmp_path / "gunicorn.log") as process:
        health = wait_until_healthy(f"http://127.0.0.1:{port}", process)
        assert health["status"] == "ok"
        assert _stop(process) == 0


def test_run_takes_the_port_from_the_environment(migrated_environment, tmp_path):
    port = free_port()
    environment = {**migrated_environment, "PORT": str(port), "MDK_HOST": "127.0.0.1"}
    command = [*MDK, "run", "--no-scheduler"]
    with running(command, environment, tmp_path / "mdk-run.log") as process:
        assert wait_until_healthy(f"http://127.0.0.1:{port}", process)["status"] == "ok"
        assert _stop(process) == 0
    assert f"web: http://127.0.0.1:{port}/" in (tmp_path / "mdk-run.log").read_text()


def test_run_refuses_a_port_that_is_not_a_port(migrated_environment):
    result = subprocess.run([*MDK, "run", "--no-scheduler"], capture_output=True, text=True,
                            env={**migrated_environment, "PORT": "99999"}, timeout=30)
    assert result.returncode == 2 and "PORT" in result.stderr


def test_make_run_passes_port_and_host_on():
    import os

    from mdk.config import PROJECT_ROOT

    result = subprocess.run(["make", "-n", "run"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=30,
                            env={**os.environ, "PORT": "5001", "MDK_HOST": "0.0.0.0"})
    assert result.returncode == 0, result.stderr
    assert "mdk run --host 0.0.0.0 --port 5001" in result.stdout
