"""Searches over a WeightedKerasClassifier on a Dask cluster give the results
of the same search run sequentially.

A ``LocalCluster`` of two worker *processes* on the loopback address stands in
for a real cluster: every fit travels to another interpreter (cloudpickle),
trains there and comes back.  Each fit is seeded by ``random_state``, so where
it runs must not matter: the same split, weights, shuffles and steps.  The
workers run TensorFlow on one thread (``WORKER_ENV``), this process on all
cores, and a matrix kernel may split a sum differently over other thread
counts, so probabilities computed on a worker are compared with the local ones
within float32 rounding (``tests/_tolerance.py``); scores, chosen parameters
and class weights are compared exactly (a score moves only if a probability
sits within that rounding of the decision threshold, or two of them within it
of each other).  The grid search and the pickle round trips also run in the
JAX and PyTorch smoke lanes.
"""

import contextlib
import logging
import operator
import os
import pathlib
import pickle

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
joblib = pytest.importorskip("joblib")

from _tolerance import assert_float32_close  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_validate,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skweight import WeightedKerasClassifier  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
# batch_size=32: a fixed number of epochs needs the updates of small batches (the default MLP batches 200 rows)
SMALL = dict(epochs=4, batch_size=32, hidden_layer_sizes=(16,), optimizer__learning_rate=0.01, random_state=0)
# What the README recommends for workers: one thread each for TensorFlow's
# pools (XLA's and PyTorch's follow OMP_NUM_THREADS, which Dask already sets to 1).
WORKER_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


@contextlib.contextmanager
def local_cluster(n_workers=2):
    """A loopback cluster of worker processes and a client to it; both are
    closed on the way out, whether the block returns or raises."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env={**WORKER_ENV, "PYTHONPATH": path},
        # no dashboard; the scheduler's health endpoint on a free loopback port, not 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    try:
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def client():
    with local_cluster() as c:
        yield c


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=4, weights=[0.85], class_sep=1.0, random_state=11
    )
    return X.astype(np.float32), y


def _pipe():
    return make_pipeline(StandardScaler(), WeightedKerasClassifier(**SMALL))


def _on_dask(client, run):
    """Run ``run()`` under joblib's Dask backend; return its result and how
    many tasks the workers ran."""
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        result = run()
    workers = {task["worker"] for task in stream.data}
    return result, len(stream.data), workers


def _same_cv_results(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if "time" in key:
            continue
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key], dtype=object), np.asarray(b[key], dtype=object), key)


@pytest.mark.backend_smoke
def test_grid_search_on_dask_equals_sequential(client, data):
    X, y = data
    search = GridSearchCV(
        _pipe(),
        {
            "weightedkerasclassifier__class_weight": [None, "balanced"],
            "weightedkerasclassifier__hidden_layer_sizes": [(8,), (16,)],
        },
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring=["balanced_accuracy", "neg_log_loss"],
        refit="balanced_accuracy",
    )
    sequential = clone(search).fit(X, y)
    distributed_search, n_tasks, workers = _on_dask(client, lambda: clone(search).fit(X, y))
    assert n_tasks >= 8 and len(workers) == 2  # 4 candidates x 2 folds, spread over both workers
    assert distributed_search.best_params_ == sequential.best_params_
    _same_cv_results(distributed_search.cv_results_, sequential.cv_results_)
    assert distributed_search.best_params_["weightedkerasclassifier__class_weight"] == "balanced"
    np.testing.assert_array_equal(
        distributed_search.best_estimator_.predict_proba(X), sequential.best_estimator_.predict_proba(X)
    )


def test_randomized_search_on_dask_equals_sequential(client, data):
    X, y = data
    search = RandomizedSearchCV(
        _pipe(),
        {
            "weightedkerasclassifier__class_weight": [None, "balanced", {0: 1, 1: 3}],
            "weightedkerasclassifier__optimizer__learning_rate": loguniform(1e-3, 3e-2),
        },
        n_iter=3,
        cv=StratifiedKFold(2, shuffle=True, random_state=1),
        scoring="balanced_accuracy",
        random_state=0,
    )
    sequential = clone(search).fit(X, y)
    distributed_search, n_tasks, _ = _on_dask(client, lambda: clone(search).fit(X, y))
    assert n_tasks >= 6
    assert distributed_search.best_params_ == sequential.best_params_
    _same_cv_results(distributed_search.cv_results_, sequential.cv_results_)


def test_cross_validate_on_dask_returns_identical_fitted_estimators(client, data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=2)
    pipe = _pipe().set_params(weightedkerasclassifier__class_weight="balanced")
    kwargs = dict(cv=cv, scoring=["balanced_accuracy", "roc_auc"], return_estimator=True)
    sequential = cross_validate(pipe, X, y, **kwargs)
    result, n_tasks, _ = _on_dask(client, lambda: cross_validate(pipe, X, y, **kwargs))
    assert n_tasks >= 3
    for key in ("test_balanced_accuracy", "test_roc_auc"):
        np.testing.assert_array_equal(result[key], sequential[key])
    # the estimators fitted on the workers came back and predict as the local ones do
    for remote, local in zip(result["estimator"], sequential["estimator"]):
        assert_float32_close(remote.predict_proba(X), local.predict_proba(X))
        assert remote[-1].class_weight_ == local[-1].class_weight_


@pytest.mark.backend_smoke
@pytest.mark.parametrize(
    "dumps, loads", [(pickle.dumps, pickle.loads), (cloudpickle.dumps, pickle.loads)], ids=["pickle", "cloudpickle"]
)
def test_pickle_round_trips_fitted_and_unfitted(dumps, loads, data):
    X, y = data
    unfitted = WeightedKerasClassifier(class_weight={1: 2.5}, **SMALL)
    twin = loads(dumps(unfitted))
    assert twin.get_params() == unfitted.get_params()
    assert not hasattr(twin, "model_")
    pipe = make_pipeline(StandardScaler(), twin).fit(X, y)
    copy = loads(dumps(pipe))
    np.testing.assert_array_equal(copy.predict_proba(X), pipe.predict_proba(X))
    assert copy[-1].class_weight_ == {0: 1.0, 1: 2.5}
    assert copy.get_params()["weightedkerasclassifier__class_weight"] == {1: 2.5}


def test_fit_on_a_worker_and_predict_on_the_client(client, data):
    X, y = data
    est = _pipe().set_params(weightedkerasclassifier__class_weight="balanced")
    fitted_remote = client.submit(clone(est).fit, X, y, pure=False)
    proba_on_worker = client.submit(operator.methodcaller("predict_proba", X), fitted_remote).result()
    back = fitted_remote.result()  # the fitted pipeline, unpickled on the client
    assert_float32_close(back.predict_proba(X), proba_on_worker, ulps=4)  # the same network, other threads
    local = clone(est).fit(X, y)
    assert_float32_close(back.predict_proba(X), local.predict_proba(X))


def test_cluster_is_closed_when_the_block_raises():
    psutil = pytest.importorskip("psutil")
    with pytest.raises(RuntimeError, match="inside the cluster block"):
        with local_cluster(n_workers=1) as c:
            cluster = c.cluster
            pids = list(c.run(os.getpid).values())
            assert len(pids) == 1 and psutil.pid_exists(pids[0])
            raise RuntimeError("inside the cluster block")
    assert cluster.status.name == "closed"
    assert c.status == "closed"
    proc = psutil.Process(pids[0]) if psutil.pid_exists(pids[0]) else None
    assert proc is None or proc.status() == psutil.STATUS_ZOMBIE


# --------------------------------------------------------------------------- #
# data larger than memory: class weights of Dask targets, partial_fit over blocks
# --------------------------------------------------------------------------- #
da = pytest.importorskip("dask.array")


def _dask_labels(y, chunks=60):
    return da.from_array(np.asarray(y), chunks=chunks)


def test_class_weights_of_a_dask_array_equal_the_in_memory_ones(client, data):
    from skweight import class_weights, sample_weights

    _, y = data
    yd = _dask_labels(y)
    assert class_weights(yd) == class_weights(y)
    assert class_weights(yd, {1: 3}) == class_weights(y, {1: 3}) == {0: 1.0, 1: 3.0}
    lazy = sample_weights(yd, dtype=np.float32)
    assert isinstance(lazy, da.Array) and lazy.dtype == np.float32 and lazy.chunks == yd.chunks
    np.testing.assert_array_equal(lazy.compute(), sample_weights(y, dtype=np.float32))


def test_class_weights_of_a_dask_dataframe_column(client):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    from skweight import class_weights, sample_weights

    labels = np.array(["cat"] * 30 + ["dog"] * 10 + ["eel"] * 5)
    col = dd.from_pandas(pd.DataFrame({"label": labels, "x": np.arange(45)}), npartitions=3)["label"]
    assert class_weights(col) == class_weights(labels)
    w = sample_weights(col)
    assert hasattr(w, "map_partitions")
    np.testing.assert_allclose(w.compute().to_numpy(), sample_weights(labels))
    with pytest.raises(ValueError, match="Dask DataFrame; give one column"):
        class_weights(col.to_frame())


def test_dask_labels_are_counted_per_block_only(monkeypatch):
    import dask

    from skweight import _dask

    seen = []
    original = _dask._block_counts

    def spy(block, name):
        seen.append(len(block))
        return original(block, name)

    monkeypatch.setattr(_dask, "_block_counts", spy)
    y = np.repeat([0, 1, 2], [70, 20, 10])
    with dask.config.set(scheduler="synchronous"):
        classes, counts = _dask.label_counts(_dask_labels(y, chunks=25))
    assert seen == [25, 25, 25, 25]  # four blocks, never the whole array
    assert classes.tolist() == [0, 1, 2] and counts.tolist() == [70, 20, 10]


def test_bad_dask_targets_are_refused_with_the_reason():
    import dask

    from skweight import class_weights

    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match=r"shape \(4, 2\).*1-D class labels"):
            class_weights(da.zeros((4, 2), chunks=2))
        with pytest.raises(ValueError, match="NaN"):
            class_weights(da.from_array(np.array([0.0, 1.0, np.nan, 1.0]), chunks=2))
        with pytest.raises(ValueError, match="kind='multilabel' is not available for a Dask target"):
            class_weights(_dask_labels([0, 1, 1, 0], chunks=2), kind="multilabel")
        assert class_weights(da.from_array(np.array([[0], [1], [1], [1]]), chunks=2)) == {0: 2.0, 1: 2 / 3}


def test_partial_fit_blocks_on_a_cluster_equals_the_loop_over_numpy_blocks(client, data):
    from skweight import class_weights
    from skweight.dask import partial_fit_blocks

    X, y = data
    params = dict(hidden_layer_sizes=(8,), batch_size=32, random_state=0)
    blocked = partial_fit_blocks(
        WeightedKerasClassifier(class_weight="balanced", **params),
        da.from_array(X, chunks=(60, 4)),
        _dask_labels(y),
        epochs=2,
    )
    weights = class_weights(y)  # resolved once on all rows, not per block
    assert blocked.class_weight == weights and blocked.class_weight_ == weights
    assert blocked.current_epoch == 8  # 4 blocks x 2 passes, one Keras epoch each
    local = WeightedKerasClassifier(class_weight=weights, **params)
    for _ in range(2):
        for start in range(0, len(y), 60):
            local.partial_fit(X[start : start + 60], y[start : start + 60], classes=[0, 1])
    np.testing.assert_array_equal(blocked.predict_proba(X), local.predict_proba(X))


def test_partial_fit_blocks_refuses_in_memory_data_and_bad_epochs(data):
    from skweight.dask import partial_fit_blocks

    X, y = data
    with pytest.raises(TypeError, match="takes Dask collections"):
        partial_fit_blocks(WeightedKerasClassifier(), X, y)
    with pytest.raises(ValueError, match="epochs=0 must be a positive int"):
        partial_fit_blocks(WeightedKerasClassifier(), da.from_array(X), _dask_labels(y), epochs=0)


def test_dask_ml_incremental_drives_partial_fit_with_weights_resolved_once(data):
    pytest.importorskip("dask_ml")
    import dask
    from dask_ml.wrappers import Incremental

    from skweight import class_weights

    X, y = data
    weights = class_weights(_dask_labels(y))
    with dask.config.set(scheduler="synchronous"):
        inc = Incremental(WeightedKerasClassifier(class_weight=weights, hidden_layer_sizes=(8,), random_state=0))
        inc.fit(da.from_array(X, chunks=(60, 8)), _dask_labels(y), classes=[0, 1])
    assert inc.estimator_.current_epoch == 4  # one Keras epoch per block
    assert inc.estimator_.class_weight_ == weights == class_weights(y)
