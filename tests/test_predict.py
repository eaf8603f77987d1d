"""Prediction batching: the batch size picked from the row size, the routes that
override it, and the ``predict_on_batch`` loop giving Keras's own numbers."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skweight import WeightedKerasClassifier
from skweight._predict import (
    MAX_BATCH,
    MIN_BATCH,
    _concat,
    can_predict_on_batch,
    predict_args,
    predict_batch_size,
)


@pytest.fixture(scope="module")
def fitted():
    X, y = make_classification(120, n_features=6, n_informative=4, n_classes=3, random_state=0)
    X = X.astype(np.float32)
    clf = WeightedKerasClassifier(class_weight="balanced", epochs=1, hidden_layer_sizes=(8,), random_state=0)
    return clf.fit(X, y), X, y


def _record_batches(monkeypatch, model):
    sizes = []
    original = model.predict_on_batch

    def spy(x):
        sizes.append(len(x))
        return original(x)

    monkeypatch.setattr(model, "predict_on_batch", spy)
    return sizes


def test_batch_size_follows_row_size_and_budget():
    assert predict_batch_size(np.zeros((5, 20), np.float32)) == MAX_BATCH
    assert predict_batch_size(np.zeros((5, 2_000_000), np.float32)) == MIN_BATCH
    # 4,000 float64 features = 32,000 bytes a row: 1,048 rows in 32 MiB
    assert predict_batch_size(np.zeros((5, 4000))) == 32 * 2**20 // 32_000


def test_batch_size_counts_the_widest_layer(fitted):
    clf, X, _ = fitted
    import keras

    inputs = keras.Input(shape=(6,))
    wide = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Dense(100_000)(inputs)))
    # 6 float32 inputs + 2 x 100,000 float32 activations per row
    assert predict_batch_size(X, wide) == 32 * 2**20 // (24 + 800_000)
    assert predict_batch_size(X, wide) < predict_batch_size(X, clf.model_)


def test_predict_args_route_like_scikeras_but_not_the_training_batch():
    params = {"batch_size": 16, "verbose": 0, "steps": None, "predict__batch_size": None, "fit__epochs": 3}
    assert predict_args(params, {"batch_size", "verbose", "steps"}) == {"verbose": 0, "steps": None, "batch_size": None}
    params["predict__batch_size"] = 64
    assert predict_args(params, {"batch_size", "verbose", "steps"})["batch_size"] == 64


def test_default_is_one_large_batch_with_keras_numbers(fitted, monkeypatch):
    clf, X, _ = fitted
    expected = clf.model_.predict(X, batch_size=32, verbose=0)
    sizes = _record_batches(monkeypatch, clf.model_)
    proba = clf.predict_proba(X)
    assert sizes == [120]
    np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-7)


def test_training_batch_size_is_not_the_prediction_batch(fitted, monkeypatch):
    _, X, y = fitted
    clf2 = WeightedKerasClassifier(
        class_weight="balanced", epochs=1, hidden_layer_sizes=(8,), batch_size=8, random_state=0
    ).fit(X, y)
    sizes = _record_batches(monkeypatch, clf2.model_)
    clf2.predict(X)
    assert sizes == [120]


def test_predict_batch_size_parameter_and_call_argument_win(fitted, monkeypatch):
    clf, X, y = fitted
    sizes = _record_batches(monkeypatch, clf.model_)
    clf.set_params(predict__batch_size=50)
    try:
        labels = clf.predict(X)
        assert sizes == [50, 50, 20]
        sizes.clear()
        proba = clf.predict_proba(X, batch_size=-1)
        assert sizes == [120]
        sizes.clear()
        assert clf.score(X, y) == np.mean(labels == y)
        assert sizes == [50, 50, 20]
    finally:
        clf.set_params(predict__batch_size=None)
    np.testing.assert_array_equal(labels, clf.classes_[proba.argmax(1)])


def test_callbacks_or_progress_bar_use_keras_predict(fitted, monkeypatch):
    clf, X, _ = fitted
    calls = []
    original = clf.model_.predict

    def spy(x, **kw):
        calls.append(kw["batch_size"])
        return original(x, **kw)

    monkeypatch.setattr(clf.model_, "predict", spy)
    sizes = _record_batches(monkeypatch, clf.model_)
    clf.predict_proba(X, verbose=0, callbacks=[__import__("keras").callbacks.Callback()])
    assert calls == [MAX_BATCH] and sizes == []
    assert not can_predict_on_batch(X, {"batch_size": 10, "steps": 3})
    assert not can_predict_on_batch([X], {"batch_size": 10})
    assert can_predict_on_batch(X, {"batch_size": 10, "verbose": 0, "callbacks": []})


def test_concat_keeps_the_output_structure():
    a, b = np.ones((2, 3)), np.zeros((1, 3))
    assert _concat([a, b]).shape == (3, 3)
    both = _concat([[a, a[:, :1]], [b, b[:, :1]]])
    assert [p.shape for p in both] == [(3, 3), (3, 1)]
    named = _concat([{"x": a}, {"x": b}])
    np.testing.assert_array_equal(named["x"], np.vstack([a, b]))
