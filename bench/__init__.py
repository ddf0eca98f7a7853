"""Benchmarks. ``make bench`` runs every one and writes BENCHMARKS.md; results are ratios against a baseline
measured in the same run, because this machine is shared and noisy."""
