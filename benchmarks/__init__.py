"""planforge's benchmark suite (issue 6): ``python -m benchmarks``; see benchmarks/README.md."""
