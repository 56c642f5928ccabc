"""Run every benchmark: `python -m tests.bench [NAME ...]`."""

from __future__ import annotations

import sys

from tests.bench import (
    bench_agenda,
    bench_calendar,
    bench_conference_day,
    bench_feeds,
    bench_lists,
    bench_outbox,
    bench_report,
    bench_rotation,
    bench_stats,
)

BENCHMARKS = {"rotation": bench_rotation.main, "calendar": bench_calendar.main,
              "lists": bench_lists.main, "outbox": bench_outbox.main,
              "agenda": bench_agenda.main, "feeds": bench_feeds.main,
              "conference_day": bench_conference_day.main, "report": bench_report.main,
              "stats": bench_stats.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            return 2
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
