"""skweight's training loop: Keras's own ``train_step``/``test_step``, driven one
epoch per call instead of one batch per call.

Keras's ``Model.fit`` pays, every epoch, for an epoch iterator (a ``tf.data``
pipeline on TensorFlow), a callback round trip per batch and a separate
``evaluate`` call with its own iterator for the validation rows.  On a small
table that machinery costs 10-50 times the arithmetic.  :func:`train` keeps what
``fit`` promises at epoch granularity and drops the rest:

* the arithmetic of a step is the model's own ``train_step`` (forward pass,
  ``compute_loss`` with the sample weights, the optimizer's ``apply_gradients``,
  ``compute_metrics``), so losses, metrics and their names are Keras's: the
  epoch's ``loss`` is the batch-size-weighted mean of the batch losses, the
  validation pass runs ``test_step`` and its logs get the ``val_`` prefix;
* callbacks are called through ``keras.callbacks.CallbackList`` at the epoch
  boundaries (``on_train_begin``/``end``, ``on_epoch_begin``/``end`` with the
  logs), and ``model.stop_training`` is honoured after every epoch, so
  ``EarlyStopping`` (patience in epochs, ``restore_best_weights``), ``History``,
  ``ReduceLROnPlateau``, ``LearningRateScheduler``, ``CSVLogger`` and epoch-level
  ``LambdaCallback``\\ s work unchanged;
* the rows of each epoch come from an *epoch order provider*
  ``order(epoch) -> row indices`` (by default a seeded permutation, or the rows
  in order without ``shuffle``); its length may differ from the row count
  (under- or over-sampling) but is the same every epoch.

Where that is not enough the loop hands the fit to ``Model.fit`` (see
:func:`fast_path_blockers`): a callback that overrides a batch-level hook, an
input that is not an array, a model set to run eagerly, with ``jit_compile`` or a
distribution strategy, a custom ``train_step`` whose logs are not the model's
metrics, and the JAX backend (whose ``Model.fit`` already compiles each step and
costs about as much as the work).  With a custom order provider the fallback
feeds ``Model.fit`` an :class:`OrderedBatches` dataset, so sampling works there
too.

The backend pieces (one traced function per epoch on TensorFlow, an eager loop on
PyTorch) are the functions below the ``backend pieces`` line; they are meant to
move into ``_backend.py``.
"""

from __future__ import annotations

import inspect
import math
import numbers
import weakref

import numpy as np

from ._backend import backend_name, keras, released_with, seeded

__all__ = [
    "TRAINING_LOOPS",
    "OrderedBatches",
    "RowOrder",
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


def resolve_training_loop(training_loop, default_model):
    """``"fast"`` or ``"keras"`` for the estimator's ``training_loop`` parameter.

    ``"auto"`` trains the default network (``default_model=True``) with
    :func:`train`'s loop and a model of the user's own with Keras's
    ``Model.fit``, so that code written for SciKeras keeps SciKeras's numbers.
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
def train(
    model,
    x,
    y=None,
    sample_weight=None,
    *,
    validation_data=None,
    epochs=1,
    initial_epoch=0,
    batch_size=None,
    validation_batch_size=None,
    shuffle=True,
    callbacks=None,
    seed=None,
    order=None,
    verbose=0,
    loop="fast",
):
    """Train a compiled Keras ``model`` for epochs ``initial_epoch .. epochs - 1``.

    Parameters
    ----------
    model : keras.Model
        Compiled.  Its optimizer state carries over from earlier calls (warm
        start, ``partial_fit``).
    x, y, sample_weight : arrays, or lists/dicts of arrays
        Any structure ``Model.fit`` takes for arrays; a single 1-D
        ``sample_weight`` next to a multi-output ``y`` applies to every output,
        as in Keras.  Weights may be per element (``(n, labels)``,
        ``(n, timesteps)``) where the loss keeps that shape.
    validation_data : tuple, optional
        ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``, evaluated
        after every epoch with ``test_step`` (logs ``val_loss``, ``val_<metric>``).
    epochs, initial_epoch : int
        As in ``Model.fit``: the epochs run are ``range(initial_epoch, epochs)``.
    batch_size : int, optional
        Rows per step (Keras's default, 32, when None);
        ``validation_batch_size`` defaults to it.
    shuffle : bool
        Used by the default order provider (and by ``Model.fit`` on fallback).
    callbacks : list of keras.callbacks.Callback or keras.callbacks.CallbackList
    seed : int, optional
        Everything random in the fit (the default order, Keras's seed generator,
        dropout) is drawn under ``_backend.seeded(seed)``: the same seed gives the
        same numbers, and the global random state is put back afterwards.
    order : callable, optional
        ``order(epoch) -> 1-D int array`` of row indices (repeats allowed) for
        that epoch, of the same length every epoch.  Default:
        ``RowOrder(n_rows, shuffle, seed)``.
    verbose : int or "auto"
        Keras's progress bar; on the fast path it is drawn once per epoch.
    loop : {"fast", "keras"}
        ``"keras"`` always uses ``Model.fit``; ``"fast"`` uses skweight's loop
        unless :func:`fast_path_blockers` names a reason not to.

    Returns
    -------
    keras.callbacks.History
        ``model.history``, with two extra attributes: ``training_loop``
        (``"fast"`` or ``"keras"``, what ran) and ``fallback_reason`` (None, or
        why ``Model.fit`` ran although ``loop="fast"``).
    """
    if loop not in ("fast", "keras"):
        raise ValueError(f"loop={loop!r} must be 'fast' or 'keras'.")
    batch_size = _check_batch_size(batch_size, "batch_size")
    validation_batch_size = _check_batch_size(validation_batch_size, "validation_batch_size") or batch_size
    sample_weight = _weights_per_output(y, sample_weight)
    val = _unpack_validation(validation_data)
    n_rows = _n_rows(x)
    default_order = order is None
    if default_order and n_rows is not None and isinstance(shuffle, bool):
        order = RowOrder(n_rows, shuffle=shuffle, seed=seed)
    # released_with: the gradient function TensorFlow registers per trace goes with the model
    with seeded(seed), released_with(model):
        epoch_rows = None if order is None else _EpochRows(order, n_rows, initial_epoch)
        if loop == "keras":
            reasons = ["loop='keras'"]
        else:
            reasons = fast_path_blockers(model, x, y, sample_weight, val, callbacks, shuffle=shuffle)
        runner = None
        if not reasons:
            runner, reason = _runner_for(model, batch_size, validation_batch_size, (x, y, sample_weight), val)
            if runner is None:
                reasons = [reason]
        if runner is None:
            history = _fit_with_keras(
                model, x, y, sample_weight, val, epochs, initial_epoch, batch_size, validation_batch_size,
                shuffle, callbacks, None if default_order else epoch_rows, verbose,
            )  # fmt: skip
            history.training_loop = "keras"
            history.fallback_reason = None if loop == "keras" else "; ".join(reasons)
            return history
        history = _run_epochs(model, runner, epoch_rows, epochs, initial_epoch, batch_size, callbacks, verbose)
    history.training_loop = "fast"
    history.fallback_reason = None
    return history


def _run_epochs(model, runner, epoch_rows, epochs, initial_epoch, batch_size, callbacks, verbose):
    """Keras's ``fit`` loop at epoch granularity, around ``runner(rows)``."""
    if not isinstance(callbacks, keras.callbacks.CallbackList):
        callbacks = keras.callbacks.CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            verbose=verbose,
            epochs=epochs,
            steps=math.ceil(epoch_rows.length / batch_size),
            model=model,
        )
    model.stop_training = False
    callbacks.on_train_begin()
    epoch_logs = None
    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        epoch_logs = runner(epoch_rows(epoch))
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    optimizer = getattr(model, "optimizer", None)
    if epochs > 0 and isinstance(optimizer, keras.optimizers.Optimizer):
        optimizer.finalize_variable_values(model.trainable_weights)  # what Model.fit does (EMA weights)
    callbacks.on_train_end(logs=epoch_logs)
    return model.history


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


def fast_path_blockers(model, x, y=None, sample_weight=None, validation=None, callbacks=None, shuffle=True):
    """Why :func:`train` would hand this fit to ``Model.fit``: a list of
    reasons, empty when its own loop can run.  Checks that need a trace (a
    custom ``train_step``'s logs) are made later, by the backend runner."""
    reasons = []
    backend = backend_name()
    if backend not in _RUNNERS:
        reasons.append(f"the {backend} backend trains with Model.fit (already compiled per step)")
    if not getattr(model, "compiled", False):
        reasons.append("the model is not compiled")
    if getattr(model, "run_eagerly", False):
        reasons.append("model.run_eagerly is set")
    if backend in _RUNNERS and _jit_compile(model):
        reasons.append("the model is compiled with jit_compile=True")
    if backend == "tensorflow" and _has_distribution_strategy(model):
        reasons.append("the model trains under a tf.distribute strategy")
    if backend == "torch" and _custom_steps(model):
        reasons.append("the model overrides train_step/test_step (on PyTorch the loop cannot check their logs)")
    if not isinstance(shuffle, bool):
        reasons.append(f"shuffle={shuffle!r}")
    for name, value in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        problem = _array_problem(value, name, allow_none=name != "x")
        if problem:
            reasons.append(problem)
    if not reasons and len({len(a) for a in _leaves((x, y, sample_weight))}) != 1:
        reasons.append("x, y and sample_weight have different numbers of rows")
    if validation is not None:
        val_x, val_y, val_w = validation
        for name, value in (("validation x", val_x), ("validation y", val_y), ("validation weights", val_w)):
            problem = _array_problem(value, name, allow_none=name != "validation x")
            if problem:
                reasons.append(problem)
    for cb in _callback_items(callbacks):
        hooks = [h for h in _PER_BATCH_HOOKS if _overrides(cb, h)]
        if hooks and not _runs_per_epoch(cb):
            reasons.append(f"callback {type(cb).__name__} overrides {', '.join(hooks)}")
    return reasons


# --------------------------------------------------------------------------- #
# Keras's Model.fit: the fallback
# --------------------------------------------------------------------------- #
def _fit_with_keras(
    model, x, y, sample_weight, val, epochs, initial_epoch, batch_size, val_batch_size, shuffle, callbacks, order,
    verbose,
):  # fmt: skip
    validation_data = None if val is None else (val[:2] if val[2] is None else val)
    if order is None:
        model.fit(
            x, y, sample_weight=sample_weight, batch_size=batch_size, epochs=epochs, initial_epoch=initial_epoch,
            shuffle=shuffle, callbacks=callbacks, validation_data=validation_data,
            validation_batch_size=val_batch_size, verbose=verbose,
        )  # fmt: skip
        return model.history
    batches = OrderedBatches(x, y, sample_weight, order, batch_size, initial_epoch)
    callbacks = list(_callback_items(callbacks)) + [batches.epoch_callback()]
    # shuffle=False: recent Keras (3.15, not 3.4) would otherwise shuffle the batches of a PyDataset
    model.fit(
        batches, epochs=epochs, initial_epoch=initial_epoch, shuffle=False, callbacks=callbacks,
        validation_data=validation_data, validation_batch_size=val_batch_size, verbose=verbose,
    )  # fmt: skip
    return model.history


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
        return None if name != "batch_size" else 32
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


def _jit_compile(model):
    try:
        return getattr(model, "jit_compile", False) is True
    except Exception:  # a property that needs state the model lacks
        return False


# --------------------------------------------------------------------------- #
# backend pieces (to move into _backend.py)
# --------------------------------------------------------------------------- #
# model -> list of (key, runner); runners hold the model only weakly, so the
# cache never keeps a model alive.  partial_fit and warm starts reuse the trace.
_CACHE = weakref.WeakKeyDictionary()


def _runner_for(model, batch_size, val_batch_size, data, val):
    """``(runner, None)`` where ``runner(rows) -> epoch logs`` trains one epoch
    (and validates), or ``(None, reason)`` when this model cannot take the fast
    path after all."""
    make = _RUNNERS[backend_name()]
    convert = _CONVERTERS[backend_name()]
    data = keras.tree.lists_to_tuples(tuple(keras.tree.map_structure(_as_array, v) for v in data if v is not None))
    if val is not None:
        val = keras.tree.lists_to_tuples(tuple(keras.tree.map_structure(_as_array, v) for v in val if v is not None))
    key = (
        batch_size,
        val_batch_size if val is not None else None,
        _signature(data),
        _signature(val),
    )
    state = _compiled_state(model)
    entries = _CACHE.setdefault(model, [])
    same_state = [e for e in entries if _same_objects(e[1], state)]
    epoch_fn = next((fn for entry_key, _, fn in same_state if entry_key == key), None)
    if epoch_fn is None:
        epoch_fn, reason = make(model, batch_size, val_batch_size, data, val)
        if epoch_fn is None:
            return None, reason
        entries[:] = same_state + [(key, state, epoch_fn)]  # traces of an earlier compile go
    tensors, val_tensors = convert(data), None if val is None else convert(val)
    return lambda rows: epoch_fn(rows, tensors, val_tensors), None


def _compiled_state(model):
    """What a trace depends on besides the data: a recompile makes new objects."""
    return (model.optimizer, type(model).train_step, type(model).test_step, *model.metrics)


def _same_objects(a, b):
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _signature(data):
    if data is None:
        return None
    leaves = keras.tree.flatten(data)
    shape = keras.tree.map_structure(lambda _: 0, data)
    return repr(shape), tuple((str(a.dtype), tuple(a.shape[1:])) for a in leaves)


def _epoch_logs(train_logs, val_logs):
    logs = dict(train_logs)
    logs.update({f"val_{name}": value for name, value in val_logs.items()})
    return logs


def _prebuild(model, data):
    """Create the variables that training needs before the first trace (the
    compiled loss's and metrics', the optimizer's), with public calls on two
    rows: TensorFlow traces a function twice when its first trace creates
    variables.  Leaves every metric reset and every weight as it was."""
    few = keras.tree.map_structure(lambda a: a[:2], data)
    x, y, sample_weight = (tuple(few) + (None, None))[:3]
    try:
        y_pred = model(x, training=False)
        kwargs = {"training": False} if "training" in inspect.signature(model.compute_loss).parameters else {}
        model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, **kwargs)
        model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        if model.optimizer is not None and not getattr(model.optimizer, "built", True):
            model.optimizer.build(model.trainable_variables)
    except Exception:  # noqa: BLE001 - the trace builds what is left (slower) or raises the real error
        pass
    finally:
        model.reset_metrics()


def _to_numpy(logs):
    """Logs as Python floats (arrays where a metric has several values), as
    Keras >= 3.5's ``CallbackList`` passes them on (3.4 passed tensors)."""
    result = {}
    for name, value in logs.items():
        value = keras.ops.convert_to_numpy(value)
        result[name] = float(value) if value.size == 1 else value
    return result


def _custom_steps(model):
    """Whether the model's class overrides ``train_step`` or ``test_step``."""
    kind = type(model)
    return kind.train_step is not keras.Model.train_step or kind.test_step is not keras.Model.test_step


class _LogsDiffer(Exception):
    """Keras's fit reports the model's metrics when a step's logs name the same
    metrics (always, for Keras's own steps) and the last step's logs otherwise;
    the fast path does only the former."""


def _check_log_names(step_logs, metric_logs):
    if not (isinstance(step_logs, dict) and set(step_logs) == set(metric_logs)):
        raise _LogsDiffer()


def _tf_runner(model, batch_size, val_batch_size, data, val):
    """TensorFlow: one ``tf.function`` runs a whole epoch, every step in a
    ``tf.while_loop`` over the rows of the epoch (gathered in the graph, the last
    partial batch included: the batch dimension is dynamic, so nothing is traced
    twice), then the validation pass with ``test_step``, and returns both logs.
    The input signature leaves the row counts open: a later call with other rows
    (a warm start, the next ``partial_fit``) reuses the trace."""
    import tensorflow as tf

    model_ref = weakref.ref(model)

    def spec(a):
        return tf.TensorSpec((None, *a.shape[1:]), tf.as_dtype(a.dtype))

    def run_steps(model, step, n_rows, batch, take):
        """All steps of one pass; returns the model's metrics after the last."""
        steps = (n_rows + batch - 1) // batch
        traced = []

        def body(i):
            logs = step(take(i * batch, tf.minimum((i + 1) * batch, n_rows)))
            traced.append(logs)
            with tf.control_dependencies([t for t in tf.nest.flatten(logs) if isinstance(t, tf.Tensor)]):
                return (i + 1,)

        # one iteration at a time: each step reads the weights the previous one wrote
        tf.while_loop(lambda i: i < steps, body, (tf.constant(0),), parallel_iterations=1)
        metric_logs = model.get_metrics_result()
        _check_log_names(traced[0], metric_logs)
        return metric_logs

    def train_epoch(rows, data):
        model = model_ref()
        model.reset_metrics()
        take = lambda start, stop: tf.nest.map_structure(lambda t: tf.gather(t, rows[start:stop]), data)  # noqa: E731
        return run_steps(model, model.train_step, tf.shape(rows)[0], batch_size, take)

    def epoch(rows, data):
        return train_epoch(rows, data), {}

    def epoch_and_validation(rows, data, val):
        model = model_ref()
        train_logs = train_epoch(rows, data)
        with tf.control_dependencies(tf.nest.flatten(train_logs)):
            model.reset_metrics()
        take = lambda start, stop: tf.nest.map_structure(lambda t: t[start:stop], val)  # noqa: E731
        n_val = tf.shape(tf.nest.flatten(val)[0])[0]
        return train_logs, run_steps(model, model.test_step, n_val, val_batch_size, take)

    signature = [tf.TensorSpec((None,), tf.int64), tf.nest.map_structure(spec, data)]
    if val is not None:
        signature.append(tf.nest.map_structure(spec, val))
    fn = tf.function(
        epoch if val is None else epoch_and_validation,
        input_signature=signature,
        autograph=False,
        reduce_retracing=True,
    )
    _prebuild(model, data)
    try:
        fn.get_concrete_function()
    except _LogsDiffer:
        return None, "the model's train_step/test_step returns logs other than its metrics"

    def run(rows, tensors, val_tensors):
        args = (tf.convert_to_tensor(rows, tf.int64), tensors) + (() if val_tensors is None else (val_tensors,))
        train_logs, val_logs = fn(*args)
        return _epoch_logs(_to_numpy(train_logs), _to_numpy(val_logs))

    return run, None


def _tf_tensors(data):
    import tensorflow as tf

    return tf.nest.map_structure(tf.convert_to_tensor, data)


def _torch_runner(model, batch_size, val_batch_size, data, val):
    """PyTorch: Keras's eager steps on slices of tensors made once per fit
    (``Model.fit`` converts every batch from NumPy), with Keras's module modes
    (``train()`` for the epoch, ``eval()`` and ``no_grad`` for validation)."""
    import torch

    model_ref = weakref.ref(model)

    def run(rows, tensors, val_tensors):
        model = model_ref()
        model.reset_metrics()
        model.train()
        index = torch.as_tensor(rows, device=_torch_device(tensors))
        for start in range(0, len(rows), batch_size):
            model.train_step(_torch_rows(tensors, index[start : start + batch_size]))
        train_logs = _to_numpy(model.get_metrics_result())
        model.eval()
        val_logs = {}
        if val_tensors is not None:
            model.reset_metrics()
            n_val = len(keras.tree.flatten(val_tensors)[0])
            with torch.no_grad():
                for start in range(0, n_val, val_batch_size):
                    model.test_step(_torch_rows(val_tensors, slice(start, start + val_batch_size)))
            val_logs = _to_numpy(model.get_metrics_result())
        return _epoch_logs(train_logs, val_logs)

    return run, None


def _torch_tensors(data):
    return keras.tree.map_structure(keras.ops.convert_to_tensor, data)


def _torch_rows(tensors, rows):
    return keras.tree.map_structure(lambda t: t[rows], tensors)


def _torch_device(tensors):
    return keras.tree.flatten(tensors)[0].device


def _has_distribution_strategy(model):
    import tensorflow as tf

    if tf.distribute.has_strategy():
        return True
    strategy = getattr(model, "distribute_strategy", None)
    return strategy is not None and strategy is not tf.distribute.get_strategy()


_RUNNERS = {"tensorflow": _tf_runner, "torch": _torch_runner}
_CONVERTERS = {"tensorflow": _tf_tensors, "torch": _torch_tensors}
