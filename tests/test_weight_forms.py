"""Weighting forms beyond "balanced": tempered balancing (``Balanced(power)``)
and effective-number weights (``EffectiveNumber(beta)``), for every target
kind, as grid-search values, and in the plan.  NumPy only except the last
tests, which check the estimator's parameter handling without training."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from skweight import Balanced, EffectiveNumber, class_weights, sample_weights
from skweight._forms import has_balanced
from skweight._plan import WeightPlan

RNG = np.random.RandomState(0)
Y_BIN = np.array([0] * 90 + [1] * 10)
Y_MULTI = np.array(["a"] * 60 + ["b"] * 30 + ["c"] * 10)
Y_ONEHOT = np.eye(3)[[0] * 50 + [1] * 30 + [2] * 20]
Y_MULTILABEL = (RNG.rand(120, 3) < [0.1, 0.5, 0.8]).astype(int)
Y_ORDINAL = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [1, 1, 1]] * 5 + [[0, 0, 0]] * 20)
Y_SEQUENCE = np.array([[1, 1, 2, 0], [1, 2, 0, 0], [1, 1, 1, 1]] * 10)
Y_MULTIOUT = [np.array([0] * 80 + [1] * 20), np.eye(2)[[0] * 50 + [1] * 50]]
KIND_CASES = [
    (Y_BIN, None),
    (Y_MULTI, None),
    (Y_ONEHOT, "onehot"),
    (Y_MULTILABEL, "multilabel"),
    (Y_ORDINAL, "ordinal"),
    (Y_SEQUENCE, "sequence"),
    (Y_MULTIOUT, None),
]
KIND_IDS = ["binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", "multioutput"]


def _flat(weights):
    """Every weight of a canonical structure, in a fixed order."""
    if isinstance(weights, dict):
        return (
            [v for k in sorted(weights, key=repr) for v in _flat(weights[k])]
            if any(isinstance(v, (dict, list)) for v in weights.values())
            else [weights[k] for k in sorted(weights, key=repr)]
        )
    if isinstance(weights, list):
        return [v for w in weights for v in _flat(w)]
    return [weights]


@pytest.mark.parametrize("y, kind", KIND_CASES, ids=KIND_IDS)
def test_power_one_is_exactly_balanced_for_every_kind(y, kind):
    assert class_weights(y, Balanced(1.0), kind=kind) == class_weights(y, "balanced", kind=kind)
    a = sample_weights(y, Balanced(power=1), kind=kind)
    b = sample_weights(y, "balanced", kind=kind)
    for x, z in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_array_equal(x, z)


@pytest.mark.parametrize("y, kind", KIND_CASES, ids=KIND_IDS)
def test_power_zero_and_beta_zero_weigh_every_class_one(y, kind):
    for form in (Balanced(0.0), EffectiveNumber(0.0)):
        assert set(_flat(class_weights(y, form, kind=kind))) == {1.0}


@pytest.mark.parametrize("y, kind", KIND_CASES, ids=KIND_IDS)
def test_weights_move_monotonically_with_power(y, kind):
    """Every weight moves from 1 (power 0) towards its balanced value, never back."""
    balanced = np.array(_flat(class_weights(y, "balanced", kind=kind)))
    steps = np.array([_flat(class_weights(y, Balanced(p), kind=kind)) for p in np.linspace(0, 1, 6)])
    distance = np.abs(np.log(steps))
    assert np.all(np.diff(distance, axis=0) >= -1e-12)
    assert_allclose(np.sign(np.log(steps[-1])), np.sign(np.log(balanced)))


@pytest.mark.parametrize("y, kind", KIND_CASES, ids=KIND_IDS)
def test_effective_number_approaches_balanced_as_beta_approaches_one(y, kind):
    balanced = np.array(_flat(class_weights(y, "balanced", kind=kind)))
    near = np.array(_flat(class_weights(y, EffectiveNumber(1 - 1e-9), kind=kind)))
    far = np.array(_flat(class_weights(y, EffectiveNumber(0.5), kind=kind)))
    assert_allclose(near, balanced, rtol=1e-5)
    assert np.abs(far - balanced).max() > np.abs(near - balanced).max()


def test_effective_number_formula_and_sample_average_of_one():
    beta = 0.99
    w = class_weights(Y_BIN, EffectiveNumber(beta))
    raw = np.array([(1 - beta) / (1 - beta**90), (1 - beta) / (1 - beta**10)])
    assert_allclose([w[0], w[1]], raw * 100 / (90 * raw[0] + 10 * raw[1]))
    assert_allclose(sample_weights(Y_BIN, EffectiveNumber(beta)).mean(), 1.0)


def test_balanced_power_formula():
    w = class_weights(Y_MULTI, Balanced(0.3))
    assert_allclose([w["a"], w["b"], w["c"]], (100 / (3 * np.array([60, 30, 10]))) ** 0.3)


def test_padding_stays_zero_and_out_of_the_counts():
    w = class_weights(Y_SEQUENCE, Balanced(0.5), kind="sequence", padding_label=0)
    counts = {1: 60 - 0, 2: 20}
    counts[1] = int(np.sum(Y_SEQUENCE == 1))
    total = counts[1] + counts[2]
    assert w[0] == 0.0
    assert_allclose([w[1], w[2]], [(total / (2 * counts[1])) ** 0.5, (total / (2 * counts[2])) ** 0.5])


def test_multioutput_accepts_a_form_per_output():
    w = class_weights(Y_MULTIOUT, [Balanced(0.5), EffectiveNumber(0.9)])
    assert_allclose(w[0][1], (100 / 40) ** 0.5)
    assert w[1] == {0: 1.0, 1: 1.0}  # equal counts: any form gives 1
    named = class_weights({"a": Y_MULTIOUT[0], "b": Y_MULTIOUT[1]}, {"a": Balanced(0.5)})
    assert named["a"] == w[0] and named["b"] == {0: 1.0, 1: 1.0}


@pytest.mark.parametrize(
    "make, exc, words",
    [
        (lambda: Balanced(1.5), ValueError, "power=1.5"),
        (lambda: Balanced(-0.1), ValueError, "[0, 1]"),
        (lambda: Balanced("half"), TypeError, "power"),
        (lambda: Balanced(True), TypeError, "power"),
        (lambda: EffectiveNumber(1.0), ValueError, "[0, 1)"),
        (lambda: EffectiveNumber(-0.5), ValueError, "beta=-0.5"),
        (lambda: EffectiveNumber(None), TypeError, "beta"),
    ],
)
def test_bad_strength_is_refused_naming_the_parameter(make, exc, words):
    with pytest.raises(exc, match=__import__("re").escape(words)):
        make()


def test_forms_are_immutable_equal_hashable_picklable_and_readable():
    a, b = Balanced(0.5), Balanced(power=0.5)
    assert a == b and hash(a) == hash(b) and a != Balanced(0.25) and a != EffectiveNumber(0.5)
    assert repr(a) == "Balanced(power=0.5)" and repr(EffectiveNumber(0.99)) == "EffectiveNumber(beta=0.99)"
    assert pickle.loads(pickle.dumps(EffectiveNumber(0.99))) == EffectiveNumber(0.99)
    with pytest.raises(AttributeError):
        a.power = 1.0


def test_has_balanced_covers_the_forms():
    assert has_balanced(Balanced(0.5)) and has_balanced(EffectiveNumber(0.9))
    assert has_balanced([None, Balanced(0.2)]) and has_balanced({"out": EffectiveNumber(0.9)})
    assert not has_balanced({0: 1.0, 1: 2.0})


def test_plan_reports_form_weights_in_user_labels():
    plan = WeightPlan(Balanced(0.5), "multiclass", np.array(["x", "y"]))
    _, user = plan.resolve(np.array([0, 0, 0, 1]))
    assert_allclose([user["x"], user["y"]], [(4 / 6) ** 0.5, 2.0**0.5])


def test_estimator_accepts_forms_in_grid_search_params_and_clone():
    from skweight import WeightedKerasClassifier

    est = WeightedKerasClassifier(class_weight=Balanced(0.25))
    est._check_params()
    copy = clone(est)
    assert copy.get_params()["class_weight"] == Balanced(0.25)
    grid = list(ParameterGrid({"class_weight": [None, Balanced(0.5), EffectiveNumber(0.99), "balanced"]}))
    for params in grid:
        clone(est).set_params(**params)._check_params()
    with pytest.raises(ValueError, match="partial_fit"):
        WeightedKerasClassifier(class_weight=EffectiveNumber(0.9), epochs=1).partial_fit(
            np.zeros((4, 2)), [0, 1, 0, 1], classes=[0, 1]
        )
    with pytest.raises(TypeError, match="Balanced"):
        WeightedKerasClassifier(class_weight=0.5)._check_params()
