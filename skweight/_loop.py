"""The training itself: :func:`train`, the one place where a fit's model is
trained (step 8 of :func:`skweight._fit.fit`).

Everything a fit decided before it (the rows, the weights, the validation
data, the epochs, early stopping, the batch size, the seed, the epoch order)
arrives as two plain objects, :class:`TrainData` and :class:`TrainPlan`;
:func:`train` returns Keras's ``History``.

Keras's ``Model.fit`` pays, every epoch, for an epoch iterator (a ``tf.data``
pipeline on TensorFlow), a callback round trip per batch and a separate
``evaluate`` call for the validation rows.  On a small table that machinery
costs 10-50 times the arithmetic.  skweight's loop (``plan.loop="fast"``) keeps
what ``fit`` promises at epoch granularity and drops the rest:

* a step is the model's own ``train_step`` (forward pass, ``compute_loss`` with
  the sample weights, the optimizer's ``apply_gradients``, ``compute_metrics``),
  so losses, metrics and their names are Keras's: the epoch's ``loss`` is the
  batch-size-weighted mean of the batch losses, the validation pass runs
  ``test_step`` and its logs get the ``val_`` prefix;
* callbacks are called through ``keras.callbacks.CallbackList`` at the epoch
  boundaries (``on_train_begin``/``end``, ``on_epoch_begin``/``end`` with the
  logs), and ``model.stop_training`` is honoured after every epoch, so
  ``EarlyStopping`` (patience in epochs, ``restore_best_weights``), ``History``,
  ``ReduceLROnPlateau``, ``LearningRateScheduler``, ``CSVLogger``, per-epoch
  ``ModelCheckpoint`` and epoch-level ``LambdaCallback``\\ s work unchanged;
* the rows of each epoch come from an *epoch order provider*
  ``order(epoch) -> row indices`` (``plan.order``; by default :class:`RowOrder`,
  a permutation seeded by ``(seed, epoch)``, or the rows in order without
  ``shuffle``); its length may differ from the row count (under- or
  over-sampling) but is the same every epoch.

How one epoch runs is backend-specific and lives in :mod:`skweight._backend`
(:func:`~skweight._backend.epoch_runner`: one traced function per epoch on
TensorFlow, an eager loop over tensors on PyTorch).  Where the loop cannot
keep ``fit``'s promises (:func:`fast_path_blockers`: a batch-level callback, an
input that is not an array, ``run_eagerly``, ``jit_compile``, a distribution
strategy, ``Model.fit`` arguments it does not take, the JAX backend, whose
``Model.fit`` already costs about what the work does) :func:`train` calls
``Model.fit``: with the arrays as today when the order is the default one, or
with an :class:`OrderedBatches` dataset that follows ``plan.order``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ._backend import backend_blockers, epoch_runner, keras, released_with, seeded

__all__ = [
    "TRAINING_LOOPS",
    "OrderedBatches",
    "RowOrder",
    "TrainData",
    "TrainPlan",
    "fast_path_blockers",
    "resolve_training_loop",
    "train",
]

#: Values of the estimator's ``training_loop`` parameter.
TRAINING_LOOPS = ("auto", "fast", "keras")

# Callback hooks that Keras's fit calls per batch or around the validation pass;
# a callback overriding one needs Model.fit, which calls them.
_PER_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
)

# Model.fit arguments the loop takes as they are when they have these values;
# any other value of them (or any other argument) means Model.fit.
_NEUTRAL_FIT_ARGS = {
    "validation_split": 0.0,
    "validation_steps": None,
    "validation_freq": 1,
    "steps_per_epoch": None,
    "class_weight": None,
}


@dataclass
class TrainData:
    """The rows one fit trains on, in the structure the model declares.

    ``x``: the features (an array, or the list or dict of arrays a feature
    encoder gives a multi-input model); ``y``: the encoded targets (an array,
    or a list or dict in the model's output structure); ``sample_weight``:
    Keras sample weights in the structure of ``y`` (None when nothing weighs
    the rows; one array next to a multi-output ``y`` weighs every output);
    ``validation``: ``(x_val, y_val, w_val)`` in the same structures, or None.
    """

    x: object
    y: object
    sample_weight: object = None
    validation: tuple | None = None


@dataclass
class TrainPlan:
    """How one fit trains.

    ``epochs`` is the epoch to stop at (Keras's ``epochs``: the fit's
    ``initial_epoch`` plus the epochs it trains); ``batch_size`` (None:
    Keras's 32) and ``validation_batch_size`` (None: ``batch_size``);
    ``callbacks`` are the user's followed by the ones skweight adds (early
    stopping); ``seed`` (None: unseeded) seeds the block as
    :func:`skweight._backend.seeded` does, and the default order; ``order`` is
    the epoch order provider, ``order(epoch) -> 1-D int array`` of row indices
    with the same length every epoch (None: :class:`RowOrder` of all rows,
    shuffled when ``shuffle``); ``loop`` is ``"fast"`` (skweight's loop where
    :func:`fast_path_blockers` finds nothing against it) or ``"keras"``
    (always ``Model.fit``); ``fit_args`` are the other arguments of
    ``keras.Model.fit``, routed from the estimator's parameters and ``fit``'s
    keywords as SciKeras routes them (``validation_freq``, ...).
    """

    epochs: int
    initial_epoch: int = 0
    batch_size: int | None = None
    validation_batch_size: int | None = None
    shuffle: bool = True
    verbose: int = 0
    callbacks: list = field(default_factory=list)
    seed: int | None = None
    order: object = None
    loop: str = "fast"
    fit_args: dict = field(default_factory=dict)


def resolve_training_loop(training_loop, default_model):
    """``"fast"`` or ``"keras"`` for the estimator's ``training_loop`` parameter.

    ``"auto"`` trains the default network (``default_model=True``) with
    skweight's loop and a model of the user's own with Keras's ``Model.fit``,
    so that code written for SciKeras keeps SciKeras's numbers.
    """
    if training_loop == "auto":
        return "fast" if default_model else "keras"
    if training_loop in ("fast", "keras"):
        return training_loop
    raise ValueError(f"training_loop={training_loop!r} must be one of {', '.join(map(repr, TRAINING_LOOPS))}.")


class RowOrder:
    """The default epoch order provider: all ``n_rows`` rows each epoch, in a new
    random order when ``shuffle`` (else in order).

    With an int ``seed`` the order of epoch ``e`` depends on ``(seed, e)`` only,
    so a warm start or a ``partial_fit`` that continues at ``initial_epoch=e``
    gets the order a single long fit would have had.  With ``seed=None`` the
    orders come from a generator seeded from fresh entropy when the provider is
    made.  Either way no global random state is read or changed.

    >>> RowOrder(5, shuffle=False)(3)
    array([0, 1, 2, 3, 4])
    >>> order = RowOrder(5, seed=0)
    >>> bool((order(1) == order(1)).all()), sorted(order(1).tolist())
    (True, [0, 1, 2, 3, 4])
    """

    def __init__(self, n_rows, shuffle=True, seed=None):
        self.n_rows = int(n_rows)
        self.shuffle = bool(shuffle)
        self.seed = None if seed is None else int(seed)
        self._rng = np.random.default_rng() if seed is None else None

    def __len__(self):
        return self.n_rows

    def __call__(self, epoch):
        if not self.shuffle:
            return np.arange(self.n_rows)
        rng = self._rng if self.seed is None else np.random.default_rng((self.seed, int(epoch)))
        return rng.permutation(self.n_rows)


# --------------------------------------------------------------------------- #
# the entry point
# --------------------------------------------------------------------------- #
def train(model, data, plan):
    """Train the compiled ``model`` on ``data`` as ``plan`` says, for epochs
    ``plan.initial_epoch .. plan.epochs - 1``; returns the ``History``.

    The model's optimizer state carries over from earlier calls (warm start,
    ``partial_fit``).  Everything random (the default order, Keras's seed
    generator, dropout) is drawn under ``_backend.seeded(plan.seed)``: the same
    seed gives the same numbers, and the global random state is put back
    afterwards; the gradient functions TensorFlow registers per trace go with
    the model (:func:`skweight._backend.released_with`).

    The ``History`` carries two more attributes: ``training_loop`` (``"fast"``
    or ``"keras"``, what ran) and ``fallback_reason`` (None, or why
    ``Model.fit`` ran although ``plan.loop="fast"``).
    """
    if plan.loop not in ("fast", "keras"):
        raise ValueError(f"loop={plan.loop!r} must be 'fast' or 'keras'.")
    batch_size = _check_batch_size(plan.batch_size, "batch_size") or 32
    val_batch_size = _check_batch_size(plan.validation_batch_size, "validation_batch_size") or batch_size
    n_rows = _n_rows(data.x)
    order = plan.order
    if order is None and n_rows is not None and isinstance(plan.shuffle, bool):
        order = RowOrder(n_rows, shuffle=plan.shuffle, seed=plan.seed)
    elif order is not None and n_rows is None:
        raise ValueError("An epoch order provider needs x as arrays (or lists/dicts of arrays) with rows.")
    with seeded(plan.seed), released_with(model):
        epoch_rows = None if order is None else _EpochRows(order, n_rows, plan.initial_epoch)
        reasons = ["loop='keras'"] if plan.loop == "keras" else fast_path_blockers(model, data, plan)
        runner = None
        if not reasons:
            runner, reason = _runner(model, data, batch_size, val_batch_size)
            reasons = [] if runner is not None else [reason]
        if runner is None:
            history = _fit_with_keras(model, data, plan, None if plan.order is None else epoch_rows)
            history.training_loop = "keras"
            history.fallback_reason = None if plan.loop == "keras" else "; ".join(reasons)
            return history
        history = _run_epochs(model, runner, epoch_rows, plan, batch_size)
    history.training_loop = "fast"
    history.fallback_reason = None
    return history


def _runner(model, data, batch_size, val_batch_size):
    """The backend's epoch runner for these rows (see :func:`~skweight._backend.epoch_runner`)."""
    arrays = [data.x, data.y, _filled(_weights_per_output(data.y, data.sample_weight), data.x)]
    val = _unpack_validation(data.validation)
    val = None if val is None else (val[0], val[1], _filled(val[2], val[0]))
    as_arrays = lambda parts: tuple(keras.tree.map_structure(_as_array, v) for v in parts if v is not None)  # noqa: E731
    return epoch_runner(model, batch_size, val_batch_size, as_arrays(arrays), None if val is None else as_arrays(val))


def _run_epochs(model, runner, epoch_rows, plan, batch_size):
    """Keras's ``fit`` loop at epoch granularity, around ``runner(rows)``."""
    given = _callback_items(plan.callbacks)
    history = next((cb for cb in given if isinstance(cb, keras.callbacks.History)), None)
    if history is None:
        history = keras.callbacks.History()
        given.append(history)
    callbacks = keras.callbacks.CallbackList(
        given,
        add_progbar=plan.verbose != 0,
        verbose=plan.verbose,
        epochs=plan.epochs,
        steps=math.ceil(epoch_rows.length / batch_size),
        model=model,
    )
    model.stop_training = False
    callbacks.on_train_begin()
    epoch_logs = None
    for epoch in range(plan.initial_epoch, plan.epochs):
        callbacks.on_epoch_begin(epoch)
        epoch_logs = runner(epoch_rows(epoch))
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    optimizer = getattr(model, "optimizer", None)
    if plan.epochs > plan.initial_epoch and isinstance(optimizer, keras.optimizers.Optimizer):
        optimizer.finalize_variable_values(model.trainable_weights)  # what Model.fit does (EMA weights)
    callbacks.on_train_end(logs=epoch_logs)
    return history


class _EpochRows:
    """An order provider, checked: each epoch's rows drawn once, 1-D integer
    indices of existing rows, the same number every epoch (known before the
    first epoch: ``len(order)`` where the provider has it, else the length of
    the first epoch's order, drawn up front)."""

    def __init__(self, order, n_rows, initial_epoch):
        self._order, self._n_rows = order, n_rows
        self._epoch, self._rows, self.length = None, None, None
        self.length = len(order) if hasattr(order, "__len__") else len(self(initial_epoch))
        if self.length == 0:
            raise ValueError("The order provider gives no rows: nothing to train on.")

    def __call__(self, epoch):
        if epoch != self._epoch:
            self._rows = _check_rows(self._order(epoch), self._n_rows, self.length)
            self._epoch = epoch
        return self._rows


def fast_path_blockers(model, data, plan=None):
    """Why :func:`train` would hand this fit to ``Model.fit``: a list of
    reasons, empty when its own loop can run.  Checks that need a trace (a
    custom ``train_step``'s logs) are made later, by the backend's runner."""
    plan = TrainPlan(epochs=1) if plan is None else plan
    reasons = backend_blockers(model)
    if not isinstance(plan.shuffle, bool):
        reasons.append(f"shuffle={plan.shuffle!r}")
    other = sorted(k for k, v in plan.fit_args.items() if k not in _NEUTRAL_FIT_ARGS or v != _NEUTRAL_FIT_ARGS[k])
    if other:
        reasons.append(f"Model.fit arguments the loop does not take: {', '.join(other)}")
    sample_weight = _weights_per_output(data.y, data.sample_weight)
    for name, value in (("x", data.x), ("y", data.y), ("sample_weight", sample_weight)):
        problem = _array_problem(value, name, allow_none=name != "x")
        if problem:
            reasons.append(problem)
    if not reasons and len({len(a) for a in _leaves((data.x, data.y, sample_weight))}) != 1:
        reasons.append("x, y and sample_weight have different numbers of rows")
    val = _unpack_validation(data.validation)
    for name, value in zip(("validation x", "validation y", "validation weights"), val or ()):
        problem = _array_problem(value, name, allow_none=name != "validation x")
        if problem:
            reasons.append(problem)
    for cb in _callback_items(plan.callbacks):
        hooks = [h for h in _PER_BATCH_HOOKS if _overrides(cb, h)]
        if hooks and not _runs_per_epoch(cb):
            reasons.append(f"callback {type(cb).__name__} overrides {', '.join(hooks)}")
    return reasons


# --------------------------------------------------------------------------- #
# Keras's Model.fit: the fallback
# --------------------------------------------------------------------------- #
def _fit_with_keras(model, data, plan, order):
    """``Model.fit`` with the plan's arguments: on the arrays (Keras shuffles)
    when ``order`` is None, else on the :class:`OrderedBatches` of ``order``."""
    val = data.validation
    validation_data = None if val is None else (tuple(val[:2]) if len(val) < 3 or val[2] is None else tuple(val))
    common = dict(
        epochs=plan.epochs,
        initial_epoch=plan.initial_epoch,
        verbose=plan.verbose,
        validation_data=validation_data,
        validation_batch_size=plan.validation_batch_size,
        **plan.fit_args,
    )
    if order is None:
        history = model.fit(
            data.x, data.y, sample_weight=data.sample_weight, batch_size=plan.batch_size, shuffle=plan.shuffle,
            callbacks=plan.callbacks, **common,
        )  # fmt: skip
    else:
        batches = OrderedBatches(data.x, data.y, data.sample_weight, order, plan.batch_size or 32, plan.initial_epoch)
        callbacks = _callback_items(plan.callbacks) + [batches.epoch_callback()]
        # shuffle=False: recent Keras (3.15, not 3.4) would otherwise shuffle the batches of a PyDataset
        history = model.fit(batches, shuffle=False, callbacks=callbacks, **common)
    return history if history is not None else keras.callbacks.History()


class OrderedBatches(keras.utils.PyDataset):
    """The batches of an epoch order provider, for ``Model.fit``.

    ``len()`` is the steps per epoch; batch ``i`` holds the rows
    ``order(epoch)[i * batch_size:(i + 1) * batch_size]`` of ``x``, ``y`` and
    ``sample_weight``.  The epoch is set by the callback of
    :meth:`epoch_callback` (Keras calls a dataset's own epoch hooks a different
    number of times in different releases), and each epoch's order is drawn once.
    """

    def __init__(self, x, y, sample_weight, order, batch_size, initial_epoch=0):
        super().__init__()
        self._data = tuple(v for v in (x, y, sample_weight) if v is not None)
        if not isinstance(order, _EpochRows):
            order = _EpochRows(order, _n_rows(x), initial_epoch)
        self._rows = order
        self._batch_size = int(batch_size)
        self.epoch = int(initial_epoch)

    def __len__(self):
        return math.ceil(self._rows.length / self._batch_size)

    def __getitem__(self, index):
        rows = self._rows(self.epoch)[index * self._batch_size : (index + 1) * self._batch_size]
        return keras.tree.map_structure(lambda a: _take_rows(a, rows), self._data)

    def epoch_callback(self):
        """A callback that tells this dataset which epoch ``Model.fit`` is in."""
        dataset = self

        class _SetEpoch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                dataset.epoch = epoch

        return _SetEpoch()


# --------------------------------------------------------------------------- #
# checks and conversions
# --------------------------------------------------------------------------- #
def _check_batch_size(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive int.")
    return int(value)


def _leaves(structure):
    return [leaf for leaf in keras.tree.flatten(structure) if leaf is not None]


def _n_rows(x):
    leaves = _leaves(x)
    try:
        return len(leaves[0]) if leaves else None
    except TypeError:
        return None


def _weights_per_output(y, sample_weight):
    """One weight array next to a multi-output ``y`` weighs every output, as in Keras."""
    if sample_weight is None or not keras.tree.is_nested(y) or keras.tree.is_nested(sample_weight):
        return sample_weight
    shape = getattr(sample_weight, "shape", ())
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return keras.tree.map_structure(lambda _: sample_weight, y)
    return sample_weight  # Model.fit explains what is wrong


def _filled(sample_weight, x):
    """Weights of several outputs where some are None (an output nobody weighs,
    such as a regression output): those get weights of 1, which give the same
    losses and metrics as no weights; None when none is weighed."""
    leaves = keras.tree.flatten(sample_weight) if sample_weight is not None else []
    if not any(leaf is None for leaf in leaves):
        return sample_weight
    if all(leaf is None for leaf in leaves):
        return None
    ones = np.ones(_n_rows(x), dtype=keras.backend.floatx())
    return keras.tree.map_structure(lambda w: ones if w is None else w, sample_weight)


def _unpack_validation(validation_data):
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val).")
    val_x, val_y, val_w = (tuple(validation_data) + (None,))[:3]
    return val_x, val_y, _weights_per_output(val_y, val_w)


def _is_array(leaf):
    if isinstance(leaf, np.ndarray):
        return leaf.dtype != object and leaf.ndim >= 1
    module = type(leaf).__module__ or ""
    if module.startswith("scipy.sparse") or not hasattr(leaf, "__array__") or not hasattr(leaf, "shape"):
        return False
    return len(leaf.shape) >= 1 and np.asarray(leaf).dtype != object


def _array_problem(value, name, allow_none):
    if value is None:
        return None if allow_none else f"{name} is missing"
    if not all(_is_array(leaf) for leaf in _leaves(value)):
        return f"{name} is not an array (or a list/dict of arrays)"
    return None


def _as_array(leaf):
    """A NumPy array with floats at Keras's ``floatx``, as ``Model.fit`` converts them."""
    array = np.asarray(leaf)
    if np.issubdtype(array.dtype, np.floating) and array.dtype != np.dtype(keras.backend.floatx()):
        array = array.astype(keras.backend.floatx())
    return array


def _take_rows(leaf, rows):
    if hasattr(leaf, "iloc"):  # pandas
        return _as_array(leaf.iloc[rows])
    return _as_array(np.asarray(leaf)[rows])


def _check_rows(rows, n_rows, length):
    rows = np.asarray(rows)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        raise ValueError(f"The order provider must return a 1-D array of row indices, got {rows.dtype} {rows.shape}.")
    if length is not None and len(rows) != length:
        raise ValueError(f"The order provider gave {len(rows)} rows for an epoch where it gave {length} before.")
    if len(rows) and (rows.min() < 0 or (n_rows is not None and rows.max() >= n_rows)):
        raise ValueError(f"The order provider gave row indices outside [0, {n_rows}).")
    return rows


def _callback_items(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, keras.callbacks.CallbackList):
        return list(callbacks.callbacks)
    return list(keras.tree.flatten(callbacks))


def _overrides(callback, hook):
    method = getattr(callback, hook, None)
    return getattr(method, "__func__", method) is not getattr(keras.callbacks.Callback, hook)


def _runs_per_epoch(callback):
    """Keras's own callbacks whose batch hooks do nothing at epoch granularity:
    the progress bar (drawn at each epoch's end), ``History`` and a
    ``ModelCheckpoint`` that saves per epoch."""
    kind = type(callback)
    if kind in (keras.callbacks.ProgbarLogger, keras.callbacks.History):
        return True
    return kind is keras.callbacks.ModelCheckpoint and getattr(callback, "save_freq", None) == "epoch"
