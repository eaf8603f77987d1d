"""Property-based tests (hypothesis) of the NumPy weight engine.

For any labels: under "balanced" every class carries the same total weight;
weights are finite and non-negative; results do not depend on row order; and
one-hot, integer and string encodings of the same labels weigh the same.
Examples are derandomised, so every run checks the same cases.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skweight import class_weights, sample_weights

settings.register_profile("skweight", derandomize=True, deadline=None, max_examples=150)
settings.load_profile("skweight")


@st.composite
def labels(draw, min_classes=1, max_classes=6, max_size=200):
    """Integer labels 0..k-1 (some may be absent), with at least ``min_classes`` present."""
    k = draw(st.integers(min_classes, max_classes))
    y = draw(st.lists(st.integers(0, k - 1), min_size=k, max_size=max_size))
    y = np.array(y, dtype=np.int64)
    present = np.unique(y)
    if present.size < min_classes:
        y = np.concatenate([y, np.arange(k)])
    return y, k


@st.composite
def labels_and_permutation(draw):
    y, k = draw(labels())
    perm = np.array(draw(st.permutations(range(len(y)))), dtype=np.int64)
    return y, k, perm


weights = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def labels_and_dict(draw):
    y, k = draw(labels())
    present = np.unique(y).tolist()
    keys = draw(st.lists(st.sampled_from(present), unique=True, max_size=len(present)))
    return y, k, {key: draw(weights) for key in keys}


@given(labels(min_classes=2))
def test_balanced_gives_every_class_the_same_total_weight(case):
    y, _ = case
    w = sample_weights(y, "balanced")
    classes = np.unique(y)
    totals = np.array([w[y == c].sum() for c in classes])
    np.testing.assert_allclose(totals, len(y) / len(classes), rtol=1e-12)
    assert w.sum() == np.float64(len(y)) or np.isclose(w.sum(), len(y), rtol=1e-12)


@given(labels_and_dict())
def test_weights_are_finite_and_non_negative(case):
    y, _, spec = case
    for cw in ("balanced", spec, None):
        w = sample_weights(y, cw)
        assert w.shape == y.shape
        assert np.all(np.isfinite(w)) and np.all(w >= 0)
        resolved = class_weights(y, cw)
        assert all(np.isfinite(v) and v >= 0 for v in resolved.values())


@given(labels_and_dict())
def test_dict_weights_follow_the_labels_and_default_to_one(case):
    y, _, spec = case
    w = sample_weights(y, spec)
    expected = np.array([spec.get(int(label), 1.0) for label in y])
    np.testing.assert_array_equal(w, expected)


@given(labels_and_permutation())
def test_weights_do_not_depend_on_row_order(case):
    y, _, perm = case
    for cw in ("balanced", {int(y[0]): 3.5}):
        assert class_weights(y[perm], cw) == class_weights(y, cw)
        np.testing.assert_array_equal(sample_weights(y[perm], cw), sample_weights(y, cw)[perm])
    # multi-label: permuting rows permutes the weight rows
    Y = (y[:, None] >> np.arange(3)) & 1
    np.testing.assert_array_equal(
        sample_weights(Y[perm], "balanced", kind="multilabel"), sample_weights(Y, "balanced", kind="multilabel")[perm]
    )


@given(labels_and_dict())
def test_one_hot_integer_and_string_encodings_weigh_the_same(case):
    y, k, spec = case
    onehot = np.eye(k, dtype=np.int64)[y]
    strings = np.array([f"class-{v}" for v in y], dtype=object)
    string_spec = {f"class-{key}": value for key, value in spec.items()}
    for cw_int, cw_str in (("balanced", "balanced"), (spec, string_spec)):
        w_int = sample_weights(y, cw_int)
        np.testing.assert_allclose(sample_weights(onehot, cw_int, kind="onehot"), w_int, rtol=1e-12)
        np.testing.assert_allclose(sample_weights(strings, cw_str), w_int, rtol=1e-12)
        by_int = class_weights(y, cw_int)
        assert class_weights(onehot, cw_int, kind="onehot") == by_int
        assert class_weights(strings, cw_str) == {f"class-{key}": value for key, value in by_int.items()}


@given(labels(min_classes=1, max_classes=5))
def test_balanced_multilabel_balances_each_label(case):
    y, _ = case
    Y = (y[:, None] >> np.arange(3)) & 1  # bits of the label: a multi-label indicator matrix
    W = sample_weights(Y, "balanced", kind="multilabel")
    assert W.shape == Y.shape and np.all(np.isfinite(W)) and np.all(W > 0)
    for j in range(Y.shape[1]):
        pos, neg = W[Y[:, j] == 1, j].sum(), W[Y[:, j] == 0, j].sum()
        if 0 < Y[:, j].sum() < len(Y):
            np.testing.assert_allclose(pos, neg, rtol=1e-12)
            np.testing.assert_allclose(pos + neg, len(Y), rtol=1e-12)
        else:
            # a label that never (or always) occurs: the side it has weighs n / (2 * n), the side it lacks 1
            np.testing.assert_array_equal(W[:, j], 0.5)
