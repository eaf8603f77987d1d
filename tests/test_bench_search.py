"""Smoke run of ``benchmarks/bench_search.py``: a tiny search, sequential and
on a Dask LocalCluster, writes JSON that records the device and shows that
both gave the same results.  Timings are never asserted."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_search.py"


def _run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=600)


def test_quick_run_writes_comparable_results(tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "search.json"
    proc = _run("--quick", "--modes", "sequential,dask", "--threads", "limited", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "same_results" in proc.stdout and "vs_baseline" in proc.stdout
    data = json.loads(out.read_text())
    assert [(r["mode"], r["threads"]) for r in data["summary"]] == [("sequential", "limited"), ("dask", "limited")]
    assert data["all_results_identical"] is True
    assert data["summary"][0]["vs_baseline"] == 1.0
    assert all(r["n_fits"] == 2 * 2 + 1 for r in data["summary"])
    env = data["environment"]
    assert env["keras_backend"] == os.environ.get("KERAS_BACKEND", "tensorflow")
    assert env["device"].startswith("CPU: ") or env["accelerators"]
    dask_run = data["runs"]["dask/limited"][0]
    workers = dask_run["workers"]
    assert len(workers) == 2 and dask_run["client"]["pid"] not in {w["pid"] for w in workers}
    assert all(w["threads"]["TF_NUM_INTRAOP_THREADS"] == "1" for w in workers)


def test_unknown_mode_is_refused():
    proc = _run("--quick", "--modes", "sequential,gpu")
    assert proc.returncode == 2
    assert "--modes: 'gpu' is not one of" in proc.stderr
