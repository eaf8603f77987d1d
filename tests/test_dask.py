"""Searches over a WeightedKerasClassifier on a Dask cluster give the results
of the same search run sequentially.

A ``LocalCluster`` of two worker *processes* on the loopback address stands in
for a real cluster: every fit travels to another interpreter (cloudpickle),
trains there and comes back.  The comparison is exact: each fit is seeded by
``random_state``, so where it runs must not matter.  The grid search and the
pickle round trips also run in the JAX and PyTorch smoke lanes.
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
SMALL = dict(epochs=4, hidden_layer_sizes=(16,), optimizer__learning_rate=0.01, random_state=0)
# What the README recommends for workers: one thread each for TensorFlow's
# pools (XLA's and PyTorch's follow OMP_NUM_THREADS, which Dask already sets to 1).
WORKER_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


@contextlib.contextmanager
def local_cluster(n_workers=2):
    """A loopback cluster of worker processes and a client to it; both are
    closed on the way out, whether the block returns or raises."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    cluster = distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR, env={**WORKER_ENV, "PYTHONPATH": path},
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
        np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
        assert remote[-1].class_weight_ == local[-1].class_weight_


@pytest.mark.backend_smoke
@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads), (cloudpickle.dumps, pickle.loads)],
                         ids=["pickle", "cloudpickle"])
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
    np.testing.assert_array_equal(back.predict_proba(X), proba_on_worker)
    local = clone(est).fit(X, y)
    np.testing.assert_array_equal(back.predict_proba(X), local.predict_proba(X))


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
