"""Defaults for raw tables: input standardisation inside the model, early
stopping on the weighted validation loss, L2 on the hidden layers, and the
rule that explicit user choices (epochs, callbacks, validation_split, model)
win.  Small data, few epochs, fixed seeds."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score

from skweight import WeightedKerasClassifier
from skweight._backend import keras
from skweight._model import STANDARDIZE_LAYER
from skweight._params import EPOCHS_WITHOUT_STOPPING, seed_from
from skweight._splits import split_rows

SMALL = dict(hidden_layer_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(240, n_features=6, n_informative=4, weights=[0.8], random_state=3)
    # features on very different scales, as raw tables have them
    return X * np.array([1.0, 1e3, 1e-3, 50.0, 1.0, 7.0]) + np.array([0, 5e3, 0, -100, 0, 0]), y


def _normalization_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Normalization)]


def test_unscaled_copy_times_1000_scores_about_the_same(data):
    X, y = data
    a = WeightedKerasClassifier(class_weight="balanced", epochs=8, **SMALL).fit(X, y)
    b = WeightedKerasClassifier(class_weight="balanced", epochs=8, **SMALL).fit(X * 1000, y)
    assert_allclose(a.predict_proba(X), b.predict_proba(X * 1000), atol=1e-3)
    assert abs(balanced_accuracy_score(y, a.predict(X)) - balanced_accuracy_score(y, b.predict(X * 1000))) < 0.02


def test_standardization_is_adapted_on_the_training_rows_only(data):
    X, y = data
    clf = WeightedKerasClassifier(epochs=1, validation_split=0.25, **SMALL).fit(X, y)
    (layer,) = _normalization_layers(clf.model_)
    assert layer.name == STANDARDIZE_LAYER
    train, val = split_rows("binary", y, 0.25, seed_from(0))
    assert val.size > 0
    mean = np.asarray(layer.mean).reshape(-1)
    assert_allclose(mean, X[train].mean(axis=0), rtol=1e-4)
    assert not np.allclose(mean, X.mean(axis=0), rtol=1e-4)


def test_standardize_false_and_alpha_zero_give_the_plain_mlp(data):
    X, y = data
    clf = WeightedKerasClassifier(epochs=1, standardize=False, alpha=0.0, **SMALL).fit(X, y)
    assert _normalization_layers(clf.model_) == []
    dense = [layer for layer in clf.model_.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.kernel_regularizer for d in dense] == [None, None]
    reg = WeightedKerasClassifier(epochs=1, alpha=0.01, **SMALL).fit(X, y)
    hidden = [layer for layer in reg.model_.layers if isinstance(layer, keras.layers.Dense)][0]
    assert float(hidden.kernel_regularizer.l2) == pytest.approx(0.01)


def test_explicit_epochs_train_exactly_that_many_without_early_stopping(data):
    X, y = data
    clf = WeightedKerasClassifier(epochs=4, **SMALL).fit(X, y)
    assert len(clf.history_["loss"]) == 4
    assert "val_loss" not in clf.history_


def test_epochs_none_stops_early_on_the_validation_loss_and_restores_the_best(data):
    X, y = data
    clf = WeightedKerasClassifier(n_iter_no_change=3, optimizer__learning_rate=0.05, **SMALL).fit(X, y)
    val = clf.history_["val_loss"]
    best = int(np.argmin(val))
    assert len(val) < 200
    # stopped 3 epochs after the last improvement (min_delta 1e-4)
    assert len(val) - 1 - best <= 3
    # the restored weights are those of the best epoch
    _, held = split_rows("binary", y, 0.1, seed_from(0))
    assert held.size >= 2
    assert clf.model_.evaluate(X[held], y[held], verbose=0) == pytest.approx(val[best], rel=1e-3, abs=1e-4)


def test_early_stopping_true_with_explicit_epochs_caps_them(data):
    X, y = data
    clf = WeightedKerasClassifier(epochs=5, early_stopping=True, **SMALL).fit(X, y)
    assert "val_loss" in clf.history_ and 1 <= len(clf.history_["loss"]) <= 5


def test_early_stopping_false_with_epochs_none_trains_the_fixed_number(data):
    X, y = data
    clf = WeightedKerasClassifier(early_stopping=False, hidden_layer_sizes=(4,), random_state=0).fit(X[:60], y[:60])
    assert len(clf.history_["loss"]) == EPOCHS_WITHOUT_STOPPING
    assert "val_loss" not in clf.history_


def test_a_users_early_stopping_replaces_ours(data):
    X, y = data
    mine = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    clf = WeightedKerasClassifier(callbacks=[mine], **SMALL).fit(X, y)
    assert "val_loss" not in clf.history_  # no validation rows split off for ours
    assert len(clf.history_["loss"]) == 2  # theirs stopped it (no epoch improves by 10)


def test_explicit_validation_split_is_the_early_stopping_split(data):
    X, y = data
    # a high learning rate makes the validation loss stop improving within a few epochs (the default rate
    # trains ~190 of the 200 epochs here): the early stopping still has to end the fit well before 200
    clf = WeightedKerasClassifier(validation_split=0.3, n_iter_no_change=2, optimizer__learning_rate=0.05, **SMALL).fit(
        X, y
    )
    train, _ = split_rows("binary", y, 0.3, seed_from(0))
    (layer,) = _normalization_layers(clf.model_)
    assert_allclose(np.asarray(layer.mean).reshape(-1), X[train].mean(axis=0), rtol=1e-4)
    assert "val_loss" in clf.history_ and len(clf.history_["loss"]) < 200


def test_too_few_rows_of_a_class_skip_early_stopping_quietly():
    rng = np.random.RandomState(0)
    X = rng.rand(12, 3)
    y = np.array([0] * 11 + [1])  # one row of class 1: it cannot be on both sides
    clf = WeightedKerasClassifier(class_weight="balanced", hidden_layer_sizes=(4,), random_state=0).fit(X, y)
    assert "val_loss" not in clf.history_
    assert len(clf.history_["loss"]) == EPOCHS_WITHOUT_STOPPING


def test_partial_fit_trains_one_epoch_without_validation(data):
    X, y = data
    clf = WeightedKerasClassifier(**SMALL).partial_fit(X, y, classes=[0, 1])
    assert len(clf.history_["loss"]) == 1 and "val_loss" not in clf.history_
    clf.partial_fit(X * 1.0, y)
    assert len(clf.history_["loss"]) == 2


def test_standardized_model_survives_pickle(data):
    X, y = data
    clf = WeightedKerasClassifier(epochs=2, **SMALL).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    assert_allclose(twin.predict_proba(X), clf.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert len(_normalization_layers(twin.model_)) == 1


def test_a_users_model_is_not_standardized(data):
    X, y = data

    def build(meta):
        inp = keras.Input((meta["n_features_in_"],))
        return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))

    clf = WeightedKerasClassifier(build, loss="binary_crossentropy", epochs=1, random_state=0).fit(X, y)
    assert _normalization_layers(clf.model_) == []


@pytest.mark.parametrize(
    "params, exc, words",
    [
        ({"alpha": -1.0}, ValueError, "alpha=-1.0"),
        ({"alpha": "big"}, ValueError, "alpha='big'"),
        ({"standardize": "yes"}, TypeError, "standardize='yes'"),
        ({"early_stopping": "sometimes"}, ValueError, "early_stopping='sometimes'"),
        ({"validation_fraction": 0.0}, ValueError, "validation_fraction=0.0"),
        ({"validation_fraction": 1.5}, ValueError, "validation_fraction=1.5"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change=0"),
        ({"n_iter_no_change": 2.5}, ValueError, "n_iter_no_change=2.5"),
        ({"epochs": -1}, ValueError, "epochs=-1"),
        ({"epochs": 2.5}, ValueError, "epochs=2.5"),
    ],
)
def test_bad_default_parameters_are_refused_before_training(data, params, exc, words):
    X, y = data
    clf = WeightedKerasClassifier(**params)
    with pytest.raises(exc, match=__import__("re").escape(words)):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


class _CountBatches(keras.callbacks.Callback):
    """Training batches per epoch (the first epoch's)."""

    def on_train_begin(self, logs=None):
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


def test_default_model_trains_in_batches_of_min_200_and_the_rows():
    X, y = make_classification(450, n_features=5, random_state=0)
    count = _CountBatches()
    WeightedKerasClassifier(epochs=1, callbacks=[count], **SMALL).fit(X, y)
    assert count.per_epoch == [3]  # 450 rows in batches of 200: 200, 200, 50
    # with early stopping the batch is sized on the 90 % training rows (one batch of 135 of 150)
    count = _CountBatches()
    WeightedKerasClassifier(epochs=1, early_stopping=True, callbacks=[count], **SMALL).fit(X[:150], y[:150])
    assert count.per_epoch == [1]


@pytest.mark.parametrize("where", ["param", "routed", "fit"])
def test_an_explicit_batch_size_wins_over_the_default(where):
    X, y = make_classification(450, n_features=5, random_state=0)
    count = _CountBatches()
    kw = {"param": {"batch_size": 100}, "routed": {"fit__batch_size": 100}, "fit": {}}[where]
    clf = WeightedKerasClassifier(epochs=1, callbacks=[count], **SMALL, **kw)
    clf.fit(X, y, **({"batch_size": 100} if where == "fit" else {}))
    assert count.per_epoch == [5]  # ceil(450 / 100)


def test_a_users_model_keeps_keras_batch_size_32():
    X, y = make_classification(450, n_features=5, random_state=0)

    def build(meta):
        inp = keras.Input((meta["n_features_in_"],))
        return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))

    count = _CountBatches()
    WeightedKerasClassifier(build, loss="binary_crossentropy", epochs=1, callbacks=[count], random_state=0).fit(X, y)
    assert count.per_epoch == [15]  # ceil(450 / 32)
