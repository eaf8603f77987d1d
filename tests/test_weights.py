"""The NumPy-only weight engine: parity with scikit-learn, every target kind,
explicit kinds and errors.  Nothing here imports Keras."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from skweight import KINDS, apply_class_weights, class_weights, sample_weights, target_kind

pytestmark = pytest.mark.lanes

# Deterministic property tests: the same examples on every run.
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _sk_class_weight_dict(class_weight, y):
    classes = np.unique(y)
    return dict(zip(classes.tolist(), compute_class_weight(class_weight, classes=classes, y=y).tolist()))


# --------------------------------------------------------------------------- #
# the engine does not import Keras
# --------------------------------------------------------------------------- #
def test_importing_the_engine_imports_no_keras_tensorflow_or_dask():
    code = textwrap.dedent(
        """
        import sys
        import skweight
        import skweight.weights
        skweight.sample_weights([0, 1, 1])
        heavy = sorted(m for m in ("keras", "tensorflow", "jax", "torch", "scikeras", "dask") if m in sys.modules)
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --------------------------------------------------------------------------- #
# parity with scikit-learn (hypothesis)
# --------------------------------------------------------------------------- #
# Letters only: scikit-learn looks dict keys up as int(label) first, so a
# string label "1" would meet the key 1, not "1"; skweight keeps the label space.
_words = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
_int_dtypes = st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64])


@st.composite
def label_arrays(draw, min_size=1, max_size=60):
    """1-D label arrays of ints (several dtypes, negative and far apart too),
    strings (str and object dtype) or bools."""
    n = draw(st.integers(min_size, max_size))
    flavour = draw(st.sampled_from(["int", "wide_int", "str", "object", "bool", "float"]))
    if flavour == "int":
        dtype = np.dtype(draw(_int_dtypes))
        lo = max(int(np.iinfo(dtype).min), -100)
        hi = min(int(np.iinfo(dtype).max), 100)
        return draw(hnp.arrays(dtype, n, elements=st.integers(lo, hi)))
    if flavour == "wide_int":  # a span too wide for the bincount path
        pool = draw(st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=5, unique=True))
        return np.array(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)), dtype=np.int64)
    if flavour in ("str", "object"):
        pool = draw(st.lists(_words, min_size=1, max_size=6, unique=True))
        labels = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
        return np.array(labels, dtype=object if flavour == "object" else str)
    if flavour == "float":
        return draw(hnp.arrays(np.float64, n, elements=st.integers(-3, 3).map(float)))
    return draw(hnp.arrays(np.bool_, n))


@st.composite
def labels_and_dict(draw):
    """Labels and a dict that names only some of their classes."""
    y = draw(label_arrays())
    classes = np.unique(y).tolist()
    named = draw(st.lists(st.sampled_from(classes), unique=True, max_size=len(classes)))
    weights = draw(st.lists(st.floats(0, 50, allow_nan=False), min_size=len(named), max_size=len(named)))
    return y, dict(zip(named, weights))


@PROPERTY
@given(label_arrays())
def test_balanced_class_weights_equal_compute_class_weight(y):
    assert class_weights(y, "balanced") == pytest.approx(_sk_class_weight_dict("balanced", y), rel=1e-12)


@PROPERTY
@given(label_arrays())
def test_balanced_sample_weights_equal_compute_sample_weight(y):
    assert_allclose(sample_weights(y, "balanced"), compute_sample_weight("balanced", y), rtol=1e-12)


@PROPERTY
@given(labels_and_dict())
def test_dict_with_absent_classes_equals_scikit_learn(y_and_dict):
    y, cw = y_and_dict
    assert_allclose(sample_weights(y, cw), compute_sample_weight(cw, y), rtol=1e-12)
    expected = {c: float(cw.get(c, 1.0)) for c in np.unique(y).tolist()}
    assert class_weights(y, cw) == pytest.approx(expected)


@PROPERTY
@given(label_arrays())
def test_none_gives_unit_weights_like_scikit_learn(y):
    assert_array_equal(sample_weights(y, None), compute_sample_weight(None, y))


@PROPERTY
@given(st.lists(label_arrays(min_size=25, max_size=25), min_size=2, max_size=4), st.data())
def test_multi_output_columns_equal_compute_sample_weight(columns, data):
    # every column as object so that mixed label types can share one 2-D array
    y = np.column_stack([c.astype(object) for c in columns])
    assert target_kind(y) == "multioutput"
    specs = []
    for c in columns:
        classes = np.unique(c).tolist()
        named = data.draw(st.lists(st.sampled_from(classes), unique=True, max_size=len(classes)))
        specs.append({k: data.draw(st.floats(0.1, 10)) for k in named})
    got_bal = sample_weights(y, "balanced", kind="multioutput")
    got_dict = sample_weights(y, specs, kind="multioutput")
    assert_allclose(got_bal, compute_sample_weight("balanced", y), rtol=1e-12)
    assert_allclose(got_dict, compute_sample_weight(specs, y), rtol=1e-12)


def test_multi_output_int_columns_detected_and_match_scikit_learn():
    rng = np.random.default_rng(0)
    y = np.column_stack([rng.integers(0, 3, 200), rng.choice([5, 9], 200, p=[0.9, 0.1])])
    assert target_kind(y) == "multioutput"
    assert_allclose(sample_weights(y), compute_sample_weight("balanced", y), rtol=1e-12)
    spec = [{0: 2.0}, {9: 7.5}]
    assert_allclose(sample_weights(y, spec), compute_sample_weight(spec, y), rtol=1e-12)
    assert class_weights(y, spec) == [{0: 2.0, 1: 1.0, 2: 1.0}, {5: 1.0, 9: 7.5}]


def test_dict_with_extra_keys_follows_scikit_learn():
    y = np.array([0, 0, 1, 1, 1])
    # every class named: an extra key (a class these rows lack) is allowed
    assert_allclose(sample_weights(y, {0: 2, 1: 3, 7: 9}), compute_sample_weight({0: 2, 1: 3, 7: 9}, y))
    # a class left unnamed and a key that is no class: another label space, refused by both
    with pytest.raises(ValueError):
        compute_sample_weight({0: 2, 7: 9}, y)
    with pytest.raises(ValueError, match=r"class_weight has key 7, which is not a class of y.*gives no weight to 1"):
        sample_weights(y, {0: 2, 7: 9})


def test_small_integer_dtypes_are_not_overflowed():
    y = np.array([-100, 100, 100, 0, 0, 0], dtype=np.int8)
    assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))
    assert class_weights(y) == {-100: 2.0, 0: 2 / 3, 100: 1.0}
    big = np.array([2**64 - 1, 2**64 - 1, 2**64 - 3], dtype=np.uint64)
    assert_allclose(sample_weights(big), [0.75, 0.75, 1.5])


def test_labels_of_equal_value_but_other_type_meet_dict_keys():
    assert class_weights(np.array([True, False, False]), {True: 4}) == {False: 1.0, True: 4.0}
    assert class_weights(np.array([1.0, 2.0, 2.0]), {1: 4}) == {1.0: 4.0, 2.0: 1.0}
    assert class_weights(np.array([1, 2, 2], dtype=np.int16), {np.int64(2): 0.5}) == {1: 1.0, 2: 0.5}


def test_float32_dtype_and_pandas_input():
    pd = pytest.importorskip("pandas")
    s = pd.Series(["b", "a", "a", "a"])
    w = sample_weights(s, dtype=np.float32)
    assert w.dtype == np.float32
    assert_allclose(w, [2.0, 2 / 3, 2 / 3, 2 / 3], rtol=1e-6)


# --------------------------------------------------------------------------- #
# one-hot
# --------------------------------------------------------------------------- #
@PROPERTY
@given(hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(0, 4)), st.integers(5, 7))
def test_one_hot_is_weighted_as_its_integer_labels(labels, n_columns):
    onehot = np.eye(n_columns, dtype=np.float32)[labels]
    assert target_kind(onehot) == "onehot"
    assert class_weights(onehot) == pytest.approx(class_weights(labels))
    assert_allclose(sample_weights(onehot), sample_weights(labels), rtol=1e-12)
    spec = {int(labels[0]): 3.0}
    assert_allclose(sample_weights(onehot, spec), sample_weights(labels, spec), rtol=1e-12)


def test_one_hot_dict_keys_are_column_indices():
    y = np.eye(3)[[0, 0, 0, 1, 2]]
    assert class_weights(y, {2: 5.0}) == {0: 1.0, 1: 1.0, 2: 5.0}
    assert_array_equal(sample_weights(y, {2: 5.0}), [1, 1, 1, 1, 5])


# --------------------------------------------------------------------------- #
# multi-label
# --------------------------------------------------------------------------- #
def test_multilabel_balanced_the_913_of_1130_example():
    n = 1130
    y = np.zeros((n, 3), dtype=int)
    y[:913, 0] = 1  # label 0 present in 913 rows
    y[::10, 1] = 1  # label 1 present in 113 rows
    y[:2, 2] = 1  # label 2 present in 2 rows
    assert target_kind(y) == "multilabel"
    cw = class_weights(y)
    assert cw[0] == {0: pytest.approx(1130 / (2 * 217)), 1: pytest.approx(1130 / (2 * 913))}
    assert cw[1] == {0: pytest.approx(1130 / (2 * 1017)), 1: pytest.approx(1130 / (2 * 113))}
    assert cw[2] == {0: pytest.approx(1130 / (2 * 1128)), 1: pytest.approx(1130 / 4)}
    w = sample_weights(y)
    assert w.shape == (n, 3)
    assert w[0, 0] == pytest.approx(1130 / (2 * 913))
    assert w[1000, 0] == pytest.approx(1130 / (2 * 217))
    # each label's positives and negatives carry equal total weight, n / 2
    assert_allclose((w * y).sum(axis=0), n / 2)
    assert_allclose((w * (1 - y)).sum(axis=0), n / 2)


def test_multilabel_label_without_positives_keeps_the_formula_for_its_zeros():
    y = np.array([[1, 0], [0, 0], [0, 0], [1, 0]])
    assert class_weights(y, kind="multilabel") == [{0: 1.0, 1: 1.0}, {0: 0.5, 1: 1.0}]


def test_multilabel_explicit_list_of_dicts():
    y = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1]])
    spec = [{0: 0.5, 1: 4}, None, {1: 2}]
    assert class_weights(y, spec) == [{0: 0.5, 1: 4.0}, {0: 1.0, 1: 1.0}, {0: 1.0, 1: 2.0}]
    assert_array_equal(sample_weights(y, spec), [[4, 1, 2], [0.5, 1, 2], [0.5, 1, 2]])
    assert_array_equal(sample_weights(y.astype(bool), spec), sample_weights(y, spec))


def test_multilabel_rows_with_one_label_each_need_the_kind_or_a_list_spec():
    y = np.array([[1, 0], [0, 1], [1, 0]])
    assert target_kind(y) == "onehot"
    assert target_kind(y, kind="multilabel") == "multilabel"
    assert sample_weights(y, kind="multilabel").shape == (3, 2)
    # weights resolved as multi-label on training rows are applied per label
    w = class_weights(np.array([[1, 1], [0, 1], [0, 0], [0, 1]]))
    assert_allclose(apply_class_weights(y, w), [[2.0, 2.0], [2 / 3, 2 / 3], [2.0, 2.0]])


# --------------------------------------------------------------------------- #
# multi-output containers (one target per model output)
# --------------------------------------------------------------------------- #
def test_multi_output_list_gives_one_weight_array_per_output():
    a = np.array([0, 0, 0, 1])
    b = np.array(["x", "y", "y", "y"])
    w = sample_weights([a, b], ["balanced", {"x": 5}])
    assert isinstance(w, list) and len(w) == 2
    assert_allclose(w[0], sample_weights(a))
    assert_array_equal(w[1], [5, 1, 1, 1])
    assert class_weights([a, b], ["balanced", {"x": 5}]) == [class_weights(a), {"x": 5.0, "y": 1.0}]


def test_multi_output_dict_keyed_by_output_name_with_onehot_and_multilabel_outputs():
    y = {
        "species": np.eye(3)[[0, 0, 0, 1, 2, 2]],
        "tags": np.array([[1, 0], [1, 0], [1, 1], [0, 0], [1, 0], [1, 0]]),
        "alive": np.array([1, 1, 1, 1, 1, 0]),
    }
    spec = {"species": "balanced", "tags": [None, {1: 3}], "alive": {0: 10}}
    w = sample_weights(y, spec)
    assert sorted(w) == ["alive", "species", "tags"]
    assert_allclose(w["species"], sample_weights(np.array([0, 0, 0, 1, 2, 2])))
    assert w["tags"].shape == (6, 2)
    assert_array_equal(w["tags"][:, 1], [1, 1, 3, 1, 1, 1])
    assert_array_equal(w["alive"], [1, 1, 1, 1, 1, 10])
    cw = class_weights(y, spec)
    assert cw["alive"] == {0: 10.0, 1: 1.0}
    assert cw["tags"] == [{0: 1.0, 1: 1.0}, {0: 1.0, 1: 3.0}]
    # unnamed outputs of a dict spec default to None (unit weights)
    assert_array_equal(sample_weights(y, {"alive": "balanced"})["species"], np.ones(6))


def test_multi_output_string_spec_applies_to_every_output_and_int_keyed_dict_to_a_list():
    y = [np.array([0, 1, 1, 1]), np.array([2, 2, 3, 3])]
    both = sample_weights(y, "balanced")
    assert_allclose(both[0], sample_weights(y[0]))
    assert_allclose(both[1], [1, 1, 1, 1])
    by_index = sample_weights(y, {1: {3: 2.0}})
    assert_array_equal(by_index[0], [1, 1, 1, 1])
    assert_array_equal(by_index[1], [1, 1, 2, 2])


@pytest.mark.parametrize(
    "y, spec, exc, pattern",
    [
        ({"a": np.array([0, 1])}, {"b": "balanced"}, ValueError, r"names output 'b'.*outputs are \['a'\]"),
        ([np.array([0, 1]), np.array([0, 1])], ["balanced"], ValueError, r"1 entries but the target has 2 outputs"),
        ([np.array([0, 1]), np.array([0, 1])], {"a": {0: 1}}, ValueError, r"2 unnamed outputs"),
        ([np.array([0, 1]), np.array([0, 1])], 3, TypeError, r"class_weight=3 has type int"),
        ([np.array([0, 1]), np.array([0, 1, 1])], None, ValueError, r"different numbers of rows"),
        ([np.array([[0, 2], [1, 3]]), np.array([0, 1])], None, ValueError, r"y\[0\] is a 2-D array of non-indicator"),
        ({"a": np.array([0, 1])}, {"a": {5: 2}}, ValueError, r"class_weight\['a'\] has key 5"),
    ],
)
def test_multi_output_errors(y, spec, exc, pattern):
    with pytest.raises(exc, match=pattern):
        sample_weights(y, spec)


# --------------------------------------------------------------------------- #
# sequences
# --------------------------------------------------------------------------- #
def test_sequence_weights_per_timestep_and_padding_weighs_zero():
    y = np.array([[1, 1, 2, 0, 0], [1, 3, 0, 0, 0], [1, 1, 1, 1, 2]])
    assert target_kind(y) == "multioutput"
    assert target_kind(y, kind="sequence") == "sequence"
    w = sample_weights(y, kind="sequence", padding_label=0)
    assert w.shape == y.shape
    assert_array_equal(w[y == 0], 0.0)
    # balanced over the 10 non-padding elements: 1 x7, 2 x2, 3 x1
    expected = {0: 0.0, 1: 10 / (3 * 7), 2: 10 / (3 * 2), 3: 10 / 3}
    assert class_weights(y, kind="sequence", padding_label=0) == pytest.approx(expected)
    assert_allclose(w, np.vectorize(expected.get)(y))
    # the non-padding weights equal scikit-learn's on the non-padding elements
    assert_allclose(w[y != 0], compute_sample_weight("balanced", y[y != 0]))


def test_sequence_string_labels_padding_dict_and_no_padding():
    y = np.array([["B", "I", "O", "<pad>"], ["O", "O", "O", "O"]])
    w = sample_weights(y, {"B": 4.0, "<pad>": 7.0}, kind="sequence", padding_label="<pad>")
    assert_array_equal(w, [[4, 1, 1, 0], [1, 1, 1, 1]])
    # without a padding label every element counts
    w2 = sample_weights(y, kind="sequence")
    assert_allclose(w2.ravel(), compute_sample_weight("balanced", y.ravel()))


def test_sequence_padding_absent_from_rows_still_weighs_zero_on_other_rows():
    cw = class_weights(np.array([[1, 2], [2, 2]]), kind="sequence", padding_label=0)
    assert cw == {1: 2.0, 2: 2 / 3, 0: 0.0}
    assert_allclose(apply_class_weights(np.array([[1, 0], [2, 0]]), cw), [[2.0, 0.0], [2 / 3, 0.0]])


def test_sequence_of_padding_only_is_an_error():
    with pytest.raises(ValueError, match="every element of y is the padding label"):
        sample_weights(np.zeros((2, 3), dtype=int), kind="sequence", padding_label=0)


# --------------------------------------------------------------------------- #
# ordinal
# --------------------------------------------------------------------------- #
def _thermometer(levels, n_thresholds):
    return (np.arange(n_thresholds) < np.asarray(levels)[:, None]).astype(int)


def test_ordinal_balances_levels_not_bits():
    levels = np.array([0] * 10 + [1] * 5 + [2] * 3 + [4] * 2)
    y = _thermometer(levels, 4)
    assert target_kind(y) == "multilabel"  # alone, a thermometer code is ambiguous
    cw = class_weights(y, kind="ordinal")
    assert cw == pytest.approx(class_weights(levels))
    assert cw == pytest.approx({0: 20 / 40, 1: 20 / 20, 2: 20 / 12, 4: 20 / 8})
    w = sample_weights(y, kind="ordinal")
    assert w.shape == (20,)
    assert_allclose(w, compute_sample_weight("balanced", levels), rtol=1e-12)
    assert_array_equal(sample_weights(y, {4: 9.0}, kind="ordinal"), np.where(levels == 4, 9.0, 1.0))


@pytest.mark.parametrize("bad_row", [[0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 2]])
def test_ordinal_rejects_a_non_thermometer_row(bad_row):
    y = _thermometer([0, 1, 2, 3, 4], 4)
    y = np.vstack([y, bad_row])
    with pytest.raises(ValueError, match=r"thermometer-coded.*row 5 of y is not: \[" + ", ".join(map(str, bad_row))):
        class_weights(y, kind="ordinal")


# --------------------------------------------------------------------------- #
# explicit kinds
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "y, kind, expected",
    [
        ([0, 1, 1], None, "binary"),
        (["a", "b", "c"], None, "multiclass"),
        ([[0], [1], [2]], None, "multiclass"),  # a column vector is 1-D labels
        ([0, 1, 1], "multiclass", "multiclass"),
        ([[1, 0], [0, 1]], None, "onehot"),
        ([[1, 0], [1, 1]], None, "multilabel"),
        ([[1, 0], [0, 1]], "multilabel", "multilabel"),
        ([[1, 0], [1, 1]], "ordinal", "ordinal"),
        ([[1, 2], [3, 0]], None, "multioutput"),
        ([[1, 2], [3, 0]], "sequence", "sequence"),
        ([[1, 0], [0, 1]], "sequence", "sequence"),
        ({"a": [0, 1]}, None, "multioutput"),
    ],
)
def test_target_kind_detected_and_explicit(y, kind, expected):
    assert target_kind(y, kind) == expected
    assert expected in KINDS


@pytest.mark.parametrize(
    "y, kind, pattern",
    [
        ([0, 1, 2], "binary", r"kind='binary' but y has 3 classes"),
        ([0, 1], "sequence", r"kind='sequence' needs a 2-D target"),
        ([[0, 1], [1, 0]], "binary", r"kind='binary' needs a 1-D target"),
        ([[1, 1], [1, 0]], "onehot", r"kind='onehot' needs y to hold rows of 0/1 with exactly one 1"),
        ([[0, 2], [1, 0]], "multilabel", r"only 0 and 1; y holds 2"),
        ([0, 1], "tabular", r"kind='tabular' is not a target kind; accepted: binary, multiclass"),
        ([[[0]]], None, r"y must be 1-D or 2-D"),
        ({"a": [0, 1]}, "sequence", r"kind='sequence' does not fit a list/dict"),
    ],
)
def test_explicit_kind_errors(y, kind, pattern):
    with pytest.raises(ValueError, match=pattern):
        target_kind(y, kind)
    with pytest.raises(ValueError, match=pattern):
        sample_weights(y, kind=kind)


def test_apply_class_weights_uses_training_weights_on_other_rows():
    train = np.array(["a", "a", "a", "b"])
    cw = class_weights(train)
    assert_allclose(apply_class_weights(np.array(["b", "a", "c"]), cw), [2.0, 2 / 3, 1.0])  # unseen "c" weighs 1
    seq_cw = class_weights(np.array([[1, 1], [2, 0]]), kind="sequence", padding_label=0)
    # a dict over a 2-D label matrix is read as a sequence
    assert_allclose(apply_class_weights(np.array([[2, 0], [1, 3]]), seq_cw), [[1.5, 0.0], [0.75, 1.0]])
    assert_allclose(apply_class_weights(_thermometer([1, 2], 2), {1: 3.0, 2: 0.5}, kind="ordinal"), [3.0, 0.5])
    with pytest.raises(TypeError, match=r"weights must be a dict \{label: weight\} for a binary target; got list"):
        apply_class_weights([0, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"weights must be a list of 2 \{0: w_neg, 1: w_pos\} dicts"):
        apply_class_weights([[1, 1], [0, 1]], [{0: 1, 1: 2}])


# --------------------------------------------------------------------------- #
# errors: name the parameter, the bad value and what is accepted
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "y, spec, exc, pattern",
    [
        ([0, 1], "balance", ValueError, r"class_weight='balance' is not supported; accepted: None, 'balanced'"),
        ([0, 1], 3, TypeError, r"class_weight=3 has type int; accepted: None, 'balanced'"),
        ([0, 1], {0: -1}, ValueError, r"class_weight\[0\] = -1.0 is not allowed.*non-negative"),
        ([0, 1], {0: float("nan")}, ValueError, r"class_weight\[0\] = nan is not allowed"),
        ([0, 1], {0: True}, TypeError, r"class_weight\[0\] = True is not a number"),
        ([0, 1], {0: "2"}, ValueError, r"class_weight maps keys to specs"),
        (
            [0, 1],
            {"0": 2},
            ValueError,
            r"key '0', which is not a class of y \(the key is a string but the labels are not\)",
        ),
        (
            ["a", "b"],
            {0: 2},
            ValueError,
            r"key 0, which is not a class of y \(the labels are strings but the key is not\)",
        ),
        ([0, 1], [{0: 1}], ValueError, r"class_weight is a list .* single label per sample"),
        ([[1, 0], [1, 1]], {0: 2}, ValueError, r"single dict, but y is a multi-label target with 2 labels"),
        ([[1, 0], [1, 1]], [{0: 2}], ValueError, r"1 entries but y has 2 labels"),
        (
            [[1, 0], [1, 1]],
            [{0: 2}, {2: 1}],
            ValueError,
            r"class_weight\[1\] has key 2; a multi-label entry accepts keys 0 and 1",
        ),
        ([[1, 0], [1, 1]], [{0: 2}, 5], TypeError, r"class_weight\[1\] = 5 must be a dict"),
        ([], None, ValueError, r"y is empty"),
        ([0.0, float("nan")], None, ValueError, r"y contains NaN or infinite labels"),
        ([0.0, 0.5], None, ValueError, r"y holds continuous values \(0.5\)"),
        (np.array([1, "a"], dtype=object), None, ValueError, r"y mixes labels of types \['int', 'str'\]"),
        (np.array(["a", None], dtype=object), None, ValueError, r"y contains missing labels \(None\)"),
        (5, None, ValueError, r"y must be an array of labels, got a scalar"),
    ],
)
def test_bad_input_errors(y, spec, exc, pattern):
    with pytest.raises(exc, match=pattern):
        sample_weights(y, spec)


def test_bad_dtype_is_a_type_error():
    with pytest.raises(TypeError, match=r"dtype=<class 'numpy.int32'> is not a float dtype"):
        sample_weights([0, 1], dtype=np.int32)


# --------------------------------------------------------------------------- #
# inputs are never modified
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "y, kwargs",
    [
        (np.array([3, 1, 1, 2], dtype=np.int8), {}),
        (np.array(["b", "a", "a"]), {"class_weight": {"a": 2}}),
        (np.eye(3)[[0, 1, 1, 2]], {}),
        (np.array([[1, 0], [1, 1], [0, 0]]), {"class_weight": [{1: 2}, None]}),
        (np.array([[1, 1, 0], [1, 0, 0]]), {"kind": "ordinal"}),
        (np.array([[1, 2, 0], [2, 0, 0]]), {"kind": "sequence", "padding_label": 0}),
        ([np.array([0, 1, 1]), np.array([2, 2, 3])], {"class_weight": [{0: 3}, "balanced"]}),
    ],
)
def test_inputs_are_not_modified(y, kwargs):
    import copy

    before_y = copy.deepcopy(y)
    before_kwargs = copy.deepcopy(kwargs)
    w = sample_weights(y, **kwargs)
    class_weights(y, **kwargs)
    for a, b in zip(y if isinstance(y, list) else [y], before_y if isinstance(y, list) else [before_y]):
        assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert kwargs == before_kwargs
    # the result never aliases the caller's array
    for part in w if isinstance(w, list) else [w]:
        for a in y if isinstance(y, list) else [y]:
            assert not np.shares_memory(part, a)


@PROPERTY
@given(label_arrays(min_size=20, max_size=80), st.integers(1, 8))
def test_labels_encoded_by_search_match_scikit_learn_when_the_sample_misses_classes(y, sample):
    # a tiny guess sample misses classes, forcing the unmatched-rows path
    from unittest import mock

    from skweight import _encoding

    with mock.patch.object(_encoding, "_GUESS_SAMPLE", sample):
        assert_allclose(sample_weights(y, "balanced"), compute_sample_weight("balanced", y), rtol=1e-12)
        assert class_weights(y) == pytest.approx(_sk_class_weight_dict("balanced", y), rel=1e-12)
