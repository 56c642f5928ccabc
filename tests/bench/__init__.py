"""Benchmarks: `make bench` (python -m tests.bench). Not part of CI; each prints ratios
measured in one run, so the numbers compare like with like on whatever machine runs them."""
