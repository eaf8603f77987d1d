"""skweight._sampling: the epoch orders of sampling="under" and "over" (NumPy only)."""

import numpy as np
import pytest

from skweight._sampling import EpochOrder, check_sampling, class_codes, epoch_order

# 3 classes of 50, 12 and 5 rows, interleaved as real data would be
CODES = np.random.default_rng(0).permutation(np.repeat([0, 1, 2], [50, 12, 5]))


def _counts(codes, idx):
    return np.bincount(codes[idx], minlength=3).tolist()


def test_under_every_epoch_holds_the_smallest_class_size_of_each_class():
    before = CODES.copy()
    order = EpochOrder(CODES, "under", random_state=0)
    assert len(order) == order.n_rows == 15 and order.per_class == 5
    smallest = set(np.flatnonzero(CODES == 2).tolist())
    for epoch in range(20):
        idx = order(epoch)
        assert idx.dtype.kind == "i" and len(idx) == 15
        assert _counts(CODES, idx) == [5, 5, 5]
        assert len(set(idx.tolist())) == 15  # drawn without replacement
        assert smallest <= set(idx.tolist())  # every row of the smallest class, every epoch
    assert np.array_equal(CODES, before)


def test_under_draws_afresh_each_epoch_and_reaches_every_row():
    order = EpochOrder(CODES, "under", random_state=0)
    draws = [set(order(e).tolist()) for e in range(60)]
    assert len({frozenset(d) for d in draws}) > 50  # different draws from epoch to epoch
    # over 60 epochs every row of the largest class was drawn (each epoch takes 5 of its 50)
    assert set().union(*draws) == set(range(len(CODES)))


def test_over_every_epoch_repeats_each_class_up_to_the_largest():
    order = EpochOrder(CODES, "over", random_state=0)
    assert len(order) == 150 and order.per_class == 50
    for epoch in range(10):
        idx = order(epoch)
        assert _counts(CODES, idx) == [50, 50, 50]
        seen = np.bincount(idx, minlength=len(CODES))
        # largest class: each row once; 12 rows -> 50 = 4 whole copies + 2; 5 rows -> 10 copies
        assert set(seen[CODES == 0].tolist()) == {1}
        assert set(seen[CODES == 1].tolist()) <= {4, 5} and int(np.sum(seen[CODES == 1] == 5)) == 2
        assert set(seen[CODES == 2].tolist()) == {10}
    # the remainder of the middle class is drawn afresh
    extra = [frozenset(np.flatnonzero(np.bincount(order(e), minlength=len(CODES)) == 5).tolist()) for e in range(30)]
    assert len(set(extra)) > 10


def test_ratios_are_proportional_to_balanced_weights():
    from skweight import class_weights

    balanced = np.array(list(class_weights(CODES, "balanced").values()))
    for sampling, per_class in (("under", 5), ("over", 50)):
        order = EpochOrder(CODES, sampling, random_state=0)
        assert order.counts.tolist() == [50, 12, 5]
        assert np.allclose(order.ratios, per_class / np.array([50, 12, 5]))
        assert np.allclose(order.ratios / order.ratios[0], balanced / balanced[0])


def test_epochs_are_shuffled():
    order = EpochOrder(CODES, "over", random_state=0)
    idx = order(0)
    assert not np.array_equal(idx, np.sort(idx))
    assert not np.array_equal(CODES[idx], np.sort(CODES[idx]))  # classes mixed, not in blocks
    assert not np.array_equal(order(0), order(1))


def test_orders_depend_on_the_seed_and_epoch_only():
    a = EpochOrder(CODES, "under", random_state=42)
    b = EpochOrder(CODES, "under", random_state=42)
    late_first = [b(e) for e in (5, 3, 0)]
    assert all(np.array_equal(a(e), got) for e, got in zip((5, 3, 0), late_first))  # call order does not matter
    assert not np.array_equal(a(0), EpochOrder(CODES, "under", random_state=43)(0))
    # NumPy's global random state is neither read nor moved
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    first = EpochOrder(CODES, "over", random_state=7)(2)
    assert np.array_equal(np.random.get_state()[1], state)
    np.random.seed(123)
    assert np.array_equal(EpochOrder(CODES, "over", random_state=7)(2), first)


def test_random_state_objects_are_read_once():
    rs = np.random.RandomState(0)
    order = EpochOrder(CODES, "under", random_state=rs)
    assert np.array_equal(order(1), order(1))
    again = EpochOrder(CODES, "under", random_state=np.random.RandomState(0))
    assert np.array_equal(order(1), again(1))
    gen = EpochOrder(CODES, "under", random_state=np.random.default_rng(0))
    assert np.array_equal(gen(0), EpochOrder(CODES, "under", random_state=np.random.default_rng(0))(0))
    # None: fresh OS entropy, fixed for the object's life
    unseeded = EpochOrder(CODES, "under")
    assert np.array_equal(unseeded(3), unseeded(3))


def test_classes_without_rows_are_left_out_and_one_class_keeps_all_rows():
    codes = np.array([0, 0, 0, 2, 2])  # class 1 (known from partial_fit's classes, say) has no row
    order = EpochOrder(codes, "over", random_state=0)
    assert order.classes.tolist() == [0, 2] and len(order) == 6
    assert np.bincount(codes[order(0)], minlength=3).tolist() == [3, 0, 3]
    single = EpochOrder(np.zeros(4, dtype=int), "under", random_state=0)
    assert sorted(single(0).tolist()) == [0, 1, 2, 3]


def test_class_codes_of_each_kind():
    assert class_codes("binary", np.array([0.0, 1.0, 1.0], dtype=np.float32)).tolist() == [0, 1, 1]
    assert class_codes("multiclass", np.array([2, 0, 1], dtype=np.int32)).tolist() == [2, 0, 1]
    assert class_codes("multiclass", np.eye(3, dtype=np.float32)[[2, 0]]).tolist() == [2, 0]  # one-hot encoded
    assert class_codes("onehot", np.eye(4)[[3, 1]]).tolist() == [3, 1]
    assert class_codes("ordinal", np.array([[1, 1, 0], [0, 0, 0], [1, 1, 1]])).tolist() == [2, 0, 3]
    order = epoch_order("ordinal", np.array([[1, 0]] * 6 + [[1, 1]] * 2 + [[0, 0]]), "under", random_state=0)
    assert len(order) == 3  # by level: 3 levels of at least 1 row


@pytest.mark.parametrize("kind", ["multilabel", "sequence", "multioutput"])
def test_kinds_without_one_class_per_row_are_refused(kind):
    with pytest.raises(ValueError, match=rf"sampling='over' resamples rows by their one class, which a '{kind}'"):
        epoch_order(kind, np.zeros((4, 2)), "over", random_state=0)
    assert epoch_order(kind, np.zeros((4, 2)), None) is None


@pytest.mark.parametrize("value", ["smote", "Under", True, 1, 0.5, ["under"]])
def test_bad_sampling_values(value):
    with pytest.raises(ValueError, match=r"sampling=.* is not accepted; give None, 'under' .* or 'over'"):
        check_sampling(value)


def test_bad_codes_epochs_and_seeds():
    with pytest.raises(ValueError, match="non-negative integer class codes"):
        EpochOrder(np.array([0.0, 1.0]), "under")
    with pytest.raises(ValueError, match="non-negative integer class codes"):
        EpochOrder(np.array([0, -1]), "under")
    with pytest.raises(ValueError, match="non-empty 1-D"):
        EpochOrder(np.zeros((2, 2), dtype=int), "under")
    with pytest.raises(ValueError, match="sampling=None needs no epoch order"):
        EpochOrder(CODES, None)
    order = EpochOrder(CODES, "under", random_state=0)
    for epoch in (-1, 1.5, True):
        with pytest.raises(ValueError, match="must be a non-negative int"):
            order(epoch)
    with pytest.raises(TypeError, match="random_state='x' has type str"):
        EpochOrder(CODES, "under", random_state="x")
    with pytest.raises(ValueError, match="must be a non-negative int"):
        EpochOrder(CODES, "under", random_state=-1)
