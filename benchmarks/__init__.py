"""Benchmark harness of the refresh loop (issue 8): ``python -m benchmarks.run``."""
