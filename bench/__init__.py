"""Benchmarks: ``python -m bench`` (see README). Ratios are against baselines measured in the
same run, because the machines are shared and absolute numbers drift."""
