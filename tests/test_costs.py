"""skweight._costs: cost_matrix forms, their errors, minimum-expected-cost
decisions and the cost-derived training weights (NumPy only, milliseconds)."""

import numpy as np
import pytest

from skweight._costs import (
    cost_class_weights,
    decide,
    expected_costs,
    levels_to_thermometer,
    min_cost_codes,
    ordinal_level_proba,
    resolve_cost_matrices,
    resolve_cost_matrix,
    unweight_class_proba,
    unweight_ordinal_proba,
)
from skweight._targets import TargetEncoder


def _random_proba(rng, n, k):
    return rng.dirichlet(np.ones(k), size=n)


# --------------------------------------------------------------------------- #
# forms
# --------------------------------------------------------------------------- #
def test_array_form_is_a_float_copy_in_class_order():
    user = np.array([[0, 2, 3], [1, 0, 4], [5, 6, 0]])
    before = user.copy()
    C = resolve_cost_matrix(user, ["a", "b", "c"])
    assert C.dtype == np.float64 and C.tolist() == user.tolist()
    C[0, 1] = 99.0
    assert np.array_equal(user, before)  # the caller's array is not the result, nor written to
    assert resolve_cost_matrix([[0, 1], [7, 0]], [0, 1]).tolist() == [[0.0, 1.0], [7.0, 0.0]]


def test_dict_form_fills_missing_pairs_with_0_on_the_diagonal_and_1_elsewhere():
    spec = {"b": {"a": 4.0}, "c": {"a": 2.5, "b": 0.0}}
    before = {k: dict(v) for k, v in spec.items()}
    C = resolve_cost_matrix(spec, np.array(["a", "b", "c"]))
    assert C.tolist() == [[0.0, 1.0, 1.0], [4.0, 0.0, 1.0], [2.5, 0.0, 0.0]]
    assert spec == before
    assert resolve_cost_matrix({}, [0, 1, 2]).tolist() == (1 - np.eye(3)).tolist()


def test_dict_keys_meet_labels_of_other_numpy_types():
    # keys as numpy ints and floats, labels as Python ints (as class_weight dicts do)
    C = resolve_cost_matrix({np.int64(1): {np.float64(0.0): 3}}, np.array([0, 1], dtype=np.int32))
    assert C.tolist() == [[0.0, 1.0], [3.0, 0.0]]
    # one-hot targets: column indices; ordinal targets: levels
    assert resolve_cost_matrix({2: {0: 9}}, np.arange(3), kind="onehot")[2, 0] == 9.0
    assert resolve_cost_matrix({0: {3: 9}}, np.arange(4), kind="ordinal")[0, 3] == 9.0


def test_named_forms():
    assert resolve_cost_matrix("ordinal", [1, 2, 3, 4]).tolist() == [
        [0, 1, 2, 3],
        [1, 0, 1, 2],
        [2, 1, 0, 1],
        [3, 2, 1, 0],
    ]
    assert resolve_cost_matrix("ordinal_squared", np.arange(4), kind="ordinal").tolist() == [
        [0, 1, 4, 9],
        [1, 0, 1, 4],
        [4, 1, 0, 1],
        [9, 4, 1, 0],
    ]
    # positions, not label values: labels 10, 20, 50 are three consecutive levels
    assert resolve_cost_matrix("ordinal", [10, 20, 50]).tolist() == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
    assert resolve_cost_matrix(None, [0, 1]) is None


# --------------------------------------------------------------------------- #
# errors: each names cost_matrix, the bad value and what is accepted
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "spec, classes, match",
    [
        (np.zeros((3, 3)) + 1 - np.eye(3), [0, 1], r"cost_matrix has shape \(3, 3\).*2 classes.*\(2, 2\) array"),
        ([0, 1], [0, 1], r"cost_matrix has shape \(2,\)"),
        ([[0, -1.0], [1, 0]], ["x", "y"], r"cost_matrix\[0, 1\] = -1.0 \(true 'x', predicted 'y'\) is negative"),
        ([[0, np.nan], [1, 0]], [0, 1], r"cost_matrix\[0, 1\] = nan .* is not finite"),
        ([[0, 1], [np.inf, 0]], [0, 1], r"cost_matrix\[1, 0\] = inf .* is not finite"),
        ([[0, 1], [1, 2]], [0, 1], r"cost_matrix\[1, 1\] = 2.0 .*must cost 0"),
        (np.zeros((2, 2)), [0, 1], r"cost_matrix is all zeros"),
        ({"z": {"a": 1}}, ["a", "b"], r"names true label 'z', which is not a class of y; the classes are \['a', 'b'\]"),
        ({"a": {"q": 1}}, ["a", "b"], r"names predicted label 'q'"),
        ({"a": {"a": 1}}, ["a", "b"], r"cost_matrix\[0, 0\] = 1.0 .*must cost 0"),
        ({"a": {"b": -2}}, ["a", "b"], r"is negative"),
        ("linear", [0, 1], r"cost_matrix='linear' is not a named cost form; accepted: None, 'ordinal'"),
        ("ordinal", ["high", "low", "mid"], r"are not numbers.*sort alphabetically"),
    ],
)
def test_bad_cost_matrix_is_a_value_error_naming_it(spec, classes, match):
    with pytest.raises(ValueError, match=match):
        resolve_cost_matrix(spec, classes)


@pytest.mark.parametrize(
    "spec, match",
    [
        (5, r"cost_matrix=5 has type int; accepted: None, 'ordinal'"),
        ([["0", "1"], ["1", "0"]], r"has dtype <U1; costs must be real numbers"),
        ([[False, True], [True, False]], r"has dtype bool"),
        ({0: 3}, r"cost_matrix\[0\] = 3 is not a dict"),
        ({0: {1: "2"}}, r"cost_matrix\[0\]\[1\] = '2' is not a real number"),
        ({0: {1: True}}, r"is not a real number"),
        (np.array([[0, None], [1, 0]], dtype=object), r"cost_matrix\[0, 1\] = None is not a real number"),
    ],
)
def test_cost_of_the_wrong_type_is_a_type_error(spec, match):
    with pytest.raises(TypeError, match=match):
        resolve_cost_matrix(spec, [0, 1])


@pytest.mark.parametrize("kind", ["multilabel", "sequence", "multioutput", "regression"])
def test_kinds_without_one_class_per_row_are_refused(kind):
    with pytest.raises(ValueError, match=rf"cost_matrix is given, but the target is '{kind}'; a cost matrix applies"):
        resolve_cost_matrix("ordinal", [0, 1, 2], kind=kind)


def test_a_single_class_is_accepted():
    # partial data with one class: nothing to decide, but no error (as class_weight)
    assert resolve_cost_matrix([[0]], [7]).tolist() == [[0.0]]


# --------------------------------------------------------------------------- #
# multi-output: one spec per output, keyed as class_weight is
# --------------------------------------------------------------------------- #
def test_per_output_specs_by_name_position_and_string():
    kinds = ["binary", "multiclass", "regression"]
    classes = [[0, 1], [1, 2, 3], None]
    names = ["risk", "level", "price"]
    by_name = resolve_cost_matrices({"level": "ordinal"}, kinds, classes, names)
    assert by_name[0] is None and by_name[2] is None
    assert by_name[1].tolist() == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
    by_list = resolve_cost_matrices([[[0, 3], [1, 0]], None, None], kinds, classes, names)
    assert by_list[0].tolist() == [[0, 3], [1, 0]] and by_list[1] is None
    by_position = resolve_cost_matrices({0: {1: {0: 5}}}, kinds, classes)
    assert by_position[0].tolist() == [[0, 1], [5, 0]]
    # one string: every classification output, not the regression one
    every = resolve_cost_matrices("ordinal", kinds, classes, names)
    assert [c is None for c in every] == [False, False, True]
    assert resolve_cost_matrices(None, kinds, classes, names) == [None, None, None]


def test_per_output_errors_name_the_output():
    kinds, classes, names = ["binary", "multilabel"], [[0, 1], [0, 1, 2]], ["a", "b"]
    with pytest.raises(ValueError, match=r"cost_matrix\['b'\] is given, but the target is 'multilabel'"):
        resolve_cost_matrices({"b": "ordinal"}, kinds, classes, names)
    with pytest.raises(ValueError, match=r"cost_matrix\['a'\]\[0, 1\] = -1.0"):
        resolve_cost_matrices({"a": [[0, -1], [1, 0]]}, kinds, classes, names)
    with pytest.raises(ValueError, match=r"cost_matrix is one array, but the target has 2 outputs"):
        resolve_cost_matrices(np.ones((2, 2)) - np.eye(2), kinds, classes, names)
    with pytest.raises(ValueError, match=r"keys \[1\] are not all outputs of y"):
        resolve_cost_matrices({1: {0: 2}}, ["binary"], [[0, 1]], ["a"])  # a {true: {pred: cost}} dict
    with pytest.raises(ValueError, match=r"cost_matrix=\[None, None, None\] has 3 entries but y has 2 outputs"):
        resolve_cost_matrices([None, None, None], kinds, classes, names)


# --------------------------------------------------------------------------- #
# decisions
# --------------------------------------------------------------------------- #
def test_binary_decision_follows_the_cost_ratio():
    # missing a positive costs 10, a false alarm 1: predict 1 once p1 * 10 > p0 * 1, i.e. p1 > 1/11
    C = resolve_cost_matrix({1: {0: 10}}, [0, 1])
    p1 = np.array([0.05, 0.09, 0.0910, 0.1, 0.5])
    proba = np.column_stack([1 - p1, p1])
    before = proba.copy()
    assert min_cost_codes(proba, C).tolist() == [0, 0, 1, 1, 1]
    assert np.array_equal(proba, before)
    assert np.allclose(expected_costs(proba[:1], C), [[0.5, 0.95]])  # [10 * 0.05, 1 * 0.95]


def test_hand_computed_three_class_case():
    C = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [8.0, 3.0, 0.0]])
    p = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    # row 0: [0.3*2 + 0.2*8, 0.5*1 + 0.2*3, 0.5*4 + 0.3*1] = [2.2, 1.1, 2.3]
    # row 1: [0.2*2 + 0.6*8, 0.2*1 + 0.6*3, 0.2*4 + 0.2*1] = [5.2, 2.0, 1.0]
    assert np.allclose(expected_costs(p, C), [[2.2, 1.1, 2.3], [5.2, 2.0, 1.0]])
    assert min_cost_codes(p, C).tolist() == [1, 2]  # argmax would give [0, 2]


def test_zero_one_costs_give_the_most_probable_class_and_ties_go_first():
    rng = np.random.default_rng(0)
    p = _random_proba(rng, 500, 5)
    assert np.array_equal(min_cost_codes(p, 1 - np.eye(5)), np.argmax(p, axis=1))
    assert min_cost_codes(np.array([[0.4, 0.4, 0.2]]), 1 - np.eye(3)).tolist() == [0]


def test_proba_shape_must_match_the_cost_matrix():
    with pytest.raises(ValueError, match=r"proba has shape \(1, 3\), but the cost matrix is \(2, 2\)"):
        min_cost_codes(np.ones((1, 3)) / 3, 1 - np.eye(2))


def test_decide_gives_labels_in_the_layout_of_each_kind():
    C = resolve_cost_matrix({"spam": {"ham": 9}}, ["ham", "spam"])
    assert decide("binary", np.array([[0.85, 0.15], [0.95, 0.05]]), C, np.array(["ham", "spam"])).tolist() == [
        "spam",
        "ham",
    ]
    C3 = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [8.0, 3.0, 0.0]])
    p = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    assert decide("multiclass", p, C3, np.array([10, 20, 30])).tolist() == [20, 30]
    assert decide("onehot", p, C3, np.arange(3)).tolist() == [[0, 1, 0], [0, 0, 1]]
    # multi-output: one cost matrix (or None: most probable class) per label column
    out = decide("multioutput", [p, p], [C3, None], [np.array([1, 2, 3]), np.array(["a", "b", "c"])])
    assert out.tolist() == [["2", "a"], ["3", "c"]]
    with pytest.raises(ValueError, match="target is 'multilabel'"):
        decide("multilabel", p, C3, np.arange(3))


def test_ordinal_cost_reproduces_the_default_ordinal_prediction():
    # |i - j| costs pick the median level, which is the count of leading thresholds above 0.5:
    # exactly the level skweight predicts for an ordinal target without costs
    rng = np.random.default_rng(1)
    q = rng.uniform(size=(2000, 4))  # not monotone on purpose
    enc = TargetEncoder(kind="ordinal").fit(levels_to_thermometer(np.arange(5), 4))
    C = resolve_cost_matrix("ordinal", enc.classes_, kind="ordinal")
    assert np.array_equal(decide("ordinal", q, C, enc.classes_), enc.labels(q))


def test_ordinal_squared_cost_picks_the_level_nearest_the_mean():
    rng = np.random.default_rng(2)
    q = np.sort(rng.uniform(size=(2000, 4)), axis=1)[:, ::-1]
    levels = ordinal_level_proba(q)
    mean = levels @ np.arange(5)
    keep = np.abs(mean - np.round(mean) - 0.5 * np.sign(mean - np.round(mean))) > 1e-9  # no exact half-way ties
    C = resolve_cost_matrix("ordinal_squared", np.arange(5), kind="ordinal")
    got = decide("ordinal", q, C, np.arange(5)).sum(axis=1)
    assert np.array_equal(got[keep], np.round(mean[keep]).astype(int))


def test_ordinal_level_proba():
    q = np.array([[0.9, 0.6, 0.2], [0.3, 0.4, 0.1], [1.2, -0.1, 0.0]])
    before = q.copy()
    levels = ordinal_level_proba(q)
    assert np.allclose(levels[0], [0.1, 0.3, 0.4, 0.2])
    assert np.allclose(levels[1], [0.7, 0.0, 0.2, 0.1])  # 0.4 cut to the running minimum 0.3
    assert np.allclose(levels[2], [0.0, 1.0, 0.0, 0.0])  # clipped to [0, 1]
    assert np.all(levels >= 0) and np.allclose(levels.sum(axis=1), 1.0)
    assert np.array_equal(q, before)
    with pytest.raises(ValueError, match="must be 2-D"):
        ordinal_level_proba(np.array([0.5]))


# --------------------------------------------------------------------------- #
# training weights from the costs, undone in predict_proba
# --------------------------------------------------------------------------- #
def test_binary_cost_weights_are_elkans_and_average_1_over_the_rows():
    C = np.array([[0.0, 2.0], [8.0, 0.0]])
    counts = np.array([80, 20])
    w = cost_class_weights(C, counts)
    assert w[1] / w[0] == pytest.approx(8.0 / 2.0)
    assert np.dot(counts, w) == pytest.approx(counts.sum())
    # Elkan: the weighted posterior's most probable class is the minimum-cost class, and
    # undoing the weights gives back the posterior
    rng = np.random.default_rng(3)
    p = _random_proba(rng, 1000, 2)
    weighted = p * w / (p * w).sum(axis=1, keepdims=True)
    assert np.array_equal(np.argmax(weighted, axis=1), min_cost_codes(p, C))
    assert np.allclose(unweight_class_proba(weighted, w), p)


def test_pairwise_weights_meet_every_pairwise_cost_ratio_they_can():
    rng = np.random.default_rng(5)
    counts = np.array([40, 30, 20, 10])
    # C[i, j] = w_i * s[i, j] with s symmetric: the ratios C[i, j] / C[j, i] = w_i / w_j are met exactly
    s = rng.uniform(0.5, 3.0, (4, 4))
    s = (s + s.T) * (1 - np.eye(4))
    w_true = np.array([1.0, 2.0, 0.5, 4.0])
    w = cost_class_weights(w_true[:, None] * s, counts)
    assert np.allclose(w / w[0], w_true / w_true[0])
    assert np.dot(counts, w) == pytest.approx(counts.sum())
    # symmetric costs (the ordinal forms): every class weighs the same, 1
    for form in ("ordinal", "ordinal_squared"):
        assert np.allclose(cost_class_weights(resolve_cost_matrix(form, np.arange(4)), counts), 1.0)
    # no weights meet every ratio: least squares on the logarithms, which for a matrix of positive
    # costs is the mean over j of log(C[i, j] / C[j, i]) (minimum norm: the logs sum to 0)
    C = rng.uniform(0.5, 5.0, (4, 4)) * (1 - np.eye(4))
    ratio = np.log(C + np.eye(4)) - np.log(C.T + np.eye(4))
    want = np.exp(ratio.mean(axis=1))
    assert np.allclose(cost_class_weights(C, counts), want * counts.sum() / np.dot(counts, want))


def test_pairwise_weights_leave_out_pairs_with_a_zero_cost():
    # class 2 is linked to no other class by two positive costs: it keeps the mean log weight, 0
    C = np.array([[0.0, 4.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    w = cost_class_weights(C, [1, 1, 1])
    assert np.allclose(np.log(w / w[2]), [np.log(2.0), -np.log(2.0), 0.0])
    assert np.all(cost_class_weights(C, [0, 0, 0]) > 0)


def test_row_sum_weights():
    C = np.array([[0.0, 1.0, 1.0], [5.0, 0.0, 5.0], [0.0, 0.0, 0.0]])
    w = cost_class_weights(C, [10, 10, 10], method="row_sum")
    # row sums 2, 10, 0; the free class weighs as the cheapest class with a cost (2), not 0
    assert np.allclose(w / w[0], [1.0, 5.0, 1.0])
    assert np.dot([10, 10, 10], w) == pytest.approx(30.0)
    assert np.all(cost_class_weights(C, [0, 0, 0], method="row_sum") > 0)
    # two classes: the same as the pairwise weights (Elkan's)
    C2 = np.array([[0.0, 3.0], [7.0, 0.0]])
    assert np.allclose(cost_class_weights(C2, [5, 5], method="row_sum"), cost_class_weights(C2, [5, 5]))


def test_cost_weights_check_their_inputs():
    C = 1 - np.eye(3)
    with pytest.raises(ValueError, match="one non-negative count per class"):
        cost_class_weights(C, [1, 2])
    with pytest.raises(ValueError, match="one non-negative count per class"):
        cost_class_weights(C, [1, -2, 3])
    with pytest.raises(ValueError, match=r"method='mean' is not accepted; give one of \('pairwise', 'row_sum'\)"):
        cost_class_weights(C, [1, 2, 3], method="mean")


def test_unweight_class_proba_checks_its_weights():
    with pytest.raises(ValueError, match="finite and positive"):
        unweight_class_proba(np.array([[0.5, 0.5]]), [1.0, 0.0])
    with pytest.raises(ValueError, match="one weight per column"):
        unweight_class_proba(np.array([[0.5, 0.5]]), [1.0, 2.0, 3.0])


def test_unweight_ordinal_proba_inverts_level_weights():
    # a threshold model trained with level weights w estimates the cumulative of w * p (normalised)
    rng = np.random.default_rng(4)
    p = _random_proba(rng, 300, 5)
    w = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    pw = p * w / (p * w).sum(axis=1, keepdims=True)

    def thresholds(levels):
        return np.cumsum(levels[:, ::-1], axis=1)[:, ::-1][:, 1:]

    q_w = thresholds(pw)
    before = q_w.copy()
    back = unweight_ordinal_proba(q_w, w)
    assert np.allclose(back, thresholds(p), atol=1e-12)
    assert np.all(np.diff(back, axis=1) <= 1e-15)  # non-increasing along each row
    assert np.array_equal(q_w, before)


def test_levels_to_thermometer():
    assert levels_to_thermometer([0, 1, 3], 3).tolist() == [[0, 0, 0], [1, 0, 0], [1, 1, 1]]
