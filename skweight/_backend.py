"""Keras backend glue: a quiet first import and a seeding context that leaves
no global random state changed."""

import os
import random
import sys
from contextlib import contextmanager

import numpy as np


def import_keras_quietly():
    """Import Keras; if it brings TensorFlow in for the first time, keep the
    C++ start-up banners (oneDNN, CPU features) off the terminal.

    TensorFlow prints those lines before its logging is configured, so
    ``TF_CPP_MIN_LOG_LEVEL`` alone does not silence them; standard error is
    pointed at the null device for the duration of the import only.  Python
    exceptions raised by the import still propagate normally.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend == "tensorflow" and "tensorflow" not in sys.modules:
        try:
            saved = os.dup(2)
        except OSError:  # no usable fd 2 (some embedded interpreters)
            saved = None
        if saved is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            sys.stderr.flush()
            os.dup2(devnull, 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                os.close(devnull)
    import keras

    return keras


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


def _tf_global_seed():
    if "tensorflow" not in sys.modules:
        return False, None
    from tensorflow.python.eager import context

    return True, context.global_seed()


@contextmanager
def seeded(seed):
    """Seed Python, NumPy, the Keras backend and Keras's seed generator for the
    block, then put every one of them back as it was.

    ``seed=None`` does nothing.  Unlike SciKeras's context, this never turns on
    TensorFlow op determinism, so nothing can be left switched on afterwards.
    """
    if seed is None:
        yield
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    py_state = random.getstate()
    np_state = np.random.get_state()
    had_tf, tf_seed = _tf_global_seed()
    keras_seed = global_state.get_global_attribute(rng_utils.GLOBAL_RANDOM_SEED)
    keras_gen = global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR)
    torch_state = None
    if keras.backend.backend() == "torch":
        import torch

        torch_state = torch.get_rng_state()
    keras.utils.set_random_seed(int(seed))
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        if "tensorflow" in sys.modules:
            import tensorflow as tf

            tf.random.set_seed(tf_seed if had_tf else None)
        global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, keras_seed)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, keras_gen)
        if torch_state is not None:
            import torch

            torch.set_rng_state(torch_state)


def seed_from(random_state):
    """An int seed from ``random_state`` (None, int or ``np.random.RandomState``),
    without advancing a RandomState the caller holds."""
    if random_state is None:
        return None
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        copy = np.random.RandomState()
        copy.set_state(random_state.get_state())
        return int(copy.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"random_state={random_state!r} is not accepted; give None, an int or a numpy.random.RandomState."
    )


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
