"""Tests of skweight._splits: seeded, stratified train/validation splits (NumPy only)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skweight._splits import multilabel_split, split_rows, stratified_split

pytestmark = pytest.mark.lanes

FRACTIONS = st.floats(min_value=0.05, max_value=0.6, allow_nan=False)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _partition_ok(train, val, n):
    """Sorted, disjoint, and together every row exactly once."""
    assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)
    assert np.intersect1d(train, val).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))


def _missed_labels(y, train, val):
    """Labels with two or more rows that are absent from one side."""
    y = np.asarray(y, dtype=bool)
    both = y[train].any(axis=0) & y[val].any(axis=0)
    return np.flatnonzero((y.sum(axis=0) >= 2) & ~both)


@st.composite
def label_vectors(draw):
    """Imbalanced 1-D labels: a few classes with very different counts, some singletons."""
    counts = draw(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6))
    seed = draw(SEEDS)
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(seed).permutation(y)


@st.composite
def indicator_matrices(draw, max_rows=40):
    n = draw(st.integers(min_value=2, max_value=max_rows))
    n_labels = draw(st.integers(min_value=1, max_value=6))
    seed = draw(SEEDS)
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.02, 0.6, size=n_labels)
    return (rng.random((n, n_labels)) < rates).astype(np.int64)


# --------------------------------------------------------------------------- #
# single-label targets
# --------------------------------------------------------------------------- #
@settings(max_examples=150, deadline=None)
@given(y=label_vectors(), fraction=FRACTIONS, seed=SEEDS)
def test_stratified_split_sends_exact_per_class_share(y, fraction, seed):
    train, val = stratified_split(y, fraction, np.random.default_rng(seed))
    _partition_ok(train, val, len(y))
    for c, count in zip(*np.unique(y, return_counts=True)):
        n_val = int(np.sum(y[val] == c))
        if count >= 2:
            assert n_val == int(np.clip(round(fraction * count), 1, count - 1))
            assert 1 <= n_val <= count - 1  # the class is on both sides
        else:
            assert n_val == 0  # a single row stays for training


def test_stratified_split_takes_minority_rows_from_sorted_data():
    # Keras's validation_split takes the last 10 % of these rows: only class 0.
    y = np.array([1] * 10 + [0] * 90)
    train, val = split_rows("binary", y, 0.1, seed=0)
    assert np.sum(y[val] == 1) == 1 and np.sum(y[val] == 0) == 9
    assert np.sum(y[train] == 1) == 9
    # shuffled: the validation rows are not a block at either end
    assert not np.array_equal(val, np.arange(90, 100)) and not np.array_equal(val, np.arange(10))


def test_split_rows_is_reproducible_per_seed_and_varies_across_seeds():
    y = np.random.default_rng(3).integers(0, 3, size=300)
    a = split_rows("multiclass", y, 0.2, seed=7)
    b = split_rows("multiclass", y, 0.2, seed=7)
    c = split_rows("multiclass", y, 0.2, seed=8)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    # seed=None draws fresh entropy; two draws on 300 rows are different splits
    assert not np.array_equal(split_rows("multiclass", y, 0.2, None)[1], split_rows("multiclass", y, 0.2, None)[1])


def test_split_rows_accepts_one_hot_shaped_codes_and_ordinal_levels():
    labels = np.random.default_rng(0).choice(3, size=120, p=[0.8, 0.15, 0.05])
    onehot = np.eye(3, dtype=np.float32)[labels]
    tr1, va1 = split_rows("onehot", onehot, 0.25, seed=1)
    tr2, va2 = split_rows("multiclass", labels, 0.25, seed=1)
    tr3, va3 = split_rows("multiclass", onehot, 0.25, seed=1)  # categorical loss: one-hot codes
    np.testing.assert_array_equal(va1, va2)
    np.testing.assert_array_equal(va1, va3)
    thermometer = (np.arange(2)[None, :] < labels[:, None]).astype(np.float32)  # levels 0, 1, 2
    tr4, va4 = split_rows("ordinal", thermometer, 0.25, seed=1)
    np.testing.assert_array_equal(va4, va2)


def test_split_rows_counts_for_a_known_case():
    y = np.array([0] * 80 + [1] * 15 + [2] * 5)
    train, val = split_rows("multiclass", y, 0.2, seed=0)
    assert np.bincount(y[val]).tolist() == [16, 3, 1]
    assert np.bincount(y[train]).tolist() == [64, 12, 4]


def test_sequence_targets_get_a_shuffled_split_of_the_requested_size():
    y = np.zeros((50, 7), dtype=np.int32)
    train, val = split_rows("sequence", y, 0.2, seed=0)
    _partition_ok(train, val, 50)
    assert len(val) == 10
    assert not np.array_equal(val, np.arange(40, 50))
    assert split_rows("sequence", y[:1], 0.5, seed=0)[1].size == 0  # one row: nothing to hold out


# --------------------------------------------------------------------------- #
# multi-label targets
# --------------------------------------------------------------------------- #
def _rarer_label_guarantee(y, train, val):
    """Each label with >= 2 rows, one of which has no label processed before it
    (fewer rows, or as many and a lower column), must be on both sides."""
    y = np.asarray(y, dtype=bool)
    positives = y.sum(axis=0)
    order = np.argsort(positives, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    missed = set(_missed_labels(y, train, val).tolist())
    for label in np.flatnonzero(positives >= 2):
        rows = np.flatnonzero(y[:, label])
        has_free_row = any(not np.any(y[r] & (rank < rank[label])) for r in rows)
        if has_free_row:
            assert label not in missed, f"label {label} misses a side"


def _locally_optimal(y, train, val):
    """No single row move puts a missed label on both sides without taking
    another label off a side (the only row of a label is never moved to
    validation)."""
    y = np.asarray(y, dtype=bool)
    side = np.zeros(len(y), dtype=int)
    side[val] = 1
    single = y.sum(axis=0) == 1
    split_before = len(_missed_labels(y, train, val))
    for label in _missed_labels(y, train, val):
        for r in np.flatnonzero(y[:, label]):
            if side[r] == 0 and np.any(y[r] & single):
                continue
            moved = side.copy()
            moved[r] = 1 - moved[r]
            after = _missed_labels(y, np.flatnonzero(moved == 0), np.flatnonzero(moved == 1))
            assert not (label not in after and len(after) < split_before), f"moving row {r} would fix label {label}"


@settings(max_examples=500, deadline=None)
@given(y=indicator_matrices(), fraction=FRACTIONS, seed=SEEDS)
def test_multilabel_split_keeps_labels_on_both_sides(y, fraction, seed):
    y_before = y.copy()
    train, val = multilabel_split(y, fraction, np.random.default_rng(seed))
    np.testing.assert_array_equal(y, y_before)
    _partition_ok(train, val, len(y))
    _rarer_label_guarantee(y, train, val)
    _locally_optimal(y, train, val)
    # a label with a single row keeps it for training
    for label in np.flatnonzero(y.sum(axis=0) == 1):
        assert y[train, label].sum() == 1


def test_multilabel_split_regression_label_sharing_rows_with_a_rarer_label():
    # Label 2 has rows 0 and 7; row 7 also carries the single-row label 3 and
    # stays for training.  The first version kept row 0 for training too (its
    # label 0 had no training row yet), so label 2 never reached validation.
    y = np.array(
        [
            [1, 0, 1, 0, 0],
            [1, 0, 0, 0, 0],
            [1, 0, 0, 0, 0],
            [0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 1, 1, 1, 0],
            [1, 0, 0, 0, 0],
            [0, 0, 0, 0, 1],
        ]
    )
    for seed in range(30):
        train, val = multilabel_split(y, 0.3, np.random.default_rng(seed))
        assert len(_missed_labels(y, train, val)) == 0
        assert 7 in train  # the only row of label 3


def test_multilabel_split_when_every_label_cannot_be_split():
    # rows {a, b}, {a, c}, {b, c}: whichever way they are split, one label misses a side
    y = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [0, 0, 0], [0, 0, 0]])
    for seed in range(5):
        train, val = multilabel_split(y, 0.4, np.random.default_rng(seed))
        _partition_ok(train, val, 5)
        assert len(_missed_labels(y, train, val)) == 1
        _locally_optimal(y, train, val)


def test_multilabel_split_with_private_rows_splits_every_label():
    # each label has >= 2 rows where it is the only label, plus shared rows
    rng = np.random.default_rng(0)
    private = np.repeat(np.eye(5, dtype=int), [2, 2, 3, 5, 40], axis=0)
    shared = (rng.random((60, 5)) < 0.2).astype(int)
    y = rng.permutation(np.vstack([private, shared]))
    for seed in range(20):
        train, val = multilabel_split(y, 0.2, np.random.default_rng(seed))
        assert len(_missed_labels(y, train, val)) == 0


def test_multilabel_split_follows_the_fraction_on_larger_data():
    rng = np.random.default_rng(1)
    n = 2000
    y = (rng.random((n, 6)) < np.array([0.01, 0.03, 0.1, 0.3, 0.5, 0.02])).astype(np.float32)
    train, val = multilabel_split(y, 0.2, np.random.default_rng(0))
    _partition_ok(train, val, n)
    assert abs(len(val) - 0.2 * n) <= 0.01 * n
    positives = y.sum(axis=0)
    # each label's validation share is the fraction, give or take a row or 2 %
    off = np.abs(y[val].sum(axis=0) - np.round(0.2 * positives))
    assert np.all(off <= np.maximum(1, 0.02 * positives)), off


def test_multilabel_split_is_reproducible():
    y = (np.random.default_rng(5).random((200, 4)) < 0.15).astype(int)
    a = split_rows("multilabel", y, 0.3, seed=11)
    b = split_rows("multilabel", y, 0.3, seed=11)
    c = split_rows("multilabel", y, 0.3, seed=12)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


# --------------------------------------------------------------------------- #
# multi-output targets
# --------------------------------------------------------------------------- #
def test_multioutput_split_keeps_every_class_of_every_output_on_both_sides():
    rng = np.random.default_rng(2)
    n = 150
    outputs = [
        rng.integers(0, 2, n),
        (rng.random(n) < 0.04).astype(int),  # 1:24 output: Keras's tail split often has no positive
        rng.choice(4, size=n, p=[0.7, 0.2, 0.07, 0.03]),
    ]
    for seed in range(10):
        train, val = split_rows("multioutput", outputs, 0.2, seed=seed)
        _partition_ok(train, val, n)
        for part in outputs:
            for c in np.unique(part):
                if np.sum(part == c) >= 2:
                    assert np.any(part[train] == c) and np.any(part[val] == c)
    # a 2-D array of output columns gives the same split as the list
    np.testing.assert_array_equal(
        split_rows("multioutput", np.column_stack(outputs), 0.2, seed=3)[1],
        split_rows("multioutput", outputs, 0.2, seed=3)[1],
    )


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("fraction", [0, 0.0, 1, 1.0, -0.1, 1.5, "0.2", None, True, float("nan")])
def test_bad_fraction_names_validation_split(fraction):
    with pytest.raises(ValueError, match=r"validation_split=.*strictly between 0 and 1"):
        split_rows("binary", np.array([0, 1] * 10), fraction, seed=0)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match=r"kind='tabular' is not a target kind; accepted: binary"):
        split_rows("tabular", np.array([0, 1] * 10), 0.2, seed=0)


def test_multilabel_split_needs_a_matrix():
    with pytest.raises(ValueError, match=r"must be 2-D .* got shape \(10,\)"):
        multilabel_split(np.array([0, 1] * 5), 0.2, np.random.default_rng(0))


def test_inputs_are_not_modified():
    y = np.array([0, 1, 1, 0, 2, 2, 2, 0, 0, 0])
    before = y.copy()
    split_rows("multiclass", y, 0.3, seed=0)
    np.testing.assert_array_equal(y, before)
    outputs = [np.array([0, 1] * 10), np.array([1, 1, 0, 0, 2] * 4)]
    copies = [o.copy() for o in outputs]
    split_rows("multioutput", outputs, 0.3, seed=0)
    for o, c in zip(outputs, copies):
        np.testing.assert_array_equal(o, c)
