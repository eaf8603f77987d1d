"""Smoke test of ``benchmarks/bench_memory.py --quick``: it runs, prints the
table and writes valid results (the full run's numbers are in
``benchmarks/results/``)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_memory_quick_writes_valid_results(tmp_path):
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "bench_memory.py"),
        "--quick",
        "--candidates",
        "skweight",
        "--out",
        str(tmp_path),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "RSS@5" in run.stdout and "skweight" in run.stdout
    payload = json.loads((tmp_path / "memory.json").read_text())
    result = payload["results"]["skweight"]
    assert [r["cycle"] for r in result["rows"]] == [1, 2, 3]
    for row in result["rows"]:
        assert row["rss_mb"] > 0 and row["fit_s"] > 0 and row["fit_cpu_s"] > 0 and row["predict_proba_s"] > 0
    summary = result["summary"]
    assert summary["cycles"] == 3 and summary["rss_mb_last"] == result["rows"][-1]["rss_mb"]
    assert summary["median_fit_s_first10"] > 0 and summary["median_fit_cpu_s_last10"] > 0
    assert summary["peak_rss_mb_second_half"] >= summary["rss_mb_last"]
    assert (tmp_path / "memory.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
