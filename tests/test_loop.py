"""Behaviour of skweight's training loop (``skweight._loop.train``) against
Keras's ``Model.fit``, on small models, on whichever Keras backend runs.

How close "the same" is
-----------------------
With ``shuffle=False`` both loops run the same steps (same initial weights, same
batches, same ``train_step``), so in exact arithmetic their histories are equal.
In float32 each operation rounds with a relative error of at most
``u = 2**-24``; the only freedom either side has is the order of evaluation
inside an operation (a fused kernel, another split of a reduction over
threads).  A sum of ``n`` terms evaluated in another order differs by at most
``2 * (n - 1) * u`` times the sum of the magnitudes (both orders err by
``(n - 1) * u``), and the loss of an epoch passes through the sums of one step
(the dot products over the ``N_FEATURES`` inputs and the ``HIDDEN`` units, the
mean over the ``BATCH`` rows) and the mean over the steps of the epoch, plus a
handful of element-wise operations (activation, sigmoid or softmax, log,
weighting, division), each adding ``u``.  All terms of a cross-entropy are
positive, so the relative bound holds for the loss itself.  Differences in the
gradients reach later epochs only through the optimizer: Adam moves each weight
by about ``learning_rate`` times a factor of order 1, so a relative difference
``d`` in a gradient moves a weight by about ``learning_rate * d`` per step,
three orders below ``d`` at the default ``1e-3`` over the few dozen steps here.
That gives :data:`RTOL` below.  (On one machine the two loops usually agree to
the last bit: TensorFlow and PyTorch run the same kernels for both.)
"""

import gc
import math
import random
import weakref

import numpy as np
import pytest

from skweight._backend import backend_name, keras, seeded
from skweight._loop import (
    OrderedBatches,
    RowOrder,
    TrainData,
    TrainPlan,
    fast_path_blockers,
    resolve_training_loop,
    train,
)
from skweight.losses import ElementwiseBinaryCrossentropy

pytestmark = pytest.mark.backend_smoke

N_ROWS, N_FEATURES, HIDDEN, BATCH, EPOCHS = 300, 6, 12, 64, 4
U = 2.0**-24
STEPS = math.ceil(N_ROWS / BATCH)
ELEMENTWISE_OPS = 10
RTOL = 2 * (N_FEATURES + HIDDEN + BATCH + STEPS + ELEMENTWISE_OPS) * U  # about 1.2e-5
ATOL = 1e-7  # a loss that happens to be near 0 (an accuracy of exactly 0 or 1 is exact either way)
FAST = backend_name() in ("tensorflow", "torch")  # JAX falls back to Model.fit by design


# --------------------------------------------------------------------------- #
# data and models
# --------------------------------------------------------------------------- #
def make_data(n=N_ROWS, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] + 0.7 * rng.normal(size=n) > 0).astype(np.int64)
    w = rng.uniform(0.2, 3.0, size=n).astype(np.float32)
    return X, y, w


def mlp(seed=1, outputs="binary", metrics=("accuracy",)):
    """A small MLP with initial weights fixed by ``seed``."""
    with seeded(seed):
        inputs = keras.Input((N_FEATURES,))
        hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
        if outputs == "binary":
            model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
            model.compile(optimizer="adam", loss="binary_crossentropy", weighted_metrics=list(metrics))
        elif outputs == "dict":
            heads = {
                "a": keras.layers.Dense(1, activation="sigmoid", name="a")(hidden),
                "b": keras.layers.Dense(3, activation="softmax", name="b")(hidden),
            }
            model = keras.Model(inputs, heads)
            model.compile(
                optimizer="adam",
                loss={"a": "binary_crossentropy", "b": "sparse_categorical_crossentropy"},
                weighted_metrics={"a": ["accuracy"], "b": ["accuracy"]},
            )
        elif outputs == "list":
            heads = [
                keras.layers.Dense(1, activation="sigmoid", name="a")(hidden),
                keras.layers.Dense(3, activation="softmax", name="b")(hidden),
            ]
            model = keras.Model(inputs, heads)
            model.compile(optimizer="adam", loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
        elif outputs == "multilabel":
            model = keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(hidden))
            model.compile(optimizer="adam", loss=ElementwiseBinaryCrossentropy())
        return model


def sequence_model(seed=1, timesteps=5, classes=3):
    with seeded(seed):
        inputs = keras.Input((timesteps, N_FEATURES))
        hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(hidden))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model


def keras_fit(model, X, y, w=None, validation_data=None, epochs=EPOCHS, **kwargs):
    kwargs.setdefault("shuffle", False)
    return model.fit(
        X, y, sample_weight=w, batch_size=BATCH, epochs=epochs, verbose=0, validation_data=validation_data, **kwargs
    ).history


def run(model, x, y=None, sample_weight=None, validation_data=None, **plan):
    """``_loop.train`` on these rows, with a ``TrainPlan`` of ``plan``."""
    plan.setdefault("epochs", 1)
    return train(model, TrainData(x, y, sample_weight, validation_data), TrainPlan(**plan))


def blockers(model, x, y=None, sample_weight=None, callbacks=None):
    return fast_path_blockers(model, TrainData(x, y, sample_weight), TrainPlan(epochs=1, callbacks=callbacks or []))


def assert_same_history(fast, keras_history, rtol=RTOL):
    assert set(fast) == set(keras_history)
    for name in keras_history:
        assert len(fast[name]) == len(keras_history[name]), name
        np.testing.assert_allclose(fast[name], keras_history[name], rtol=rtol, atol=ATOL, err_msg=name)


def weights_equal(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b))


class Recorder(keras.callbacks.Callback):
    """Records the epoch-level calls, their logs and the weights after each epoch."""

    def __init__(self):
        super().__init__()
        self.calls, self.weights = [], {}

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", None))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))
        self.weights[epoch] = self.model.get_weights()

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", dict(logs or {})))


class BatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


class ExactOrder:
    """An order provider with the rows of each epoch given in advance."""

    def __init__(self, orders):
        self.orders = orders

    def __call__(self, epoch):
        return self.orders[epoch]


# --------------------------------------------------------------------------- #
# the same numbers as Model.fit
# --------------------------------------------------------------------------- #
def test_history_equals_model_fit_without_shuffle():
    X, y, w = make_data()
    Xv, yv, wv = make_data(80, seed=5)
    reference = keras_fit(mlp(), X, y, w, validation_data=(Xv, yv, wv))
    history = run(mlp(), X, y, w, validation_data=(Xv, yv, wv), epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    assert history.training_loop == ("fast" if FAST else "keras")
    assert set(reference) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert_same_history(history.history, reference)


def test_final_weights_equal_model_fit_without_shuffle():
    X, y, w = make_data()
    a, b = mlp(), mlp()
    keras_fit(a, X, y, w)
    run(b, X, y, w, epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    for u, v in zip(a.get_weights(), b.get_weights()):
        # a weight moves by about learning_rate per step, and differs by RTOL-sized relative gradient differences
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-3 * EPOCHS * STEPS * RTOL)


def test_partial_last_batch_and_unweighted():
    X, y, _ = make_data(N_ROWS + 7)  # a last batch of 7 + N_ROWS % BATCH rows
    reference = keras_fit(mlp(), X, y)
    history = run(mlp(), X, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    assert_same_history(history.history, reference)


def test_multi_output_dict_and_list_targets():
    X, y, w = make_data()
    y3 = (X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 0.5)
    Xv, yv, wv = make_data(60, seed=3)
    yv3 = (Xv[:, 2] > 0).astype(np.int64) + (Xv[:, 3] > 0.5)
    weights = {"a": w, "b": np.where(y3 == 2, 4.0, 1.0).astype(np.float32)}
    val = (Xv, {"a": yv, "b": yv3}, {"a": wv, "b": wv})
    reference = keras_fit(mlp(outputs="dict"), X, {"a": y, "b": y3}, weights, validation_data=val)
    history = run(
        mlp(outputs="dict"), X, {"a": y, "b": y3}, weights, validation_data=val, epochs=EPOCHS, batch_size=BATCH,
        shuffle=False,
    )  # fmt: skip
    assert {"loss", "val_loss", "a_accuracy", "val_b_accuracy"} <= set(reference)
    assert_same_history(history.history, reference)
    # a list target, one weight array for both outputs (Keras applies it to each)
    reference = keras_fit(mlp(outputs="list"), X, [y, y3], w)
    history = run(mlp(outputs="list"), X, [y, y3], w, epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    assert_same_history(history.history, reference)


def test_elementwise_weights_multilabel_and_sequence():
    X, y, _ = make_data()
    rng = np.random.default_rng(2)
    Y = np.stack([y, (X[:, 2] > 0), (X[:, 3] > 1)], axis=1).astype(np.float32)
    W = rng.uniform(0.0, 2.0, size=Y.shape).astype(np.float32)  # one weight per label
    reference = keras_fit(mlp(outputs="multilabel"), X, Y, W)
    history = run(mlp(outputs="multilabel"), X, Y, W, epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    assert_same_history(history.history, reference)
    # the weights do reach the labels: other weights, other losses
    other = run(mlp(outputs="multilabel"), X, Y, W[:, ::-1].copy(), epochs=1, batch_size=BATCH, shuffle=False)
    assert abs(other.history["loss"][0] - history.history["loss"][0]) > 100 * RTOL

    Xs = rng.normal(size=(120, 5, N_FEATURES)).astype(np.float32)
    ys = (Xs[..., 0] > 0).astype(np.int64) + (Xs[..., 1] > 1)
    Ws = (rng.uniform(size=(120, 5)) > 0.3).astype(np.float32)  # padded timesteps weigh 0
    reference = keras_fit(sequence_model(), Xs, ys, Ws)
    history = run(sequence_model(), Xs, ys, Ws, epochs=EPOCHS, batch_size=BATCH, shuffle=False)
    assert_same_history(history.history, reference)


# --------------------------------------------------------------------------- #
# callbacks and early stopping
# --------------------------------------------------------------------------- #
def test_early_stopping_restores_the_best_epoch():
    X, y, w = make_data()
    # validation rows whose labels contradict the training rows: the better the
    # fit, the worse the validation loss, after the first epoch or two
    val = (X[:100], 1 - y[:100], w[:100])
    model, recorder = mlp(), Recorder()
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = run(
        model, X, y, w, validation_data=val, epochs=50, batch_size=BATCH, seed=0, callbacks=[recorder, stopper]
    )
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) == best + 3 < 50  # patience 2: two epochs without improvement, then stop
    assert stopper.stopped_epoch == len(val_loss) - 1
    assert weights_equal(model.get_weights(), recorder.weights[best])
    assert not weights_equal(model.get_weights(), recorder.weights[len(val_loss) - 1])


def test_callbacks_get_epoch_calls_with_the_history_logs():
    X, y, w = make_data()
    Xv, yv, wv = make_data(50, seed=4)
    recorder = Recorder()
    history = run(
        mlp(), X, y, w, validation_data=(Xv, yv, wv), epochs=5, initial_epoch=2, batch_size=BATCH, seed=0,
        callbacks=[recorder],
    )  # fmt: skip
    assert [c[:2] for c in recorder.calls] == [
        ("train_begin", None),
        ("epoch_begin", 2),
        ("epoch_end", 2),
        ("epoch_begin", 3),
        ("epoch_end", 3),
        ("epoch_begin", 4),
        ("epoch_end", 4),
        ("train_end", recorder.calls[-1][1]),
    ]
    ends = [c[2] for c in recorder.calls if c[0] == "epoch_end"]
    assert all(set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"} for logs in ends)
    for name, values in history.history.items():
        assert values == [logs[name] for logs in ends]
        assert all(isinstance(v, float) for v in values)
    assert recorder.calls[-1][1] == ends[-1]
    assert recorder.params["epochs"] == 5 and recorder.params["steps"] == STEPS


def test_stop_training_from_an_epoch_callback():
    X, y, w = make_data()

    class StopAfter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    history = run(mlp(), X, y, w, epochs=10, batch_size=BATCH, callbacks=[StopAfter()], seed=0)
    assert len(history.history["loss"]) == 2


def test_a_learning_rate_set_by_a_callback_reaches_the_steps():
    X, y, w = make_data()
    recorder = Recorder()
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.0 if epoch >= 2 else 1e-3)
    history = run(mlp(), X, y, w, epochs=4, batch_size=BATCH, seed=0, callbacks=[schedule, recorder])
    assert history.history["learning_rate"][2:] == [0.0, 0.0]
    assert not weights_equal(recorder.weights[0], recorder.weights[1])  # epoch 1 at 1e-3 moves the weights
    # the scheduler sets 0 at the start of epoch 2: epochs 2 and 3 move nothing
    assert weights_equal(recorder.weights[1], recorder.weights[2]) and weights_equal(
        recorder.weights[2], recorder.weights[3]
    )


def test_batch_level_callbacks_use_model_fit():
    X, y, w = make_data()
    counter = BatchCounter()
    history = run(mlp(), X, y, w, epochs=2, batch_size=BATCH, callbacks=[counter], seed=0)
    assert history.training_loop == "keras"
    assert counter.batches == 2 * STEPS
    if FAST:
        assert "BatchCounter overrides on_train_batch_end" in history.fallback_reason
    # a LambdaCallback at epoch level, the progress bar and per-epoch checkpoints keep the fast path
    ends = []
    lam = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(epoch))
    assert blockers(mlp(), X, y, w, callbacks=[lam, keras.callbacks.ProgbarLogger()]) == (
        [] if FAST else [blockers(mlp(), X, y)[0]]
    )
    lam_batch = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert any("LambdaCallback" in r for r in blockers(mlp(), X, y, w, callbacks=[lam_batch]))
    history = run(mlp(), X, y, w, epochs=2, batch_size=BATCH, callbacks=[lam], seed=0)
    assert ends == [0, 1] and history.training_loop == ("fast" if FAST else "keras")


def test_checkpoints_per_epoch_keep_the_fast_path(tmp_path):
    X, y, w = make_data()
    per_epoch = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="loss", save_best_only=True)
    per_batch = keras.callbacks.ModelCheckpoint(str(tmp_path / "often.keras"), save_freq=3)
    assert not any("ModelCheckpoint" in r for r in blockers(mlp(), X, y, w, callbacks=[per_epoch]))
    assert any("ModelCheckpoint" in r for r in blockers(mlp(), X, y, w, callbacks=[per_batch]))
    history = run(mlp(), X, y, w, epochs=2, batch_size=BATCH, seed=0, callbacks=[per_epoch])
    assert history.training_loop == ("fast" if FAST else "keras") and (tmp_path / "best.keras").exists()


def test_verbose_prints_one_line_per_epoch_on_the_fast_path(capsys):
    X, y, w = make_data()
    history = run(mlp(), X, y, w, epochs=2, batch_size=BATCH, verbose=2, seed=0)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and out.count("loss:") == 2
    assert history.training_loop == ("fast" if FAST else "keras")


# --------------------------------------------------------------------------- #
# seeds, orders, warm starts
# --------------------------------------------------------------------------- #
def test_seeded_fits_are_equal_and_leave_global_state():
    X, y, w = make_data()
    np.random.seed(123)
    random.seed(123)
    np_state, py_state = np.random.get_state(), random.getstate()
    runs = []
    for seed in (7, 7, 8):
        model = mlp()
        history = run(model, X, y, w, epochs=3, batch_size=BATCH, shuffle=True, seed=seed)
        runs.append((history.history["loss"], model.get_weights()))
    assert runs[0][0] == runs[1][0] and weights_equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]  # another seed, other row orders
    after = np.random.get_state()
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]
    assert random.getstate() == py_state


def test_warm_start_continues_like_one_long_fit():
    X, y, w = make_data()
    whole = mlp()
    long_fit = run(whole, X, y, w, epochs=4, batch_size=BATCH, seed=3).history
    parts = mlp()
    first = run(parts, X, y, w, epochs=2, batch_size=BATCH, seed=3).history
    second = run(parts, X, y, w, epochs=4, initial_epoch=2, batch_size=BATCH, seed=3).history
    assert len(second["loss"]) == 2  # one History entry per epoch trained in this call
    if FAST:  # the row order of an epoch depends on (seed, epoch) only; Model.fit reshuffles per call
        np.testing.assert_allclose(first["loss"] + second["loss"], long_fit["loss"], rtol=RTOL, atol=ATOL)
    assert int(keras.ops.convert_to_numpy(parts.optimizer.iterations)) == 4 * STEPS  # optimizer state kept
    # partial_fit-like calls of one epoch on other rows reuse what was set up
    for epoch in range(4, 7):
        rows = slice(epoch * 20, epoch * 20 + 150 + epoch)
        history = run(parts, X[rows], y[rows], w[rows], epochs=epoch + 1, initial_epoch=epoch, batch_size=BATCH)
        assert len(history.history["loss"]) == 1


def test_order_provider_of_another_length():
    X, y, w = make_data()
    rng = np.random.default_rng(11)
    # oversample the positives, twice over, with a new order each epoch: 1.x times the rows
    positives = np.flatnonzero(y == 1)
    orders = [rng.permutation(np.concatenate([np.arange(N_ROWS), positives])) for _ in range(EPOCHS)]
    history = run(mlp(), X, y, w, epochs=EPOCHS, batch_size=BATCH, order=ExactOrder(orders))
    # the same steps as Model.fit on the rows of each epoch in that order: one fit per epoch
    model = mlp()
    reference = {"loss": [], "accuracy": []}
    for epoch, rows in enumerate(orders):
        logs = keras_fit(model, X[rows], y[rows], w[rows], epochs=epoch + 1, initial_epoch=epoch)
        for name in reference:
            reference[name] += logs[name]
    assert_same_history(history.history, reference)
    # the fallback feeds Model.fit the same batches through OrderedBatches
    counter = BatchCounter()
    fallback = run(mlp(), X, y, w, epochs=EPOCHS, batch_size=BATCH, order=ExactOrder(orders), callbacks=[counter])
    assert fallback.training_loop == "keras"
    assert counter.batches == EPOCHS * math.ceil(len(orders[0]) / BATCH)
    assert_same_history({k: fallback.history[k] for k in reference}, reference)


def test_ordered_batches_follow_the_epoch():
    X, y, w = make_data(10)
    order = ExactOrder({0: np.arange(10)[::-1], 1: np.array([3, 3, 3, 1, 1, 1, 0, 0, 9, 9])})
    batches = OrderedBatches(X, y, w, order, batch_size=4)
    assert len(batches) == 3
    np.testing.assert_array_equal(batches[0][1], y[[9, 8, 7, 6]])
    batches.epoch = 1
    xb, yb, wb = batches[2]
    np.testing.assert_array_equal(xb, X[[9, 9]])
    np.testing.assert_array_equal(wb, w[[9, 9]])


def test_bad_orders_are_refused():
    X, y, w = make_data()
    grows = ExactOrder({0: np.arange(N_ROWS), 1: np.arange(N_ROWS + 1) % N_ROWS})
    with pytest.raises(ValueError, match="gave 301 rows"):
        run(mlp(), X, y, w, epochs=2, batch_size=BATCH, order=grows)
    with pytest.raises(ValueError, match="outside"):
        run(mlp(), X, y, w, epochs=1, batch_size=BATCH, order=lambda epoch: np.array([0, N_ROWS]))
    with pytest.raises(ValueError, match="no rows"):
        run(mlp(), X, y, w, epochs=1, batch_size=BATCH, order=lambda epoch: np.array([], dtype=int))


def test_row_order():
    assert RowOrder(4, shuffle=False)(9).tolist() == [0, 1, 2, 3]
    seeded_order = RowOrder(50, seed=1)
    assert seeded_order(0).tolist() == RowOrder(50, seed=1)(0).tolist() != seeded_order(1).tolist()
    assert sorted(RowOrder(50)(0)) == list(range(50))


# --------------------------------------------------------------------------- #
# when the loop hands over to Model.fit, and what it keeps
# --------------------------------------------------------------------------- #
def test_resolve_training_loop():
    assert resolve_training_loop("auto", default_model=True) == "fast"
    assert resolve_training_loop("auto", default_model=False) == "keras"
    assert resolve_training_loop("keras", default_model=True) == "keras"
    assert resolve_training_loop("fast", default_model=False) == "fast"
    with pytest.raises(ValueError, match="training_loop"):
        resolve_training_loop("fastest", default_model=True)


def test_inputs_and_models_the_loop_cannot_take_use_model_fit():
    X, y, w = make_data()
    assert run(mlp(), X, y, w, epochs=1, batch_size=BATCH, loop="keras").training_loop == "keras"
    eager = mlp()
    eager.run_eagerly = True
    assert any("run_eagerly" in r for r in blockers(eager, X, y, w))
    assert any("not an array" in r for r in blockers(mlp(), X, iter([y])))
    assert any("different numbers of rows" in r for r in blockers(mlp(), X, y[:-1])) or not FAST
    history = run(eager, X, y, w, epochs=1, batch_size=BATCH)
    assert history.training_loop == "keras" and len(history.history["loss"]) == 1


@pytest.mark.skipif(backend_name() != "tensorflow", reason="the log check runs at trace time on TensorFlow")
def test_custom_train_step_with_other_logs_uses_model_fit():
    class Custom(keras.Model):
        def train_step(self, data):
            logs = super().train_step(data)
            return {"loss": logs["loss"], "twice": 2 * logs["loss"]}

    X, y, w = make_data()
    with seeded(1):
        inputs = keras.Input((N_FEATURES,))
        model = Custom(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = run(model, X, y, w, epochs=2, batch_size=BATCH)
    assert history.training_loop == "keras" and "logs other than its metrics" in history.fallback_reason
    assert "twice" in history.history


@pytest.mark.skipif(not FAST, reason="the fast path only")
def test_the_set_up_is_reused_and_never_keeps_a_model_alive():
    from skweight import _backend

    X, y, w = make_data()
    model = mlp()
    run(model, X, y, w, epochs=1, batch_size=BATCH)
    run(model, X[:100], y[:100], w[:100], epochs=2, initial_epoch=1, batch_size=BATCH)
    assert len(_backend._EPOCH_FUNCTIONS[model]) == 1  # other rows, the same set-up
    optimizer = model.optimizer
    model.compile(optimizer="sgd", loss="binary_crossentropy")  # a recompile starts over
    run(model, X, y, w, epochs=1, batch_size=BATCH)
    assert len(_backend._EPOCH_FUNCTIONS[model]) == 1
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == STEPS
    assert model.optimizer is not optimizer
    ref = weakref.ref(model)
    del model, optimizer
    gc.collect()
    assert ref() is None
