"""skweight's benchmarks: one script a measurement, one shared harness.

Run each from the repository root as a module, for example::

    python -m benchmarks.bench_overhead --quick

The scripts share :mod:`benchmarks._harness` (child processes, interleaved timing, tables, the
versions/machine record, JSON results); ``tests/test_benchmarks.py`` runs every ``--quick`` mode.
"""
