"""`python tests/material_gate/frozen_scheduler.py WHEN ARGS...`: the real scheduler entry
point (`python -m scheduler ARGS...`) with the clock frozen at WHEN (ISO 8601)."""

from __future__ import annotations

import runpy
import sys

import time_machine

if __name__ == "__main__":
    when, arguments = sys.argv[1], sys.argv[2:]
    sys.argv = ["scheduler", *arguments]
    with time_machine.travel(when, tick=False):
        runpy.run_module("scheduler", run_name="__main__", alter_sys=True)
