"""Smoke test of the engine benchmark script: it runs, prints its table and
writes valid JSON.  (Timings are never asserted; they belong to the script.)"""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_weights.py"


def test_bench_weights_quick_run_writes_valid_json(tmp_path):
    out = tmp_path / "weights.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--sizes", "500", "--repeats", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "speed-up vs sklearn" in proc.stdout and f"written: {out}" in proc.stdout
    data = json.loads(out.read_text())
    assert data["quick"] is True
    rows = data["results"]
    assert [r["case"] for r in rows] == ["int", "int-imbalanced", "string", "one-hot", "multi-label"]
    for row in rows:
        assert row["n"] == 500 and row["repeats"] == 2
        assert set(row["median_s"]) >= {"skweight", "bare"}
        assert all(len(t) == 2 and min(t) > 0 for t in row["times_s"].values())
        assert row["ratio_to_bare"] > 0
        if row["case"] == "multi-label":
            assert row["speedup_vs_sklearn"] is None and "sklearn" not in row["median_s"]
        else:
            assert row["speedup_vs_sklearn"] > 0
    # the table has one line per case
    assert (
        sum(
            line.split()[:1] in (["int"], ["string"], ["one-hot"], ["multi-label"], ["int-imbalanced"])
            for line in proc.stdout.splitlines()
        )
        == 5
    )


def test_bench_weights_rejects_bad_arguments(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "1", "--out", str(tmp_path / "w.json")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "every size >= 2" in proc.stderr
    assert not (tmp_path / "w.json").exists()
