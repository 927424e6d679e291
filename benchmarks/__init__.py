"""Speed benchmarks: `.venv/bin/python -m benchmarks` runs them all and prints a table."""
