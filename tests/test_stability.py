"""Stable over long searches: many fit + predict_proba cycles in one process
(what a grid search does) leave no Keras/TensorFlow state behind, and the
clean-up never touches a user's other live models.

The full 100-cycle measurement is ``benchmarks/bench_memory.py``; this is the
20-cycle version.  Its checks are counts of live objects after ``gc.collect()``
at checkpoints.  When a dead model's graphs go depends on collection timing
(skweight collects on a time budget, see ``skweight._backend``), so a count can
sit one fit's worth above or below its neighbours; the check is therefore for
growth over the whole window (the slope of the counts, and the last count
against the lowest), which a leak shows at once, and
``test_the_growth_check_fails_on_a_real_leak`` shows that it does.  The RSS
bound is generous and only catches gross leaks.
"""

import gc
import weakref

import keras
import numpy as np
import psutil
import pytest
from sklearn.base import clone

from skweight import WeightedKerasClassifier
from skweight._backend import _gradient_registry

CYCLES, WARMUP = 20, 4
CHECKPOINTS = (WARMUP, 8, 12, 16, CYCLES)  # after these cycles: gc, then count (counting is slow)
# what one fit leaves when nothing releases it, by training loop (measured with
# the models kept alive, as test_the_growth_check_fails_on_a_real_leak does:
# skweight's loop traces one epoch function, 3 graphs and 1 gradient
# registration per fit; keras.Model.fit's train step keeps 14-19 graphs and 2)
LEAK_PER_FIT = {"fast": (3, 1), "keras": (18, 2)}  # (graphs, gradient registrations)
GRAPHS_PER_FIT, GRADIENTS_PER_FIT = LEAK_PER_FIT["keras"]


def assert_no_growth(counts, fits, per_fit, what):
    """Counts taken after ``fits`` fits do not grow: the median of the slopes
    between every two checkpoints (Theil-Sen, which one checkpoint off its
    neighbours cannot move) is under a quarter of one fit's worth per fit.
    A checkpoint may sit fits' worth off the others (a collection that freed
    some graphs held elsewhere earlier or later: 618, 636, 636, 636, 636 and
    995, 995, 995, 941, 995 were seen); a leak of ``per_fit`` per fit makes
    every slope ``per_fit``."""
    pairs = [(i, j) for i in range(len(fits)) for j in range(i + 1, len(fits))]
    slope = float(np.median([(counts[j] - counts[i]) / (fits[j] - fits[i]) for i, j in pairs]))
    assert slope < per_fit / 4, (
        f"{what} grow: {list(counts)} after {list(fits)} fits (slope {slope:.2f}/fit; a leak adds {per_fit}/fit)"
    )


def _data(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 8).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 1.2).astype(int)
    return X, y


def _live(kind):
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def _func_graphs():
    from tensorflow.python.framework.func_graph import FuncGraph

    return _live(FuncGraph)


def _custom_gradient_names():
    return {k for k in list(_gradient_registry()) if k.startswith("CustomGradient-")}


def _custom_gradients():
    return len(_custom_gradient_names())


@pytest.fixture(scope="module")
def user_model():
    """A user's own Keras model, trained before the search and used after it."""
    keras.utils.set_random_seed(1)
    inp = keras.Input(shape=(8,))
    net = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))
    net.compile(loss="binary_crossentropy", optimizer="sgd")
    X, y = _data(seed=1)
    before = _custom_gradient_names()
    net.fit(X, y, epochs=1, verbose=0)
    net.registered = _custom_gradient_names() - before  # what TensorFlow registered for the user's model
    return net


@pytest.fixture(scope="module", params=sorted(LEAK_PER_FIT))
def cycles(request, user_model):
    """Run the search once per training loop; record live objects and RSS after every cycle."""
    if keras.backend.backend() != "tensorflow":  # pragma: no cover
        pytest.skip("measures TensorFlow graph state")
    gc.collect()  # models that earlier tests dropped go now, not during the measurement
    X, y = _data()
    base = WeightedKerasClassifier(
        class_weight="balanced", epochs=2, hidden_layer_sizes=(16,), random_state=0, training_loop=request.param
    )
    user_before = user_model.predict(X, verbose=0)
    kept = clone(base).fit(X, y)  # a search result the user keeps
    kept_proba = kept.predict_proba(X)
    proc = psutil.Process()
    record = {"graphs": [], "gradients": [], "rss": [], "alive": [], "proba": []}
    refs = []
    for cycle in range(1, CYCLES + 1):
        est = clone(base).fit(X, y)
        record["proba"].append(est.predict_proba(X))
        refs.append(weakref.ref(est.model_))
        del est
        if cycle in CHECKPOINTS:
            gc.collect()
            record["graphs"].append(_func_graphs())
            record["gradients"].append(_custom_gradients())
            record["rss"].append(proc.memory_info().rss)
            record["alive"].append(sum(r() is not None for r in refs))
    assert kept.training_loop_ == request.param
    return dict(record, X=X, y=y, user_before=user_before, kept=kept, kept_proba=kept_proba, loop=request.param)


def test_no_model_of_a_finished_fit_stays_alive(cycles):
    assert cycles["alive"] == [0] * len(CHECKPOINTS)


def test_traced_graphs_and_gradient_registrations_do_not_accumulate(cycles):
    # without the release, each fit pins its traced train step through
    # TensorFlow's gradient registry: +2 registry entries and +18 graphs per fit
    # (16 fits between the first and last checkpoint: a leak adds hundreds); a
    # checkpoint may sit one fit's worth off its neighbours, the window never grows
    graphs_per_fit, gradients_per_fit = LEAK_PER_FIT[cycles["loop"]]
    assert_no_growth(cycles["gradients"], CHECKPOINTS, gradients_per_fit, "gradient registrations")
    assert_no_growth(cycles["graphs"], CHECKPOINTS, graphs_per_fit, "traced graphs")


@pytest.mark.parametrize("loop", sorted(LEAK_PER_FIT))
def test_the_growth_check_fails_on_a_real_leak(loop):
    """Models kept alive are what a leak looks like to these counts (every
    fit's graphs and registrations stay): the check above fails on them, with
    either training loop's leak per fit."""
    if keras.backend.backend() != "tensorflow":  # pragma: no cover
        pytest.skip("measures TensorFlow graph state")
    gc.collect()
    X, y = _data()
    GRAPHS_PER_FIT, GRADIENTS_PER_FIT = LEAK_PER_FIT[loop]  # noqa: N806
    base = WeightedKerasClassifier(
        class_weight="balanced", epochs=2, hidden_layer_sizes=(16,), random_state=0, training_loop=loop
    )
    kept, fits, graphs, gradients = [], (2, 4, 6), [], []
    for cycle in range(1, fits[-1] + 1):
        kept.append(clone(base).fit(X, y))
        if cycle in fits:
            gc.collect()
            graphs.append(_func_graphs())
            gradients.append(_custom_gradients())
    assert graphs[-1] - graphs[0] >= GRAPHS_PER_FIT * (fits[-1] - fits[0]) / 2, graphs  # it does leak
    with pytest.raises(AssertionError, match="traced graphs grow"):
        assert_no_growth(graphs, fits, GRAPHS_PER_FIT, "traced graphs")
    with pytest.raises(AssertionError, match="gradient registrations grow"):
        assert_no_growth(gradients, fits, GRADIENTS_PER_FIT, "gradient registrations")
    # and counts fits' worth off at one checkpoint, as collection timing gave
    # them in full runs with Model.fit (CI saw the 941 and the 949), pass
    off_by_one_fit = (
        [618, 636, 636, 636, 636],
        [995, 995, 995, 941, 995],
        [985, 985, 949, 985, 985],
        [700, 700, 700, 700, 754],
    )
    for seen in off_by_one_fit if loop == "keras" else ():
        assert_no_growth(seen, CHECKPOINTS, GRAPHS_PER_FIT, "traced graphs")


def test_resident_memory_growth_is_bounded(cycles):
    growth_mb = (cycles["rss"][-1] - cycles["rss"][0]) / 2**20
    # a leaked train step costs about 4 MB per fit here (about 60 MB over these
    # 16 cycles); allocator noise stays well under the bound
    assert growth_mb < 30, f"RSS grew {growth_mb:.1f} MB over {CYCLES - WARMUP} fits"


def test_every_cycle_gives_the_same_model(cycles):
    for proba in cycles["proba"][1:]:
        np.testing.assert_array_equal(proba, cycles["proba"][0])


def test_live_models_are_untouched(cycles, user_model):
    """The clean-up never touches a live model: the user's own Keras model and
    a search result that is still referenced predict as before and train on."""
    X, y = cycles["X"], cycles["y"]
    np.testing.assert_array_equal(user_model.predict(X, verbose=0), cycles["user_before"])
    assert user_model.registered and user_model.registered <= _custom_gradient_names()
    history = user_model.fit(X, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])

    kept = cycles["kept"]
    np.testing.assert_array_equal(kept.predict_proba(X), cycles["kept_proba"])
    model = kept.model_
    kept.set_params(warm_start=True).fit(X, y)  # the kept model trains on
    assert kept.model_ is model and len(kept.history_["loss"]) == 2
    assert not np.array_equal(kept.predict_proba(X), cycles["kept_proba"])


def test_the_release_is_tied_to_the_model():
    """The registrations made while a model trains go when that model goes,
    not before: a model that is still referenced keeps them."""
    X, y = _data()
    gc.collect()
    n0 = _custom_gradient_names()
    est = WeightedKerasClassifier(epochs=1, hidden_layer_sizes=(4,), random_state=0).fit(X, y)
    gc.collect()
    added = _custom_gradient_names() - n0
    assert added
    del est
    gc.collect()
    assert not added & _custom_gradient_names()


class _Cycle:
    """An object kept alive only by a reference cycle, as a dead Keras model is."""

    def __init__(self):
        self.me = self


@pytest.fixture
def gc_budget(monkeypatch):
    """Fresh budget bookkeeping and no automatic collections during the test."""
    from skweight import _backend

    monkeypatch.setattr(_backend, "_gc_state", {"fit_s": 0.0, "cost_s": _backend._GC_COST_GUESS_S})
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield _backend
    finally:
        if was_enabled:
            gc.enable()


def test_dead_models_are_collected_once_the_time_budget_allows(gc_budget):
    backend = gc_budget
    dead = _Cycle()
    ref = weakref.ref(dead)
    del dead
    with backend.collecting_dead_models(share=0.02):  # first fit of the process: no collection yet
        pass
    assert ref() is not None
    # once the fits add up to the guessed cost / share: collected before the next fit, and the cost measured
    backend._gc_state["fit_s"] = backend._GC_COST_GUESS_S / 0.02
    with backend.collecting_dead_models(share=0.02):
        pass
    assert ref() is None
    cost = backend._gc_state["cost_s"]
    assert cost > 0
    # fits shorter than cost / share in all: the next dead cycle waits
    backend._gc_state["fit_s"] = 0.5 * cost / 0.02
    dead = _Cycle()
    ref = weakref.ref(dead)
    del dead
    with backend.collecting_dead_models(share=0.02):
        assert ref() is not None
    # the fits since the last collection now add up to cost / share: collected before the next fit
    backend._gc_state["fit_s"] = cost / 0.02 + 1.0
    with backend.collecting_dead_models(share=0.02):
        assert ref() is None
    assert backend._gc_state["fit_s"] > 0  # this fit's time counts towards the next collection


def test_share_zero_never_collects(gc_budget):
    backend = gc_budget
    dead = _Cycle()
    ref = weakref.ref(dead)
    del dead
    with backend.collecting_dead_models(share=0):
        pass
    assert ref() is not None
    gc.collect()
    assert ref() is None
