"""Keras backend glue: a quiet first import, a seeding context that leaves no
global random state changed, the release of TensorFlow's per-fit memory, and
the backend half of skweight's training loop (one traced epoch on TensorFlow,
an eager loop on PyTorch, ``Model.fit`` on JAX; see :mod:`skweight._loop`).

This is the only module that knows Keras's and TensorFlow's internals.  Every
private feature it uses is looked up, never assumed, and has a public fallback;
:func:`private_features` says which ones this installation offers (and
:func:`skweight.show_versions` reports it).
"""

import os
import random
import sys
import threading
import weakref
from contextlib import contextmanager

import numpy as np

from ._errors import BackendNotInstalledError

# The pip extra that brings in each Keras backend, for the message of a missing one.
_EXTRAS = {
    "tensorflow": 'pip install "skweight[tensorflow-cpu]" (or "skweight[tensorflow]" for GPUs)',
    "jax": 'pip install "skweight[jax]"',
    "torch": 'pip install "skweight[torch]"',
}
# top-level module a backend is imported as -> the backend's name
_BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "jaxlib": "jax", "torch": "torch"}


def _missing_backend(exc, backend):
    """A one-line :class:`BackendNotInstalledError` for ``exc`` when ``exc`` says a
    backend module is missing; None for any other missing module."""
    missing = _BACKEND_MODULES.get((exc.name or "").partition(".")[0])
    if missing is None:
        return None
    others = " or ".join(f"KERAS_BACKEND={b}" for b in _EXTRAS if b != missing)
    return BackendNotInstalledError(
        f"Keras is set to run on {missing} (KERAS_BACKEND={backend}) but {missing} is not installed "
        f"(No module named {exc.name!r}): install it with {_EXTRAS[missing]}, or choose an installed "
        f"backend with {others}."
    )


def import_keras_quietly():
    """Import Keras; if it brings TensorFlow in for the first time, keep the
    C++ start-up banners (oneDNN, CPU features) off the terminal.

    TensorFlow prints those lines before its logging is configured, so
    ``TF_CPP_MIN_LOG_LEVEL`` alone does not silence them; standard error is
    pointed at the null device for the duration of the import only.  Python
    exceptions raised by the import still propagate normally, except that a
    missing backend becomes a one-line :class:`BackendNotInstalledError` that
    names the extra to install.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    try:
        if backend == "tensorflow" and "tensorflow" not in sys.modules:
            _import_tensorflow_quietly()
        import keras
    except ModuleNotFoundError as exc:
        error = _missing_backend(exc, backend)
        if error is None:
            raise
        raise error from None
    return keras


def _import_tensorflow_quietly():
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (some embedded interpreters)
        saved = None
    if saved is None:
        import tensorflow  # noqa: F401

        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


keras = import_keras_quietly()


@contextmanager
def quiet(enabled=True):
    """Hold TensorFlow's Python logger at ERROR for the block (retracing
    notices and the like), then restore its level."""
    if not enabled or "tensorflow" not in sys.modules:
        yield
        return
    import logging

    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# --------------------------------------------------------------------------- #
# private features, looked up once, each with a public fallback
# --------------------------------------------------------------------------- #
# The slot of Keras's global SeedGenerator (what keras.random draws from when no
# seed is given): a named constant since Keras 3.13, the same literal before.
_SEED_GENERATOR_SLOT = "global_seed_generator"
_KERAS_PRIVATE = None


class _KerasPrivate:
    """What this Keras offers of the private seed state skweight saves and restores.

    ``global_state``: ``keras.src.backend.common.global_state`` (Keras's
    per-thread global attributes), or None when not found.  ``seed_slot``: where
    Keras >= 3.10 records the seed given to ``set_random_seed`` (None before).
    ``generator_slot``: where the global SeedGenerator lives.  ``seed_generator``:
    the module whose ``python_random`` attribute Keras draws unseeded layers'
    seeds from, or None when that attribute is not there.
    """

    def __init__(self, global_state=None, seed_slot=None, generator_slot=None, seed_generator=None):
        self.global_state = global_state
        self.seed_slot = seed_slot if global_state is not None else None
        self.generator_slot = generator_slot if global_state is not None else None
        self.seed_generator = seed_generator

    @classmethod
    def find(cls):
        try:
            from keras.src.backend.common import global_state
            from keras.src.random import seed_generator
            from keras.src.utils import rng_utils
        except ImportError:
            return cls()
        if not all(callable(getattr(global_state, f, None)) for f in ("get_global_attribute", "set_global_attribute")):
            global_state = None
        seed_slot = getattr(rng_utils, "GLOBAL_RANDOM_SEED", None)  # Keras >= 3.10
        generator_slot = getattr(seed_generator, "GLOBAL_SEED_GENERATOR", None)  # Keras >= 3.13
        if generator_slot is None and callable(getattr(seed_generator, "global_seed_generator", None)):
            generator_slot = _SEED_GENERATOR_SLOT  # Keras 3.0-3.12
        python_random = getattr(seed_generator, "python_random", None)
        swappable = python_random is random or isinstance(python_random, _ThreadRandom)
        return cls(global_state, seed_slot, generator_slot, seed_generator if swappable else None)

    def slots(self):
        return [s for s in (self.seed_slot, self.generator_slot) if isinstance(s, str)]


def _keras_private():
    global _KERAS_PRIVATE
    if _KERAS_PRIVATE is None:
        _KERAS_PRIVATE = _KerasPrivate.find()
    return _KERAS_PRIVATE


def _tf_private_seed_reader():
    """TensorFlow's private reader of its global seed, or None."""
    try:
        from tensorflow.python.eager import context
    except ImportError:
        return None
    reader = getattr(context, "global_seed", None)
    return reader if callable(reader) else None


def _tf_global_seed():
    """``(True, seed)`` with TensorFlow's global seed (None when unset) when
    TensorFlow is loaded; ``(False, None)`` when it is not."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return False, None
    reader = _tf_private_seed_reader()
    if reader is not None:
        return True, reader()
    # public: (global seed, op seed); in eager mode it draws one op seed, which
    # does not matter here: set_seed() starts the op seeds anew right after.
    return True, tf.compat.v1.get_seed(None)[0]


def private_features():
    """Which private Keras/TensorFlow features this installation offers.

    skweight uses each one where it is found and falls back to public APIs
    where it is not (the README's "Supported versions" section says what each
    fallback costs).

    Returns
    -------
    dict
        ``{feature: bool}`` for ``"keras_global_state"`` (Keras's global
        SeedGenerator and recorded seed are saved and restored),
        ``"keras_seed_slot"`` (Keras >= 3.10 records the seed),
        ``"keras_python_random"`` (unseeded layers draw from a generator private
        to the seeded thread), ``"tf_global_seed"`` (TensorFlow's global seed is
        read directly; else through ``tf.compat.v1.get_seed``) and
        ``"tf_gradient_registry"`` (per-fit gradient functions are released).

    Examples
    --------
    >>> from skweight._backend import private_features
    >>> sorted(private_features())  # doctest: +NORMALIZE_WHITESPACE
    ['keras_global_state', 'keras_python_random', 'keras_seed_slot', 'tf_global_seed',
     'tf_gradient_registry']
    """
    found = _keras_private()
    return {
        "keras_global_state": found.global_state is not None and found.generator_slot is not None,
        "keras_seed_slot": found.seed_slot is not None,
        "keras_python_random": found.seed_generator is not None,
        "tf_global_seed": "tensorflow" in sys.modules and _tf_private_seed_reader() is not None,
        "tf_gradient_registry": _gradient_registry() is not None,
    }


def backend_name():
    """The Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    return keras.backend.backend()


def _seed_all(seed, found):
    """What ``keras.utils.set_random_seed`` does, without importing TensorFlow
    when another backend runs (Keras's version imports it whenever it is
    installed: seconds of start-up and C++ banners for a JAX or PyTorch user).
    TensorFlow's seed is still set when TensorFlow is already loaded, since
    ``tf.data`` pipelines may shuffle with it on any backend.

    Where Keras's global state is not found, the public
    ``keras.utils.set_random_seed`` does the seeding instead."""
    if found.global_state is None:
        keras.utils.set_random_seed(seed)
        return
    if found.seed_slot is not None:
        found.global_state.set_global_attribute(found.seed_slot, seed)
    if found.generator_slot is not None:  # a fresh generator, seeded from Python's random below
        found.global_state.set_global_attribute(found.generator_slot, None)
    random.seed(seed)
    np.random.seed(seed)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)
    if backend_name() == "torch":
        import torch

        torch.manual_seed(seed)  # CPU and, lazily, every CUDA device


class _TorchRNG:
    """Snapshot of PyTorch's CPU and (when initialised) CUDA generators."""

    def __init__(self):
        import torch

        self.torch = torch
        self.cpu = torch.get_rng_state()
        self.cuda = torch.cuda.get_rng_state_all() if _cuda_initialized(torch) else None

    def restore(self):
        torch = self.torch
        torch.set_rng_state(self.cpu)
        if self.cuda is not None:
            torch.cuda.set_rng_state_all(self.cuda)
        elif _cuda_initialized(torch):
            # CUDA started inside the block, from our seed: give it a fresh,
            # non-deterministic state as an unseeded start would have had.
            torch.cuda.seed_all()


def _cuda_initialized(torch):
    return torch.cuda.is_available() and torch.cuda.is_initialized()


# Seeds live in process-wide generators (Python's, NumPy's, TensorFlow's,
# PyTorch's); two seeded blocks running at once in two threads would reseed and
# restore them under each other.  Seeded blocks therefore run one at a time in a
# process (re-entrant for the same thread).  Parallel fits belong in processes:
# joblib's loky backend, or Dask workers.
_SEED_LOCK = threading.RLock()


@contextmanager
def prediction_rng_guard():
    """Around ``predict``: on PyTorch, Keras's data loader draws from torch's
    global generator even when nothing is shuffled.  Hold the seed lock so a
    seeded fit in another thread never sees those draws, and put the generator
    back afterwards, so predicting changes no global random state."""
    if backend_name() != "torch":
        yield
        return
    import torch

    with _SEED_LOCK:
        state = torch.get_rng_state()
        try:
            yield
        finally:
            torch.set_rng_state(state)


class _ThreadRandom:
    """Stands in for the ``random`` module inside Keras's seed generator while
    a seeded block runs: the thread that owns the block draws from a private
    ``random.Random(seed)``, every other thread from the module as usual.

    Keras draws the seeds of initialisers and dropout layers that have none from
    Python's module-level generator, which all threads share; a Dask worker's
    event loop and other libraries' threads draw from it at any time, which
    would change the initial weights of a seeded fit from run to run.  The
    private generator yields the same numbers as ``random.seed(seed)`` would
    have without interference.
    """

    def __init__(self, seed):
        self._owner = threading.get_ident()
        self._rng = random.Random(seed)

    def __getattr__(self, name):
        source = self._rng if threading.get_ident() == self._owner else random
        return getattr(source, name)


@contextmanager
def _private_keras_python_random(seed, found):
    module = found.seed_generator
    if module is None:
        yield  # a Keras without this module attribute: the seeded global serves
        return
    previous = module.python_random
    module.python_random = _ThreadRandom(seed)
    try:
        yield
    finally:
        module.python_random = previous


@contextmanager
def seeded(seed):
    """Seed Python, NumPy, the Keras backend and Keras's seed generator for the
    block, then put every one of them back as it was.

    ``seed=None`` does nothing.  Unlike SciKeras's context, this never turns on
    TensorFlow op determinism, so nothing can be left switched on afterwards.
    Works on the TensorFlow, JAX and PyTorch backends; on JAX all randomness
    flows from Keras's seed generator and NumPy, on PyTorch from its generators.
    The result does not depend on other threads of the process: Keras's own
    seed draws come from a generator private to this thread, and seeded blocks
    in different threads take turns.
    """
    if seed is None:
        yield
        return
    found = _keras_private()
    with _SEED_LOCK:
        py_state = random.getstate()
        np_state = np.random.get_state()
        had_tf, tf_seed = _tf_global_seed()
        keras_state = {slot: found.global_state.get_global_attribute(slot) for slot in found.slots()}
        torch_rng = _TorchRNG() if backend_name() == "torch" else None
        _seed_all(int(seed), found)
        try:
            with _private_keras_python_random(int(seed), found):
                yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            if "tensorflow" in sys.modules:
                # also when the block loaded TensorFlow: it had no global seed before
                sys.modules["tensorflow"].random.set_seed(tf_seed if had_tf else None)
            for slot, value in keras_state.items():
                found.global_state.set_global_attribute(slot, value)
            if torch_rng is not None:
                torch_rng.restore()


# --------------------------------------------------------------------------- #
# what this Keras can train: outputs in a structure
# --------------------------------------------------------------------------- #
#: The first Keras release whose compiled losses follow the structure of the
#: model's outputs (nested outputs; a dict of outputs keyed other than by the
#: output layers' names): keras-team/keras#20358, in Keras 3.7.
STRUCTURED_LOSSES_SINCE = (3, 7)


def keras_version():
    """Keras's version as a tuple of ints (``(3, 15, 1)``)."""
    parts = []
    for part in keras.__version__.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def output_structure_error(layout, layer_names):
    """The error for a model whose output structure this Keras cannot train
    (None when it can).  Keras before 3.7 matches losses to outputs only in a
    flat list, or in a dict keyed by the output layers' names: a nested
    structure, or a dict keyed otherwise, fails inside ``Model.fit``
    ("key ... does not correspond to any model output", "No loss to compute").
    ``layout`` is the model's :class:`~skweight._outputs.OutputLayout`,
    ``layer_names`` its ``output_names`` (None for a subclassed model)."""
    if keras_version() >= STRUCTURED_LOSSES_SINCE:
        return None
    since = ".".join(map(str, STRUCTURED_LOSSES_SINCE))
    if not layout.is_flat:
        return ValueError(
            f"Keras {keras.__version__} cannot train a model whose outputs are nested (its compiled loss takes a flat "
            f"list or dict of outputs); the outputs here are {layout.template!r}. Return one flat dict of outputs, "
            f"or upgrade to Keras >= {since}."
        )
    keys = list(layout.template) if isinstance(layout.template, dict) else None
    if keys is not None and layer_names is not None and set(keys) != set(layer_names):
        return ValueError(
            f"Keras {keras.__version__} matches a dict of outputs to its losses by the output layers' names, but this "
            f"model's output dict has keys {sorted(keys)!r} and its output layers are named {list(layer_names)!r}. "
            f"Name each output layer after its key (Dense(..., name=key)), or upgrade to Keras >= {since}."
        )
    return None


# --------------------------------------------------------------------------- #
# memory over long searches
# --------------------------------------------------------------------------- #
def _gradient_registry():
    """TensorFlow's global gradient registry, or None on other backends or
    TensorFlow versions that do not have it."""
    if keras.backend.backend() != "tensorflow" or "tensorflow" not in sys.modules:
        return None
    try:
        from tensorflow.python.framework import ops
    except ImportError:  # pragma: no cover - private layout changed
        return None
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def _drop_gradients(registry, names):
    for name in names:
        registry.pop(name, None)


@contextmanager
def released_with(model):
    """Tie the gradient functions that TensorFlow registers while ``model``
    trains to the life of ``model``.

    Tracing a Keras train step on TensorFlow registers a ``CustomGradient-N``
    entry (from the all-reduce of the gradients) in TensorFlow's *global*
    gradient registry, and that entry keeps the whole traced graph of the
    train step alive forever (tensorflow/tensorflow#80895).  A grid search
    that fits hundreds of models in one process then grows by a few MB per
    fit, and ``keras.backend.clear_session()`` does not release it.

    This context records the entries registered inside the block and removes
    exactly those when ``model`` is garbage collected (they are needed only
    while a graph of that model is being traced).  Entries registered by
    other models, including the user's own, are never touched.  On other
    backends it does nothing.
    """
    registry = _gradient_registry()
    if registry is None:
        yield
        return
    before = set(registry)
    try:
        yield
    finally:
        # list() copies the keys in one step, safe against other threads registering
        added = [name for name in list(registry) if name not in before and name.startswith("CustomGradient-")]
        if added:
            import weakref

            weakref.finalize(model, _drop_gradients, registry, added)


# Dead Keras models are reference cycles (layers, traced functions and the
# model point at one another), so they wait for a full cyclic collection, which
# Python runs rarely in a process holding TensorFlow's millions of objects; a
# search that fits model after model then holds many dead ones at once.  A full
# collection costs tens of milliseconds there, so it runs only once the fits
# since the last one have taken ``GC_TIME_SHARE``-inverse times its cost: at
# most that share of the fitting time goes to collecting.
# Until one has been timed, a collection is assumed to cost 0.1 s: the first
# runs after 5 s of fitting, so a single short fit never pays for one.
GC_TIME_SHARE = 0.02
_GC_COST_GUESS_S = 0.1
_gc_state = {"fit_s": 0.0, "cost_s": _GC_COST_GUESS_S}
_gc_lock = threading.Lock()


def _collect_if_due(share):
    import gc
    import time

    with _gc_lock:
        if _gc_state["fit_s"] * share < _gc_state["cost_s"]:
            return False
        _gc_state["fit_s"] = 0.0
        _gc_state["cost_s"] = float("inf")  # other threads skip while this one collects
    start = time.perf_counter()
    gc.collect()
    with _gc_lock:
        _gc_state["cost_s"] = time.perf_counter() - start
    return True


@contextmanager
def collecting_dead_models(share=None):
    """Around a fit: first free the models earlier fits left for the cyclic
    collector, when the time budget allows (see ``GC_TIME_SHARE``), then count
    the fit's time towards the next collection.  ``share=0`` turns it off."""
    import time

    share = GC_TIME_SHARE if share is None else share
    if share > 0:
        _collect_if_due(share)
    start = time.perf_counter()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["fit_s"] += time.perf_counter() - start


# --------------------------------------------------------------------------- #
# skweight's training loop: one epoch per call (see skweight._loop)
# --------------------------------------------------------------------------- #
# Everything here is public Keras/TensorFlow/PyTorch API: Keras's own
# ``train_step``/``test_step``, ``compute_loss``, ``compute_metrics``,
# ``get_metrics_result``, ``reset_metrics``, ``optimizer.build``,
# ``tf.function`` and ``tf.while_loop``.  Its fallback is ``Model.fit``: a
# backend without an entry in ``_EPOCH_RUNNERS`` (JAX, whose ``Model.fit``
# already compiles each step), and any model :func:`backend_blockers` or the
# first trace finds the loop cannot train as ``fit`` would.
def backend_blockers(model):
    """Why this backend cannot run skweight's loop for ``model`` (a list of
    reasons, empty when it can): no loop on this backend, a model that is not
    compiled, runs eagerly, is compiled with ``jit_compile=True``, trains under
    a ``tf.distribute`` strategy, or (PyTorch) overrides its steps."""
    reasons = []
    backend = backend_name()
    if backend not in _EPOCH_RUNNERS:
        reasons.append(f"the {backend} backend trains with Model.fit (already compiled per step)")
    if not getattr(model, "compiled", False):
        reasons.append("the model is not compiled")
    if getattr(model, "run_eagerly", False):
        reasons.append("model.run_eagerly is set")
    if backend in _EPOCH_RUNNERS and _jit_compile(model):
        reasons.append("the model is compiled with jit_compile=True")
    if backend == "tensorflow" and _has_distribution_strategy(model):
        reasons.append("the model trains under a tf.distribute strategy")
    if backend == "torch" and _custom_steps(model):
        reasons.append("the model overrides train_step/test_step (on PyTorch the loop cannot check their logs)")
    return reasons


# model -> list of (key, compiled state, epoch function); the functions hold the
# model only weakly, so this never keeps a model alive.  partial_fit and warm
# starts reuse the trace; a recompile (new optimizer, metrics) starts over.
_EPOCH_FUNCTIONS = weakref.WeakKeyDictionary()


def epoch_runner(model, batch_size, val_batch_size, data, val):
    """``(runner, None)`` where ``runner(rows) -> epoch logs`` trains ``model``
    one epoch on the rows ``rows`` of ``data`` (a tuple ``(x, y[, weights])`` of
    NumPy arrays or structures of them) and then validates on ``val`` (the same,
    or None); or ``(None, reason)`` when the model cannot take the loop after
    all (its ``train_step`` returns logs other than its metrics).  Logs are
    Python floats, validation logs prefixed ``val_``."""
    data, val = keras.tree.lists_to_tuples(data), None if val is None else keras.tree.lists_to_tuples(val)
    key = (batch_size, val_batch_size if val is not None else None, _signature(data), _signature(val))
    state = _compiled_state(model)
    entries = _EPOCH_FUNCTIONS.setdefault(model, [])
    same_state = [e for e in entries if _same_objects(e[1], state)]
    epoch_fn = next((fn for entry_key, _, fn in same_state if entry_key == key), None)
    if epoch_fn is None:
        epoch_fn, reason = _EPOCH_RUNNERS[backend_name()](model, batch_size, val_batch_size, data, val)
        if epoch_fn is None:
            return None, reason
        entries[:] = same_state + [(key, state, epoch_fn)]  # traces of an earlier compile go
    convert = _TENSORS[backend_name()]
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
    import inspect

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


def _jit_compile(model):
    try:
        return getattr(model, "jit_compile", False) is True
    except Exception:  # noqa: BLE001 - a property that needs state the model lacks
        return False


class _LogsDiffer(Exception):
    """Keras's fit reports the model's metrics when a step's logs name the same
    metrics (always, for Keras's own steps) and the last step's logs otherwise;
    the loop does only the former."""


def _check_log_names(step_logs, metric_logs):
    if not (isinstance(step_logs, dict) and set(step_logs) == set(metric_logs)):
        raise _LogsDiffer()


def _tf_steps(model, step, n_rows, batch, take):
    """In a TensorFlow graph: all steps of one pass, ``step`` on the rows
    ``take(start, stop)`` of each batch, one at a time (each step reads the
    weights the previous one wrote); the model's metrics after the last."""
    import tensorflow as tf

    steps = (n_rows + batch - 1) // batch
    traced = []

    def body(i):
        logs = step(take(i * batch, tf.minimum((i + 1) * batch, n_rows)))
        traced.append(logs)
        with tf.control_dependencies([t for t in tf.nest.flatten(logs) if isinstance(t, tf.Tensor)]):
            return (i + 1,)

    tf.while_loop(lambda i: i < steps, body, (tf.constant(0),), parallel_iterations=1)
    metric_logs = model.get_metrics_result()
    _check_log_names(traced[0], metric_logs)
    return metric_logs


def _tf_epoch_function(model_ref, batch_size, val_batch_size, with_validation):
    """The Python function traced once per set-up: a training pass over the
    rows ``rows`` (gathered in the graph) and, ``with_validation``, a ``test_step``
    pass over the validation tensors; returns both logs."""
    import tensorflow as tf

    def train_epoch(rows, data):
        model = model_ref()
        model.reset_metrics()
        take = lambda start, stop: tf.nest.map_structure(lambda t: tf.gather(t, rows[start:stop]), data)  # noqa: E731
        return _tf_steps(model, model.train_step, tf.shape(rows)[0], batch_size, take)

    def epoch(rows, data):
        return train_epoch(rows, data), {}

    def epoch_and_validation(rows, data, val):
        model = model_ref()
        train_logs = train_epoch(rows, data)
        with tf.control_dependencies(tf.nest.flatten(train_logs)):
            model.reset_metrics()
        take = lambda start, stop: tf.nest.map_structure(lambda t: t[start:stop], val)  # noqa: E731
        n_val = tf.shape(tf.nest.flatten(val)[0])[0]
        return train_logs, _tf_steps(model, model.test_step, n_val, val_batch_size, take)

    return epoch_and_validation if with_validation else epoch


def _tf_runner(model, batch_size, val_batch_size, data, val):
    """TensorFlow: one ``tf.function`` runs a whole epoch, every step in a
    ``tf.while_loop`` over the rows of the epoch (the last partial batch
    included: the batch dimension is dynamic, so nothing is traced twice),
    then the validation pass, and returns both logs.  The input signature
    leaves the row counts open: a later call with other rows (a warm start, the
    next ``partial_fit``) reuses the trace."""
    import tensorflow as tf

    def spec(a):
        return tf.TensorSpec((None, *a.shape[1:]), tf.as_dtype(a.dtype))

    signature = [tf.TensorSpec((None,), tf.int64), tf.nest.map_structure(spec, data)]
    if val is not None:
        signature.append(tf.nest.map_structure(spec, val))
    python_fn = _tf_epoch_function(weakref.ref(model), batch_size, val_batch_size, val is not None)
    fn = tf.function(python_fn, input_signature=signature, autograph=False, reduce_retracing=True)
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


#: backend -> the maker of its epoch function; a backend not here trains with Model.fit
_EPOCH_RUNNERS = {"tensorflow": _tf_runner, "torch": _torch_runner}
#: backend -> how the rows become tensors once per fit
_TENSORS = {"tensorflow": _tf_tensors, "torch": _torch_tensors}
