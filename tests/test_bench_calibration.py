"""Smoke test of benchmarks/bench_calibration.py: its --quick run writes valid
results.  The benchmark itself is run by hand (see its docstring)."""

import importlib.util
import io
import json
import math
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_calibration.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_calibration", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_writes_json_and_png(tmp_path):
    bench = _load()
    printed = io.StringIO()
    bench.main(["--quick", "--out", str(tmp_path)], out=printed)

    data = json.loads((tmp_path / "calibration.json").read_text())
    assert data["config"]["quick"] is True and data["config"]["folds"] == 2
    assert list(data["datasets"]) == ["synth_1to9"]
    result = data["datasets"]["synth_1to9"]
    assert set(result["median"]) == set(bench.VARIANTS)
    for variant in bench.VARIANTS:
        assert set(result["median"][variant]) == set(bench.METRICS)
        assert all(math.isfinite(v) for v in result["median"][variant].values())
        assert all(len(v) == 2 for v in result["folds"][variant].values())  # one score per fold
    # binary targets: the correction is monotone, ROC AUC is unchanged fold by fold
    assert result["folds"]["balanced_prior"]["roc_auc"] == result["folds"]["balanced"]["roc_auc"]
    assert result["max_abs_roc_auc_change_prior_vs_balanced"] == 0.0
    # the corrected probabilities score better than the weighted ones
    assert result["ratios"]["log_loss_prior_over_balanced"] < 1
    assert result["ratios"]["brier_prior_over_balanced"] < 1
    assert result["median_class_weight"][1] > 1 > result["median_class_weight"][0]

    assert (tmp_path / "calibration.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = printed.getvalue()
    assert all(v in table for v in bench.VARIANTS) and "prior/balanced: log-loss x" in table
