"""Search benchmarks, not tests: `python -m bench.search_quality` and `bench.search_speed`."""
