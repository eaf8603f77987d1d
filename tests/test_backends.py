"""The backend smoke suite: what must hold on every Keras backend.

Every test here is marked ``backend_smoke``.  CI runs the whole test suite on
TensorFlow and this subset (``pytest -m backend_smoke``) once more with
``KERAS_BACKEND=jax`` and once with ``KERAS_BACKEND=torch``, each in its own
virtual environment.  Nothing here imports a backend directly except where a
backend's own random state is checked; data are tiny and epochs few.
"""

import os
import pickle
import random
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from skweight import WeightedKerasClassifier, class_weights, sample_weights

pytestmark = pytest.mark.backend_smoke

# batch_size=32: a fixed number of epochs needs the updates of small batches (the default MLP batches 200 rows)
SMALL = dict(epochs=5, batch_size=32, hidden_layer_sizes=(16,), optimizer__learning_rate=0.01, random_state=0)


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=4, weights=[0.85], class_sep=1.2, random_state=3
    )
    return X.astype(np.float32), y


@pytest.fixture
def trained_weights(train_spy):
    """The sample weights every training call receives (``skweight._loop.train``,
    with either loop: ``tests/test_loop.py`` shows both give them to Keras's
    ``compute_loss`` alike); a list that grows as fits run."""

    class Seen:
        def __getitem__(self, i):
            sw = train_spy[i][0].sample_weight
            return None if sw is None else np.array(sw)

    return Seen()


@pytest.mark.lanes
def test_runs_on_the_requested_backend():
    import keras

    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "tensorflow")
    if keras.backend.backend() != "tensorflow":
        # our seeding must not drag TensorFlow in where another backend runs
        assert "tensorflow" not in sys.modules


@pytest.mark.lanes
def test_weight_engine_never_imports_keras():
    code = (
        "import sys, numpy as np, skweight\n"
        "w = skweight.sample_weights(np.array([0, 0, 0, 1]), 'balanced')\n"
        "assert w.tolist() == [2 / 3, 2 / 3, 2 / 3, 2.0], w\n"
        "assert not {'keras', 'tensorflow', 'jax', 'torch'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert class_weights(["a", "a", "a", "b"]) == pytest.approx({"a": 2 / 3, "b": 2.0})
    np.testing.assert_array_equal(sample_weights(np.array([0, 1, 1]), {1: 3.0}), [1.0, 3.0, 3.0])


@pytest.mark.lanes
def test_binary_balanced(binary, trained_weights):
    X, y = binary
    clf = WeightedKerasClassifier(class_weight="balanced", **SMALL).fit(X, y)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    np.testing.assert_allclose([clf.class_weight_[0], clf.class_weight_[1]], expected)
    np.testing.assert_allclose(trained_weights[-1], expected[y], rtol=1e-6)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert balanced_accuracy_score(y, clf.predict(X)) > 0.7


@pytest.mark.lanes
def test_multiclass_string_labels_and_dict_weights(trained_weights):
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=5, n_classes=3, weights=[0.6, 0.3, 0.1], random_state=4
    )
    labels = np.array(["ant", "bee", "cow"])[y]
    clf = WeightedKerasClassifier(class_weight={"cow": 4.0}, **SMALL).fit(X.astype(np.float32), labels)
    assert list(clf.classes_) == ["ant", "bee", "cow"]
    assert clf.class_weight_ == {"ant": 1.0, "bee": 1.0, "cow": 4.0}
    np.testing.assert_array_equal(trained_weights[-1], np.where(labels == "cow", 4.0, 1.0))
    assert set(clf.predict(X)) <= {"ant", "bee", "cow"}
    assert clf.predict_proba(X).shape == (len(y), 3)


@pytest.mark.lanes
def test_multilabel_elementwise_weights_reach_each_label(trained_weights):
    X, Y = make_multilabel_classification(n_samples=200, n_features=8, n_classes=3, random_state=5)
    spec = [{0: 1.0, 1: 2.0}, {0: 1.0, 1: 3.0}, None]
    clf = WeightedKerasClassifier(class_weight=spec, **SMALL).fit(X.astype(np.float32), Y)
    assert clf.target_kind_ == "multilabel"
    assert type(clf.model_.loss).__name__ == "ElementwiseBinaryCrossentropy"
    expected = np.where(Y == 1, np.array([2.0, 3.0, 1.0]), 1.0)
    assert trained_weights[-1].shape == (200, 3)
    np.testing.assert_allclose(trained_weights[-1], expected)
    assert clf.predict(X).shape == (200, 3)


def test_elementwise_loss_values():
    """``sum(w * bce) / (n * labels)``, computed by the backend, equals NumPy's."""
    from skweight.losses import ElementwiseBinaryCrossentropy

    rng = np.random.default_rng(0)
    y_true = (rng.random((6, 3)) > 0.5).astype(np.float32)
    y_pred = rng.uniform(0.05, 0.95, (6, 3)).astype(np.float32)
    w = rng.uniform(0.5, 3.0, (6, 3)).astype(np.float32)
    bce = -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
    per_element = ElementwiseBinaryCrossentropy(reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(per_element), bce, rtol=1e-4)
    reduced = ElementwiseBinaryCrossentropy()(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(float(np.asarray(reduced)), (w * bce).sum() / bce.size, rtol=1e-4)
    logits = np.log(y_pred / (1 - y_pred))
    from_logits = ElementwiseBinaryCrossentropy(from_logits=True, reduction=None)(y_true, logits)
    np.testing.assert_allclose(np.asarray(from_logits), bce, rtol=1e-3)


def test_pipeline_grid_search(binary):
    X, y = binary
    pipe = make_pipeline(StandardScaler(), WeightedKerasClassifier(**SMALL))
    grid = GridSearchCV(
        pipe,
        {"weightedkerasclassifier__class_weight": [None, "balanced"]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy",
    ).fit(X, y)
    scores = dict(
        zip(
            map(str, grid.cv_results_["param_weightedkerasclassifier__class_weight"]),
            grid.cv_results_["mean_test_score"],
        )
    )
    assert np.all(np.isfinite(list(scores.values())))
    assert scores["balanced"] > scores["None"]  # weighting helps the 15 % class
    assert grid.best_params_ == {"weightedkerasclassifier__class_weight": "balanced"}
    assert grid.best_estimator_[-1].class_weight_[1] > 1.0


@pytest.mark.lanes
def test_pickle_round_trips(binary):
    X, y = binary
    unfitted = WeightedKerasClassifier(class_weight={1: 3.0}, **SMALL)
    twin = pickle.loads(pickle.dumps(unfitted))
    assert twin.get_params() == unfitted.get_params()
    fitted = unfitted.fit(X, y)
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict_proba(X), fitted.predict_proba(X))
    assert copy.class_weight_ == fitted.class_weight_ == {0: 1.0, 1: 3.0}
    # the unpickled model trains on: same weights, same data, same result
    assert copy.model_.count_params() == fitted.model_.count_params()


@pytest.mark.lanes
def test_random_state_reproducible_and_global_state_restored(binary):
    import keras

    X, y = binary
    random.seed(7)
    np.random.seed(7)
    py_state, np_state = random.getstate(), np.random.get_state()
    torch_state = None
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(7)
        torch_state = torch.get_rng_state()
    fit = lambda seed: WeightedKerasClassifier(  # noqa: E731
        class_weight="balanced", validation_split=0.2, **{**SMALL, "random_state": seed}
    ).fit(X, y)
    a, b, c = fit(0), fit(0), fit(1)
    # fitting leaves every global generator as it was (checked before predicting:
    # Keras's PyTorch data loader draws from torch's generator at predict time)
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1]) and after[2] == np_state[2]
    if torch_state is not None:
        assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.history_ == b.history_
    assert not np.array_equal(c.predict_proba(X), a.predict_proba(X))


def test_interrupted_warm_fit_restores_weights(binary):
    """The rollback snapshot reads and writes variables on every backend."""
    import keras

    X, y = binary
    armed = {"on": False}

    def boom(epoch, logs):
        if armed["on"] and epoch == 1:
            raise RuntimeError("stop here")

    stopper = keras.callbacks.LambdaCallback(on_epoch_end=boom)
    clf = WeightedKerasClassifier(warm_start=True, callbacks=[stopper], **SMALL).fit(X, y)
    before = [v.numpy() for v in clf.model_.variables]
    proba = clf.predict_proba(X)
    armed["on"] = True
    with pytest.raises(RuntimeError, match="stop here"):
        clf.fit(X, y)
    after = [v.numpy() for v in clf.model_.variables]
    assert len(after) == len(before)
    for old, new in zip(before, after):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


@pytest.mark.lanes
def test_quiet_at_verbose_zero(capfd, binary):
    X, y = binary
    clf = WeightedKerasClassifier(class_weight="balanced", metrics=["accuracy"], validation_split=0.2, **SMALL)
    clf.fit(X, y)
    clf.predict(X[:9])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert set(clf.history_) >= {"loss", "accuracy", "weighted_accuracy", "val_loss"}


def test_other_threads_do_not_change_a_seeded_fit(binary):
    """A Dask worker's event loop draws from Python's shared generator at any
    time; seeded fits must not notice, and two seeded fits in two threads must
    not reseed each other's generators."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    X, y = binary

    def fit(seed):
        return WeightedKerasClassifier(class_weight="balanced", **{**SMALL, "random_state": seed}).fit(X, y)

    alone = [fit(0).predict_proba(X), fit(1).predict_proba(X)]
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    noise = threading.Thread(target=draw, daemon=True)
    noise.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            together = [f.predict_proba(X) for f in pool.map(fit, [0, 1])]
    finally:
        stop.set()
        noise.join()
    np.testing.assert_array_equal(together[0], alone[0])
    np.testing.assert_array_equal(together[1], alone[1])
