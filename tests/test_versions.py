"""Every Keras/TensorFlow version the metadata allows: the private features
skweight looks up, and the public fallback taken where one is missing.

The fallbacks are forced here on whatever Keras is installed (the main CI lane
runs the newest), so each one is tested on every CI run; the lowest-versions
lane runs this module again on the oldest Keras/TensorFlow, where the Keras
3.4-3.12 layout is the real one.
"""

import os
import random
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skweight import WeightedKerasClassifier, _backend
from skweight._backend import _KerasPrivate, private_features, seeded

pytestmark = pytest.mark.lanes

SMALL = dict(epochs=3, hidden_layer_sizes=(8,), batch_size=32)


def _version(text):
    return tuple(int(p) for p in text.split(".")[:2])


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=160, n_features=6, weights=[0.8], random_state=2)
    return X.astype(np.float32), y


@pytest.fixture
def found(monkeypatch):
    """Swap in a different set of found private features for one test."""

    def use(private):
        monkeypatch.setattr(_backend, "_KERAS_PRIVATE", private)
        return private

    return use


@pytest.fixture
def tf_seed_reset():
    """Leave TensorFlow's global seed unset after the test, whatever it did."""
    yield
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(None)


def _global_state():
    state = {"python": random.getstate(), "numpy": np.random.get_state()[1].copy()}
    if "tensorflow" in sys.modules:
        state["tf"] = _backend._tf_global_seed()[1]
    return state


def _assert_same_state(before):
    after = _global_state()
    assert after["python"] == before["python"]
    np.testing.assert_array_equal(after["numpy"], before["numpy"])
    assert after.get("tf") == before.get("tf")


def _fit_proba(data, seed):
    X, y = data
    clf = WeightedKerasClassifier(class_weight="balanced", random_state=seed, **SMALL).fit(X, y)
    return clf.predict_proba(X)


def _reproducible_and_restoring(data):
    """Two fits with one seed agree, another seed differs, and global random
    state (Python, NumPy, TensorFlow's seed) is as it was before each fit."""
    random.seed(11)
    np.random.seed(11)
    before = _global_state()
    first = _fit_proba(data, 0)
    _assert_same_state(before)
    second = _fit_proba(data, 0)
    _assert_same_state(before)
    other = _fit_proba(data, 1)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)
    return first


def test_features_found_match_the_installed_keras():
    import keras

    features = private_features()
    # every Keras 3.4-3.15 has the per-thread global state and the swappable Python generator
    assert features["keras_global_state"] is True
    assert features["keras_python_random"] is True
    # the recorded seed exists from Keras 3.10 on
    assert features["keras_seed_slot"] is (_version(keras.__version__) >= (3, 10))
    if keras.backend.backend() == "tensorflow":
        assert features["tf_global_seed"] is True
        assert features["tf_gradient_registry"] is True


def test_seeded_fit_on_the_installed_keras(data):
    _reproducible_and_restoring(data)


def test_keras_3_4_to_3_12_layout_is_found_without_the_newer_constants(monkeypatch):
    """Keras 3.4-3.9 have neither constant, 3.10-3.12 only GLOBAL_RANDOM_SEED:
    the generator's slot is then the literal those versions use."""
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    with monkeypatch.context() as m:
        m.delattr(rng_utils, "GLOBAL_RANDOM_SEED", raising=False)
        m.delattr(seed_generator, "GLOBAL_SEED_GENERATOR", raising=False)
        old = _KerasPrivate.find()
    assert old.global_state is not None
    assert old.seed_slot is None
    assert old.generator_slot == "global_seed_generator"
    if hasattr(seed_generator, "GLOBAL_SEED_GENERATOR"):  # Keras >= 3.13 names the same slot
        assert seed_generator.GLOBAL_SEED_GENERATOR == old.generator_slot
    assert old.seed_generator is seed_generator


def test_keras_global_seed_generator_is_reset_inside_and_restored_after(found, tf_seed_reset):
    """keras.random without a seed draws from Keras's global SeedGenerator: the
    same numbers in every seeded block, and the caller's generator is back,
    untouched, afterwards.  Checked with the Keras 3.4-3.12 slot lookup."""
    import keras
    from keras.src.random import seed_generator

    current = _KerasPrivate.find()
    found(_KerasPrivate(current.global_state, None, "global_seed_generator", current.seed_generator))
    outside = seed_generator.global_seed_generator()
    state = keras.ops.convert_to_numpy(outside.state)
    draws = []
    for _ in range(2):
        with seeded(5):
            draws.append(np.array(keras.random.uniform((4,))))
            assert seed_generator.global_seed_generator() is not outside
    np.testing.assert_array_equal(draws[0], draws[1])
    assert seed_generator.global_seed_generator() is outside
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(outside.state), state)


def test_fallback_without_keras_private_state(data, found, tf_seed_reset):
    """No keras.src layout found at all: the public keras.utils.set_random_seed
    seeds, skweight still restores Python's, NumPy's and TensorFlow's state."""
    found(_KerasPrivate())
    assert private_features()["keras_global_state"] is False
    assert private_features()["keras_python_random"] is False
    _reproducible_and_restoring(data)


def test_fallback_without_the_swappable_python_generator(data, found, tf_seed_reset):
    """Keras 3.4-3.9 layout without ``seed_generator.python_random``: unseeded
    layers draw from Python's seeded global generator instead."""
    current = _KerasPrivate.find()
    found(_KerasPrivate(current.global_state, None, current.generator_slot, None))
    _reproducible_and_restoring(data)


def test_fallback_reads_tensorflow_seed_publicly(data, monkeypatch, tf_seed_reset):
    tf = pytest.importorskip("tensorflow")
    monkeypatch.setattr(_backend, "_tf_private_seed_reader", lambda: None)
    assert private_features()["tf_global_seed"] is False
    tf.random.set_seed(123)
    assert _backend._tf_global_seed() == (True, 123)
    _fit_proba(data, 0)
    assert _backend._tf_global_seed() == (True, 123)
    tf.random.set_seed(None)
    _fit_proba(data, 0)
    assert _backend._tf_global_seed() == (True, None)


def test_fit_without_the_gradient_registry_gives_the_same_network(data, monkeypatch):
    """Where TensorFlow's private gradient registry is missing, memory is not
    released after each fit (see the README) but fits are unchanged."""
    with_registry = _fit_proba(data, 3)
    monkeypatch.setattr(_backend, "_gradient_registry", lambda: None)
    assert private_features()["tf_gradient_registry"] is False
    np.testing.assert_array_equal(_fit_proba(data, 3), with_registry)


_BLOCKED = """
import sys


class Block:  # as if the backend were not installed
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == {module!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)


sys.meta_path.insert(0, Block())
import numpy as np
import skweight
assert skweight.class_weights(np.array([0, 0, 0, 1])) == {{0: 2 / 3, 1: 2.0}}
try:
    skweight.WeightedKerasClassifier
except ImportError as exc:
    print(type(exc).__name__)
    print(exc)
else:
    raise SystemExit("no ImportError")
try:
    import skweight.losses  # what a user imports to load a saved model
except ImportError as exc:
    assert type(exc).__name__ == "BackendNotInstalledError", repr(exc)
else:
    raise SystemExit("no ImportError from skweight.losses")
"""


@pytest.mark.parametrize(
    "backend, module, extra",
    [
        ("tensorflow", "tensorflow", 'pip install "skweight[tensorflow-cpu]"'),
        ("jax", "jax", 'pip install "skweight[jax]"'),
        ("torch", "torch", 'pip install "skweight[torch]"'),
    ],
)
def test_missing_backend_is_one_clear_line(backend, module, extra):
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": os.pathsep.join(sys.path)}
    res = subprocess.run(
        [sys.executable, "-c", _BLOCKED.format(module=module)], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr[-2000:]
    name, message = res.stdout.strip().split("\n")
    assert name == "BackendNotInstalledError"
    assert f"Keras is set to run on {backend}" in message
    assert extra in message


def test_missing_backend_error_is_an_import_error():
    assert issubclass(_backend.BackendNotInstalledError, ImportError)
    err = _backend._missing_backend(ModuleNotFoundError("No module named 'jaxlib'", name="jaxlib"), "jax")
    assert isinstance(err, _backend.BackendNotInstalledError)
    assert 'pip install "skweight[jax]"' in str(err) and "KERAS_BACKEND=tensorflow" in str(err)
    # a missing module that is no backend is left alone (the original error propagates)
    assert _backend._missing_backend(ModuleNotFoundError("No module named 'h5py'", name="h5py"), "jax") is None
