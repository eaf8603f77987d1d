"""Nothing lost: interrupted fits roll back, warm starts and partial fits keep
their classes and class weights, and fitted or unfitted estimators survive
pickle, joblib and Keras's ``.keras`` format in a fresh process."""

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skweight import WeightedKerasClassifier

ROOT = Path(__file__).resolve().parents[1]


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0.9).astype(int)  # about 20 % positives
    return X, y


def _multiclass(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5).astype(np.float32)
    y = np.digitize(X[:, 0], [-0.3, 0.9])  # classes 0, 1, 2 with 2 the rarest
    return X, y


def _est(**params):
    params = {"epochs": 3, "batch_size": 16, "hidden_layer_sizes": (8,), "random_state": 0, **params}
    return WeightedKerasClassifier(**params)


def _weights(model):
    return [v.numpy().copy() for v in model.weights]


class Interrupt(keras.callbacks.Callback):
    """Raises ``exc`` at the end of training batch ``at`` while ``armed``
    (the same instance stays registered for warm starts)."""

    def __init__(self, exc, at=2, armed=True):
        super().__init__()
        self.exc, self.at, self.armed, self.batches = exc, at, armed, 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if self.armed and batch == self.at:
            raise self.exc


EXCEPTIONS = [RuntimeError("callback failed"), KeyboardInterrupt()]
IDS = ["exception", "keyboard-interrupt"]


# --------------------------------------------------------------------------- #
# interrupted fits
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("exc", EXCEPTIONS, ids=IDS)
def test_interrupted_first_fit_leaves_estimator_unfitted(exc):
    X, y = _data()
    cb = Interrupt(exc)
    est = _est(class_weight="balanced", callbacks=[cb])
    with pytest.raises(type(exc)):
        est.fit(X, y)
    assert cb.batches == 3  # training had started and updated weights
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    for attr in ("model_", "classes_", "class_weight_", "history_", "target_encoder_", "n_features_in_"):
        assert not hasattr(est, attr), attr
    with pytest.raises(NotFittedError):
        est.predict(X)
    # and nothing is left over: a clean fit equals a fit of a fresh estimator (with
    # the same batch-level callback, so that both train with keras.Model.fit)
    cb.armed = False
    fresh = _est(class_weight="balanced", callbacks=[Interrupt(exc, armed=False)])
    np.testing.assert_array_equal(est.fit(X, y).predict_proba(X), fresh.fit(X, y).predict_proba(X))
    assert est.training_loop_ == fresh.training_loop_ == "keras"


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=IDS)
@pytest.mark.parametrize("warm_start", [False, True], ids=["refit", "warm-start"])
def test_interrupted_refit_keeps_previous_fitted_state(exc, warm_start):
    X, y = _data()
    cb = Interrupt(exc, armed=False)
    est = _est(class_weight="balanced", warm_start=warm_start, callbacks=[cb]).fit(X, y)
    proba, labels = est.predict_proba(X), est.predict(X)
    state = {k: est.__dict__[k] for k in ("model_", "classes_", "class_weight_", "target_encoder_")}
    weights, history = _weights(est.model_), {k: list(v) for k, v in est.history_.items()}
    iterations = int(est.model_.optimizer.iterations.numpy())

    cb.armed = True
    X2, y2 = _data(seed=1)
    est.set_params(class_weight={0: 1.0, 1: 7.0})
    with pytest.raises(type(exc)):
        est.fit(X2, y2)
    assert cb.batches > 0

    check_is_fitted(est)
    for k, v in state.items():
        assert est.__dict__[k] is v, k
    assert est.class_weight_ == state["class_weight_"]
    for a, b in zip(_weights(est.model_), weights):
        np.testing.assert_array_equal(a, b)
    assert int(est.model_.optimizer.iterations.numpy()) == iterations
    assert {k: list(v) for k, v in est.history_.items()} == history
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    np.testing.assert_array_equal(est.predict(X), labels)


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=IDS)
def test_interrupted_refit_of_a_user_model_instance_restores_its_weights(exc):
    """A ``keras.Model`` given as ``model`` is trained in place on every fit;
    an interrupted refit puts its weights back."""
    X, y = _data()
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(5,))
    net = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(8, activation="relu")(inp)))
    net.compile(loss="binary_crossentropy", optimizer="adam")
    cb = Interrupt(exc, armed=False)
    est = WeightedKerasClassifier(model=net, class_weight="balanced", epochs=2, batch_size=16, callbacks=[cb])
    est.fit(X, y)
    proba, weights = est.predict_proba(X), _weights(net)
    cb.armed = True
    with pytest.raises(type(exc)):
        est.fit(X, y)
    for a, b in zip(_weights(net), weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(est.predict_proba(X), proba)


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=IDS)
def test_interrupted_partial_fit_keeps_previous_state(exc):
    X, y = _multiclass()
    cb = Interrupt(exc, armed=False)
    est = _est(class_weight={0: 1.0, 1: 2.0, 2: 5.0}, callbacks=[cb])
    est.partial_fit(X[:60], y[:60], classes=[0, 1, 2])
    proba, weights, history = est.predict_proba(X), _weights(est.model_), dict(est.history_)
    cb.armed = True
    with pytest.raises(type(exc)):
        est.partial_fit(X[60:], y[60:])
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    for a, b in zip(_weights(est.model_), weights):
        np.testing.assert_array_equal(a, b)
    assert len(est.history_["loss"]) == len(history["loss"]) == 1
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])


# --------------------------------------------------------------------------- #
# warm_start and partial_fit keep network weights, classes and class weights
# --------------------------------------------------------------------------- #
class RecordStart(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.start = _weights(self.model)


def test_warm_start_continues_from_its_weights_and_keeps_classes():
    X, y = _multiclass()
    rec = RecordStart()
    cw = {0: 1.0, 1: 2.0, 2: 5.0}
    est = _est(class_weight=cw, warm_start=True, callbacks=[rec]).fit(X, y)
    model, end_of_first = est.model_, _weights(est.model_)
    first_cw = dict(est.class_weight_)
    # the second fit sees only classes 0 and 1
    keep = y != 2
    est.fit(X[keep], y[keep])
    assert est.model_ is model
    for a, b in zip(rec.start, end_of_first):
        np.testing.assert_array_equal(a, b)  # the second fit started where the first ended
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.class_weight_ == first_cw == cw
    assert est.predict_proba(X).shape == (len(X), 3)
    assert len(est.history_["loss"]) == 3  # SciKeras: history_ holds the epochs of the last fit
    # a label the first fit never saw is refused before training, state unchanged
    proba = est.predict_proba(X)
    with pytest.raises(ValueError, match=r"y holds label 7, unseen in fit; known classes are \[0, 1, 2\]"):
        est.fit(X[:10], np.r_[y[:9], 7])
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_partial_fit_keeps_classes_and_class_weights_across_batches():
    X, y = _multiclass()
    cw = {0: 1.0, 1: 2.0, 2: 5.0}
    est = _est(class_weight=cw)
    rec = RecordStart()
    est.set_params(callbacks=[rec])
    est.partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    model = est.model_
    batches = [np.flatnonzero(y != 2)[:40], np.flatnonzero(y == 0)[:30]]  # no class 2; then a single class
    for i, rows in enumerate(batches, start=2):
        before = _weights(est.model_)
        est.partial_fit(X[rows], y[rows])
        for a, b in zip(rec.start, before):
            np.testing.assert_array_equal(a, b)
        assert est.model_ is model
        np.testing.assert_array_equal(est.classes_, [0, 1, 2])
        assert est.class_weight_ == cw
        assert len(est.history_["loss"]) == i
    assert est.predict_proba(X).shape == (len(X), 3)


def test_partial_fit_needs_two_classes_when_it_knows_only_one():
    X, y = _data()
    with pytest.raises(ValueError, match=r"y has only one class \(0\)"):
        _est().partial_fit(X[y == 0], y[y == 0])


# --------------------------------------------------------------------------- #
# persistence in a fresh process
# --------------------------------------------------------------------------- #
FRESH = textwrap.dedent(
    """
    import json, pickle, sys
    import joblib, keras, numpy as np
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    d = sys.argv[1]
    X, y = np.load(d + "/X.npy"), np.load(d + "/y.npy")
    Xml, yml = np.load(d + "/Xml.npy"), np.load(d + "/yml.npy")
    out, report = {}, {}
    for kind in ("pickle", "joblib"):
        load = (lambda p: pickle.load(open(p, "rb"))) if kind == "pickle" else joblib.load
        fitted = load(f"{d}/fitted.{kind}")
        out[f"{kind}_fitted_proba"] = fitted.predict_proba(X)
        out[f"{kind}_fitted_labels"] = fitted.predict(X)
        report[f"{kind}_class_weight"] = {str(k): v for k, v in fitted.class_weight_.items()}
        unfitted = load(f"{d}/unfitted.{kind}")
        try:
            check_is_fitted(unfitted)
            report[f"{kind}_unfitted_is_unfitted"] = False
        except NotFittedError:
            report[f"{kind}_unfitted_is_unfitted"] = True
        out[f"{kind}_unfitted_then_fit_proba"] = unfitted.fit(X, y).predict_proba(X)
        ml = load(f"{d}/multilabel.{kind}")
        out[f"{kind}_multilabel_proba"] = ml.predict_proba(Xml)
    for name in ("binary", "multilabel"):
        model = keras.models.load_model(f"{d}/{name}.keras")
        out[f"keras_{name}_raw"] = model.predict(X if name == "binary" else Xml, verbose=0)
    np.savez(d + "/fresh.npz", **out)
    json.dump(report, open(d + "/fresh.json", "w"))
    """
)


def _multilabel(n=90, seed=2):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 1.0, X[:, 2] + X[:, 3] > 0.5]).astype(int)
    return X, Y


def test_pickle_joblib_and_keras_format_round_trips_in_a_fresh_process(tmp_path):
    X, y = _data()
    Xml, Yml = _multilabel()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "Xml.npy", Xml)
    np.save(tmp_path / "yml.npy", Yml)

    fitted = _est(class_weight="balanced").fit(X, y)
    unfitted = _est(class_weight="balanced")
    multilabel = _est(class_weight="balanced").fit(Xml, Yml)  # uses skweight's element-wise loss
    for kind, dump in (("pickle", lambda o, p: pickle.dump(o, open(p, "wb"))), ("joblib", joblib.dump)):
        dump(fitted, tmp_path / f"fitted.{kind}")
        dump(unfitted, tmp_path / f"unfitted.{kind}")
        dump(multilabel, tmp_path / f"multilabel.{kind}")
    fitted.model_.save(tmp_path / "binary.keras")
    multilabel.model_.save(tmp_path / "multilabel.keras")

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    run = subprocess.run(
        [sys.executable, "-c", FRESH, str(tmp_path)], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    fresh = np.load(tmp_path / "fresh.npz")
    report = json.loads((tmp_path / "fresh.json").read_text())

    expected_after_fit = clone(unfitted).fit(X, y).predict_proba(X)
    for kind in ("pickle", "joblib"):
        np.testing.assert_array_equal(fresh[f"{kind}_fitted_proba"], fitted.predict_proba(X))
        np.testing.assert_array_equal(fresh[f"{kind}_fitted_labels"], fitted.predict(X))
        assert report[f"{kind}_class_weight"] == {str(k): v for k, v in fitted.class_weight_.items()}
        assert report[f"{kind}_unfitted_is_unfitted"] is True
        np.testing.assert_array_equal(fresh[f"{kind}_unfitted_then_fit_proba"], expected_after_fit)
        np.testing.assert_array_equal(fresh[f"{kind}_multilabel_proba"], multilabel.predict_proba(Xml))
    np.testing.assert_array_equal(fresh["keras_binary_raw"], fitted.model_.predict(X, verbose=0))
    np.testing.assert_array_equal(fresh["keras_multilabel_raw"], multilabel.model_.predict(Xml, verbose=0))


@pytest.mark.lanes
def test_keras_format_in_process_keeps_raw_outputs(tmp_path):
    X, y = _multiclass()
    est = _est(class_weight="balanced").fit(X, y)
    path = tmp_path / "net.keras"
    est.model_.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), est.model_.predict(X, verbose=0))
    # the raw softmax of the network is what predict_proba returns for a multiclass target
    np.testing.assert_allclose(loaded.predict(X, verbose=0), est.predict_proba(X), rtol=0, atol=1e-7)


@pytest.mark.lanes
def test_pickle_in_process_of_fitted_and_unfitted():
    X, y = _data()
    est = _est(class_weight="balanced")
    copy = pickle.loads(pickle.dumps(est))
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    assert copy.get_params()["class_weight"] == "balanced"
    est.fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))
    assert copy.class_weight_ == est.class_weight_
