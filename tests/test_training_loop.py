"""The estimator on skweight's training loop (``training_loop``): which loop
runs, the same numbers as ``keras.Model.fit`` for every target kind, and what
users rely on (seeds, early stopping, history, callbacks, validation rows,
``partial_fit``, warm starts, persistence).  ``tests/test_loop.py`` tests the
loop itself, on Keras models.

How close "the same" is: with ``shuffle=False`` both loops run the same steps
(same initial weights, batches and ``train_step``), so in exact arithmetic
their histories are equal; in float32 they may differ only by the order of
evaluation inside an operation.  ``tests/test_loop.py`` derives the bound
``RTOL`` for one epoch's loss from the sizes of the sums in one step (here:
the features, the hidden units, the batch, the steps of an epoch) and the
element-wise operations, each a relative error of at most ``u = 2**-24``;
the weights, and so the losses of later epochs and the predictions, move
by about ``learning_rate`` times such a relative difference per step, far
below it.  (On one machine the two loops usually agree to the last bit.)
"""

import math
import pickle
import random
import warnings

import numpy as np
import pytest

from skweight import WeightedKerasClassifier
from skweight._backend import backend_name, keras

N, N_FEATURES, HIDDEN, BATCH = 240, 5, 8, 32
U = 2.0**-24
STEPS = math.ceil(N / BATCH)
RTOL = 2 * (N_FEATURES + HIDDEN + BATCH + STEPS + 10) * U  # about 7e-6 (see the module docstring)
ATOL = 1e-7  # a loss near 0; accuracies of exactly 0 or 1 are exact either way
FAST = backend_name() in ("tensorflow", "torch")  # JAX trains with Model.fit by design
LOOP = "fast" if FAST else "keras"  # what "auto" runs for the default model on this backend


def _clf(**kw):
    params = dict(hidden_layer_sizes=(HIDDEN,), epochs=3, batch_size=BATCH, random_state=0)
    params.update(kw)
    return WeightedKerasClassifier(**params)


def _rows(n=N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES)).astype(np.float32)
    score = X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.normal(size=n)
    return X, score


def _binary(n=N, seed=0):
    X, score = _rows(n, seed)
    return X, (score > 1.0).astype(int)  # about 20 % positives


TARGETS = {
    "binary": lambda: _binary(),
    "multiclass": lambda: (_rows()[0], np.digitize(_rows()[1], [-0.5, 1.2])),
    "onehot": lambda: (_rows()[0], np.eye(3, dtype=np.float32)[np.digitize(_rows()[1], [-0.5, 1.2])]),
    "multilabel": lambda: (_rows()[0], np.column_stack([_rows()[1] > 0.8, _rows()[0][:, 2] > 0.5]).astype(int)),
    "ordinal": lambda: (_rows()[0], (np.arange(2) < np.digitize(_rows()[1], [-0.5, 1.2])[:, None]).astype(int)),
    "multioutput": lambda: (_rows()[0], np.column_stack([_binary()[1], np.digitize(_rows()[1], [0.0, 1.0])])),
    "dict": lambda: (_rows()[0], {"risk": _binary()[1], "level": np.digitize(_rows()[1], [0.0, 1.0])}),
    "list": lambda: (_rows()[0], [_binary()[1], np.digitize(_rows()[1], [0.0, 1.0])]),
}
KIND_PARAMS = {"ordinal": dict(target_kind="ordinal")}


def _sequence():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(N, 6, 2)).astype(np.float32)
    y = np.where(X[:, :, 0] > 1.0, 1, 2)
    y[:, 4:] = 0  # padding
    return X, y


def skweight_warnings(caught):
    """The fall-back warnings among ``caught`` (the backends' own deprecation notices aside)."""
    return [str(w.message) for w in caught if "training_loop=" in str(w.message)]


def _arrays(proba):
    """The arrays of ``predict_proba``'s result (one, or one per output)."""
    return list(proba.values()) if isinstance(proba, dict) else list(proba) if isinstance(proba, list) else [proba]


def assert_same_history(a, b, rtol=RTOL):
    assert set(a) == set(b)
    for name in b:
        assert len(a[name]) == len(b[name]), name
        np.testing.assert_allclose(a[name], b[name], rtol=rtol, atol=ATOL, err_msg=name)


class EpochWeights(keras.callbacks.Callback):
    """An epoch-level callback (keeps the fast path): the weights after each epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


class BatchCounter(keras.callbacks.Callback):
    """A batch-level callback: needs Model.fit."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def _user_model():
    inputs = keras.Input((N_FEATURES,))
    hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer="adam", loss="binary_crossentropy", weighted_metrics=["accuracy"])
    return model


# --------------------------------------------------------------------------- #
# which loop runs
# --------------------------------------------------------------------------- #
@pytest.mark.backend_smoke
def test_auto_trains_the_default_model_fast_and_a_users_model_with_model_fit():
    X, y = _binary()
    assert _clf().fit(X, y).training_loop_ == LOOP
    assert _clf(model=_user_model, loss="binary_crossentropy").fit(X, y).training_loop_ == "keras"
    assert _clf(training_loop="keras").fit(X, y).training_loop_ == "keras"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = _clf(model=_user_model, loss="binary_crossentropy", training_loop="fast").fit(X, y)
    assert clf.training_loop_ == LOOP
    assert (skweight_warnings(caught) == []) is FAST  # JAX: "fast" falls back, with a warning


@pytest.mark.backend_smoke
def test_fast_falls_back_with_a_warning_that_says_why_and_auto_falls_back_quietly():
    X, y = _binary()
    counter = BatchCounter()
    with pytest.warns(UserWarning, match=r"training_loop='fast' trained with keras.Model.fit instead: .*"):
        clf = _clf(training_loop="fast", callbacks=[counter]).fit(X, y)
    assert clf.training_loop_ == "keras" and counter.batches == 3 * STEPS
    if FAST:
        with pytest.warns(UserWarning, match="BatchCounter overrides on_train_batch_end"):
            _clf(training_loop="fast", callbacks=[BatchCounter()]).fit(X, y)
        with pytest.warns(UserWarning, match="Model.fit arguments the loop does not take: validation_freq"):
            _clf(training_loop="fast", validation_split=0.2).fit(X, y, validation_freq=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auto = _clf(callbacks=[BatchCounter()]).fit(X, y)  # "auto": no warning
        keras_loop = _clf(training_loop="keras").fit(X, y)
    assert auto.training_loop_ == keras_loop.training_loop_ == "keras"
    assert skweight_warnings(caught) == []


def test_bad_training_loop_is_refused_before_training(train_spy):
    X, y = _binary()
    for bad in ("fastest", None, 1):
        with pytest.raises(ValueError, match=rf"training_loop={bad!r} must be 'auto' .*'fast' .*'keras'"):
            _clf(training_loop=bad).fit(X, y)
    assert train_spy == []


# --------------------------------------------------------------------------- #
# the same numbers as Model.fit, for every target kind
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("kind", [*TARGETS, "sequence"])
def test_every_target_kind_trains_as_model_fit_does(kind):
    X, y = _sequence() if kind == "sequence" else TARGETS[kind]()
    params = dict(
        class_weight=None if kind in ("sequence", "dict", "list") else "balanced",
        validation_split=0.2,
        shuffle=False,
        metrics=["accuracy"] if kind in ("binary", "multiclass", "dict") else None,
        **KIND_PARAMS.get(kind, {}),
    )
    if kind == "sequence":
        params["padding_label"] = 0
    fast = _clf(training_loop="fast", **params).fit(X, y)
    slow = _clf(training_loop="keras", **params).fit(X, y)
    assert (fast.training_loop_, slow.training_loop_) == (LOOP, "keras")
    assert "val_loss" in fast.history_ and len(fast.history_["loss"]) == 3
    assert_same_history(fast.history_, slow.history_)
    for u, v in zip(_arrays(fast.predict_proba(X)), _arrays(slow.predict_proba(X))):
        # 3 epochs x 6 steps of Adam at 1e-3 move each weight by about 1e-3 per step: a relative
        # difference RTOL in a gradient moves a prediction by far less than 100 * RTOL
        np.testing.assert_allclose(u, v, rtol=100 * RTOL, atol=1e-6)


@pytest.mark.backend_smoke
def test_sample_weights_and_a_users_model_on_the_fast_loop_match_model_fit():
    X, y = _binary()
    w = np.random.default_rng(3).uniform(0.2, 3.0, N)
    w_before = w.copy()
    params = dict(model=_user_model, loss="binary_crossentropy", class_weight={1: 3.0}, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # JAX: "fast" falls back
        fast = _clf(training_loop="fast", **params).fit(X, y, sample_weight=w)
    slow = _clf(training_loop="keras", **params).fit(X, y, sample_weight=w)
    assert fast.training_loop_ == LOOP and np.array_equal(w, w_before)
    assert_same_history(fast.history_, slow.history_)
    other = _clf(training_loop="fast" if FAST else "keras", **params).fit(X, y, sample_weight=w[::-1].copy())
    assert abs(other.history_["loss"][0] - fast.history_["loss"][0]) > 100 * RTOL  # the weights do count


# --------------------------------------------------------------------------- #
# what users rely on, on the fast loop
# --------------------------------------------------------------------------- #
def test_random_state_gives_the_same_numbers_and_leaves_global_state():
    X, y = _binary()
    np.random.seed(5)
    random.seed(5)
    np_state, py_state = np.random.get_state(), random.getstate()
    runs = [_clf(class_weight="balanced", random_state=seed).fit(X, y) for seed in (7, 7, 8)]
    assert {r.training_loop_ for r in runs} == {LOOP}
    assert runs[0].history_ == runs[1].history_
    np.testing.assert_array_equal(runs[0].predict_proba(X), runs[1].predict_proba(X))
    assert runs[0].history_["loss"] != runs[2].history_["loss"]
    after = np.random.get_state()
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]
    assert random.getstate() == py_state


def test_default_early_stopping_counts_patience_in_epochs_and_restores_the_best_epoch():
    X, y = _binary(600, seed=2)
    recorder = EpochWeights()
    clf = WeightedKerasClassifier(class_weight="balanced", n_iter_no_change=4, random_state=0, callbacks=[recorder])
    clf.fit(X, y)
    assert clf.training_loop_ == LOOP  # an epoch-level callback keeps the fast path
    val_loss = clf.history_["val_loss"]
    assert all(len(v) == len(val_loss) for v in clf.history_.values())  # one entry per epoch
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_loss):  # Keras's rule: an improvement is a drop of more than min_delta
        if loss < best - 1e-4:
            best, best_epoch = loss, epoch
    assert len(val_loss) == best_epoch + 1 + 4 < 200  # stopped after 4 epochs without improvement
    final = clf.model_.get_weights()
    assert all(np.array_equal(u, v) for u, v in zip(final, recorder.weights[best_epoch]))
    assert not all(np.array_equal(u, v) for u, v in zip(final, recorder.weights[-1]))


def test_epoch_level_callbacks_keep_the_fast_path_and_batch_level_ones_get_every_batch(tmp_path):
    X, y = _binary()
    ends = []
    callbacks = [
        keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append((epoch, sorted(logs)))),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=1),
        keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
        keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), save_best_only=True),
    ]
    clf = _clf(validation_split=0.2, callbacks=callbacks).fit(X, y)
    assert clf.training_loop_ == LOOP
    assert [e for e, _ in ends] == [0, 1, 2] and all({"loss", "val_loss"} <= set(names) for _, names in ends)
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 1 + 3 and (tmp_path / "best.keras").exists()
    counter = BatchCounter()
    clf = _clf(callbacks=[counter]).fit(X, y)
    assert clf.training_loop_ == "keras" and counter.batches == 3 * STEPS


def test_validation_data_reports_the_loss_of_those_rows():
    X, y = _binary()
    Xv, yv = _binary(80, seed=9)
    wv = np.where(yv == 1, 2.0, 1.0)
    clf = _clf(epochs=1, optimizer__learning_rate=0.0).fit(X, y, validation_data=(Xv, yv, wv))
    assert clf.training_loop_ == LOOP
    p = np.clip(clf.model_.predict(Xv, verbose=0).ravel().astype(np.float64), 1e-7, 1 - 1e-7)
    penalty = sum(float(keras.ops.convert_to_numpy(loss)) for loss in clf.model_.losses)  # the L2 term of alpha
    expected = np.sum(wv * -(yv * np.log(p) + (1 - yv) * np.log(1 - p))) / len(yv) + penalty
    # float32 sums over 80 rows and 8 units: a relative error of order 100 * u
    assert clf.history_["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_partial_fit_continues_like_one_long_fit_and_reuses_the_trace():
    X, y = _binary()
    whole = _clf(class_weight={1: 3.0}, epochs=3).fit(X, y)
    parts = _clf(class_weight={1: 3.0})
    for _ in range(3):
        parts.partial_fit(X, y, classes=[0, 1])
    assert parts.training_loop_ == LOOP and len(parts.history_["loss"]) == 3
    assert int(keras.ops.convert_to_numpy(parts.model_.optimizer.iterations)) == 3 * STEPS
    if FAST:  # epoch e's row order depends on (seed, e) only: the same steps as one 3-epoch fit
        assert_same_history(parts.history_, whole.history_)
        from skweight import _backend

        assert len(_backend._EPOCH_FUNCTIONS[parts.model_]) == 1  # one trace for the three calls


def test_warm_start_trains_on_the_same_model_and_keeps_its_optimizer_state():
    X, y = _binary()
    clf = _clf(class_weight="balanced", warm_start=True).fit(X, y)
    model, weights = clf.model_, clf.model_.get_weights()
    clf.fit(X[:200], y[:200])
    assert clf.model_ is model and clf.training_loop_ == LOOP
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 3 * STEPS + 3 * math.ceil(200 / BATCH)
    assert not all(np.array_equal(u, v) for u, v in zip(weights, model.get_weights()))
    assert len(clf.history_["loss"]) == 3  # a warm start from epoch 0 starts the history anew


def test_pickle_and_keras_format_after_a_fast_fit(tmp_path):
    X, y = _binary()
    clf = _clf(class_weight={1: 3.0}, validation_split=0.2).fit(X, y)
    assert clf.training_loop_ == LOOP
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.training_loop_ == LOOP
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    path = tmp_path / "model.keras"
    clf.model_.save(path)
    np.testing.assert_array_equal(keras.models.load_model(path).predict(X, verbose=0), clf.model_.predict(X, verbose=0))
    copy.partial_fit(X, y)  # the unpickled model trains on, on the fast loop
    assert copy.training_loop_ == LOOP and len(copy.history_["loss"]) == 4


def test_batches_on_the_fast_loop_are_min_200_and_the_rows_or_the_given_size():
    X, y = _binary(450)
    for params, steps in (({}, 3), ({"batch_size": 100}, 5), ({"batch_size": -1}, 1)):  # 200, 200, 50 rows; ...
        clf = _clf(epochs=1, **{"batch_size": None, **params}).fit(X, y)
        assert clf.training_loop_ == LOOP
        assert int(keras.ops.convert_to_numpy(clf.model_.optimizer.iterations)) == steps, params
