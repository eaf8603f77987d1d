"""Smoke runs of the benchmark scripts: each runs with ``--quick`` and writes
valid JSON with the expected keys.  Timings are never asserted; the full runs
are not part of the test suite (see the README's Benchmarks section)."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
ENV_KEYS = {"date", "python", "cpu_model", "cpu_count", "loadavg_start", "versions", "devices", "threads"}


def _run(script, out, *extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _load(path):
    assert path.is_file(), f"{path.name} was not written"
    data = json.loads(path.read_text())  # valid JSON, no NaN
    assert ENV_KEYS <= set(data["environment"])
    assert set(data["environment"]["versions"]) >= {"numpy", "sklearn", "keras", "tensorflow", "scikeras"}
    return data


def test_bench_overhead_quick(tmp_path):
    out = _run("bench_overhead.py", tmp_path)
    assert "skweight" in out and "fit and predict side by side" in out
    data = _load(tmp_path / "overhead.json")
    assert data["baseline"] == "keras fit(sample_weight)"
    assert len(data["workloads"]) == 2
    expected = {
        "keras fit(sample_weight)",
        "skweight",
        "keras fit(class_weight)",
        "scikeras KerasClassifier",
        "keras SKLearnClassifier",
    }
    for wl in data["workloads"]:
        assert set(wl["fit"]) == expected
        assert wl["fit"]["keras fit(sample_weight)"]["ratio"] == pytest.approx(1.0)
        for cand in wl["fit"].values():
            assert cand["median_s"] > 0 and cand["ratio"] > 0 and len(cand["times_s"]) == wl["repeats"]
        assert wl["steps"] == wl["epochs"] * -(-wl["rows"] // wl["batch_size"])
        # prediction on every workload, against Keras at batch 4096
        assert wl["predict"]["keras predict(batch_size=4096)"]["ratio"] == pytest.approx(1.0)
        assert {"skweight predict_proba", "scikeras predict_proba", "keras predict()"} <= set(wl["predict"])
    assert (tmp_path / "overhead.png").stat().st_size > 0


def test_bench_overhead_quick_base_and_profile(tmp_path):
    # the checkout itself stands in for an earlier skweight under --base
    _run("bench_overhead.py", tmp_path, "--base", str(ROOT), "--profile", "--core", "--large-only", "--no-plot")
    data = _load(tmp_path / "overhead.json")
    (wl,) = data["workloads"]
    assert set(wl["fit"]) == {"keras fit(sample_weight)", "skweight", "skweight (base)"}
    assert set(wl["predict"]) == {
        "keras predict(batch_size=4096)",
        "keras predict()",
        "skweight predict_proba",
        "skweight (base) predict_proba",
    }
    assert wl["step_time"]["skweight"]["median_step_us"] > 0
    prof = wl["profile"]
    assert 0 < prof["keras_fit_s"] < prof["total_s"] and prof["outside_excluding_build_s"] >= 0


def test_bench_memory_fit_quick(tmp_path):
    _run("bench_memory_fit.py", tmp_path)
    data = _load(tmp_path / "memory_fit.json")
    assert set(data["peak_rss"]) >= {"keras fit(sample_weight)", "skweight"}
    for cand in data["peak_rss"].values():
        assert cand["peak_rss_fit"] >= cand["rss_before_fit"] > 0
    # behaviour, not timing: skweight hands Keras the caller's X, never a copy
    for name, rec in data["x_copies"].items():
        assert rec["passed_to_keras_shares_memory"], name
        assert rec["sample_weight_dtype"] == "float32"


def test_bench_quality_quick(tmp_path):
    _run("bench_quality.py", tmp_path)
    data = _load(tmp_path / "quality.json")
    assert data["metrics"] == ["balanced_accuracy", "minority_recall", "roc_auc", "average_precision"]
    models = {r["model"] for r in data["results"]}
    assert {
        "skweight class_weight=None",
        "skweight class_weight='balanced'",
        "skweight class_weight=dict",
        "LogisticRegression 'balanced'",
    } <= models
    for r in data["results"]:
        for m in data["metrics"]:
            assert 0.0 <= r[m]["mean"] <= 1.0 and len(r[m]["folds"]) == r["folds"]
    assert (tmp_path / "quality.png").stat().st_size > 0


def test_bench_outofcore_quick(tmp_path):
    pytest.importorskip("distributed")
    out = _run("bench_outofcore.py", tmp_path)
    assert "1 epoch of training" in out
    data = _load(tmp_path / "outofcore.json")
    assert data["rows"] == 40_000 and data["block_rows"] == 10_000
    # balanced weights of the generated 80 / 15 / 5 % classes, from the one pass over the Dask labels
    weights = {int(k): v for k, v in data["class_weights"].items()}
    assert sorted(weights) == [0, 1, 2] and weights[0] < 1 < weights[1] < weights[2]
    # one Keras epoch over each of the 4 blocks: ceil(10,000 / 1024) steps per block
    assert data["partial_fit_steps"] == 4 * -(-10_000 // data["batch_size"])
    assert data["partial_fit_rows_per_s"] > 0 and data["in_memory_fit_rows_per_s"] > 0
