"""The conference view's SQL statements at 5 and at 30 cases on one meeting (issue #14;
target: equal), and its time: the agenda benchmark's setup (demo data, fictitious patients),
the view opened on its second case as the demo's anal cancer coordinator."""

from __future__ import annotations

from tests.bench.bench_agenda import measure_page


def main() -> None:
    (few, few_time), (many, many_time) = measure_page(
        "/conferences/{conference_id}/conference?case=2", (5, 30))
    print(f"conference view: {few} SQL statements at 5 cases, {many} at 30 (target: equal); "
          f"{few_time * 1000:.0f} ms and {many_time * 1000:.0f} ms")
