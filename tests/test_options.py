"""The options beyond per-class weights, on the estimator: ``cost_matrix``, ``sampling``,
``loss="focal"`` (``focal_gamma``), ``logit_adjustment`` and ``decision_threshold``
(``decision_threshold_scoring``), by target kind, with numbers.

Models are tiny (8 hidden units) and train a few epochs; ``epochs=0`` where only what reaches the
compiled model matters.  Float tolerances: the network computes in float32, so probabilities that
come from two calls of the model may differ in the last float32 bits (relative 6e-8); what skweight
derives from them is float64.  Where both sides come from the same model output, results are exact.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV

import skweight._fit as fit_module
from skweight import WeightedKerasClassifier, unweight_proba
from skweight._backend import keras
from skweight._costs import levels_to_thermometer, ordinal_level_proba, unweight_class_proba
from skweight._splits import split_rows
from skweight._threshold import tune_threshold
from skweight.losses import (
    ElementwiseFocalBinaryCrossentropy,
    FocalBinaryCrossentropy,
    FocalCategoricalCrossentropy,
    FocalSparseCategoricalCrossentropy,
    LogitAdjustedBinaryCrossentropy,
    LogitAdjustedCategoricalCrossentropy,
    LogitAdjustedSparseCategoricalCrossentropy,
)

OPTIONS = {
    "cost_matrix": None,
    "sampling": None,
    "focal_gamma": 2.0,
    "logit_adjustment": None,
    "decision_threshold": None,
    "decision_threshold_scoring": "balanced_accuracy",
}


def small(**params):
    params = {
        "hidden_layer_sizes": (8,),
        "epochs": 2,
        "batch_size": 64,
        "optimizer__learning_rate": 0.03,  # a few epochs of a tiny model go a long way
        "random_state": 0,
        **params,
    }
    return WeightedKerasClassifier(**params)


# --------------------------------------------------------------------------- #
# data: one small table per target kind
# --------------------------------------------------------------------------- #
def _table(n=240, classes=2, weights=(0.8,), seed=0):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=classes, weights=list(weights),
        class_sep=1.2, random_state=seed,
    )  # fmt: skip
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def binary():
    return _table()


@pytest.fixture(scope="module")
def multiclass():
    X, y = _table(classes=3, weights=(0.6, 0.3))
    return X, np.array(["a", "b", "c"])[y]


@pytest.fixture(scope="module")
def ordinal():
    """Five levels of a noisy score, thermometer-coded (``target_kind="ordinal"``)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    score = X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.normal(size=300)
    levels = np.digitize(score, [-1.2, -0.3, 0.6, 1.5])
    return X, levels_to_thermometer(levels, 4), levels


def _kind_data(kind, binary, multiclass, ordinal):
    """``(X, y, estimator parameters)`` of one target kind."""
    Xb, yb = binary
    Xm, ym = multiclass
    if kind == "binary":
        return Xb, yb, {}
    if kind == "multiclass":
        return Xm, ym, {}
    if kind == "onehot":
        return Xm, np.eye(3, dtype=int)[np.searchsorted(["a", "b", "c"], ym)], {}
    if kind == "ordinal":
        return ordinal[0], ordinal[1], {"target_kind": "ordinal"}
    if kind == "multilabel":
        return Xb, np.column_stack([yb, Xb[:, 0] > 0, Xb[:, 1] > 0.5]).astype(int), {}
    if kind == "multioutput":
        return Xm, np.column_stack([np.searchsorted(["a", "b", "c"], ym), yb[: len(ym)]]), {}
    if kind == "per_output":
        return Xm, {"risk": yb[: len(ym)], "kind": ym}, {}
    if kind == "sequence":  # one label per timestep of a 3-D X
        return Xb.reshape(len(Xb), 3, 2), (Xb.reshape(len(Xb), 3, 2)[:, :, 0] > 0).astype(int), {}
    raise AssertionError(kind)


@pytest.fixture
def captured(monkeypatch):
    """The ``TrainData`` and ``TrainPlan`` of every fit while the test runs."""
    calls = []
    original = fit_module.train

    def train(model, data, plan):
        calls.append((data, plan))
        return original(model, data, plan)

    monkeypatch.setattr(fit_module, "train", train)
    return calls


@pytest.fixture
def no_build(monkeypatch):
    """Fails the test if a model is built: the error must come before."""

    def refuse(self):
        raise AssertionError("a model was built before the error")

    monkeypatch.setattr(WeightedKerasClassifier, "_build_keras_model", refuse)


# --------------------------------------------------------------------------- #
# scikit-learn semantics
# --------------------------------------------------------------------------- #
def test_the_options_are_parameters_with_defaults_and_clone():
    params = WeightedKerasClassifier().get_params()
    assert {k: params[k] for k in OPTIONS} == OPTIONS
    given = {"cost_matrix": [[0, 1], [5, 0]], "sampling": "over", "loss": "focal", "focal_gamma": 0.5}
    copy = clone(WeightedKerasClassifier(**given))
    assert {k: copy.get_params()[k] for k in given} == given
    assert "sampling='over'" in repr(copy) and "focal_gamma=0.5" in repr(copy)


def test_grid_search_compares_the_options_with_class_weight(binary):
    X, y = binary
    grid = [
        {"class_weight": [None, "balanced"]},
        {"sampling": ["under"]},
        {"loss": ["focal"]},
        {"logit_adjustment": [1.0]},
        {"decision_threshold": ["auto"]},
    ]
    search = GridSearchCV(small(epochs=1), grid, cv=2, scoring="balanced_accuracy", error_score="raise").fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores >= 0.0) & (scores <= 1.0))
    assert search.best_params_ in search.cv_results_["params"]


# --------------------------------------------------------------------------- #
# errors, before any model is built
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            {"cost_matrix": "linear"},
            ValueError,
            r"cost_matrix='linear' is not a named cost form; accepted: None, 'ordinal'",
        ),
        ({"cost_matrix": 3}, TypeError, r"cost_matrix=3 has type int; accepted"),
        ({"sampling": "smote"}, ValueError, r"sampling='smote' is not accepted; give None, 'under'"),
        ({"focal_gamma": -1}, ValueError, r"focal_gamma=-1 is not accepted; give a finite float >= 0"),
        ({"focal_gamma": "2"}, TypeError, r"focal_gamma='2' has type str"),
        ({"logit_adjustment": -0.5}, ValueError, r"logit_adjustment=-0.5 is not accepted; give None or a finite"),
        ({"decision_threshold": 1.5}, ValueError, r"decision_threshold=1.5 is outside \(0, 1\)"),
        ({"decision_threshold": "best"}, ValueError, r"decision_threshold='best' is not accepted"),
        ({"decision_threshold_scoring": "roc_auc"}, ValueError, r"decision_threshold_scoring='roc_auc' scores prob"),
        ({"decision_threshold_scoring": "nope"}, ValueError, r"'nope' is not a scikit-learn scorer name"),
        ({"sampling": "under", "class_weight": "balanced"}, ValueError, r"sampling='under' with class_weight='bal"),
        ({"logit_adjustment": 1.0, "class_weight": {0: 1, 1: 3}}, ValueError, r"logit_adjustment=1.0 with class_we"),
        ({"logit_adjustment": 1.0, "sampling": "over"}, ValueError, r"logit_adjustment=1.0 with sampling='over'"),
        ({"logit_adjustment": 1.0, "loss": "focal"}, ValueError, r"logit_adjustment=1.0 chooses the loss"),
        ({"decision_threshold": 0.3, "cost_matrix": [[0, 1], [2, 0]]}, ValueError, r"decision_threshold=0.3 and cost"),
        ({"cost_matrix": [[0, -1], [1, 0]]}, ValueError, r"cost_matrix\[0, 1\] = -1.0 .* is negative"),
        ({"cost_matrix": [[1, 1], [1, 0]]}, ValueError, r"cost_matrix\[0, 0\] = 1.0 .* a correct prediction must"),
        ({"cost_matrix": np.ones((3, 3)) - np.eye(3)}, ValueError, r"cost_matrix has shape \(3, 3\), but the target"),
        ({"cost_matrix": {1: {7: 2.0}}}, ValueError, r"cost_matrix names predicted label 7, which is not a class"),
    ],
)
def test_bad_options_are_refused_before_any_model_is_built(binary, no_build, params, error, match):
    X, y = binary
    with pytest.raises(error, match=match):
        small(**params).fit(X, y)


def test_an_ordinal_cost_needs_labels_in_numeric_order(multiclass, no_build):
    X, y = multiclass
    with pytest.raises(ValueError, match=r"cost_matrix='ordinal' orders the classes as sorted, but the classes"):
        small(cost_matrix="ordinal").fit(X, y)


REFUSED = [
    ("cost_matrix", "ordinal", "multilabel", r"cost_matrix is given, but the target is 'multilabel'"),
    ("cost_matrix", [[0, 1], [2, 0]], "sequence", r"cost_matrix is given, but the target is 'sequence'"),
    ("sampling", "under", "multilabel", r"sampling='under' resamples rows by their one class"),
    ("sampling", "over", "sequence", r"sampling='over' resamples rows by their one class"),
    ("sampling", "over", "multioutput", r"sampling='over' needs one class per row, but y has several outputs"),
    ("sampling", "under", "per_output", r"sampling='under' needs one class per row"),
    ("loss", "focal", "ordinal", r"loss='focal' is given, but the target is 'ordinal'"),
    ("loss", "focal", "sequence", r"loss='focal' is given, but the target is 'sequence'"),
    ("logit_adjustment", 1.0, "multilabel", r"logit_adjustment=1.0 is given, but the target is 'multilabel'"),
    ("logit_adjustment", 1.0, "ordinal", r"logit_adjustment=1.0 is given, but the target is 'ordinal'"),
    ("logit_adjustment", 1.0, "per_output", r"logit_adjustment=1.0 needs one class per row"),
    ("decision_threshold", "auto", "multiclass", r"decision_threshold is given, but the target is 'multiclass'"),
    ("decision_threshold", 0.3, "onehot", r"decision_threshold is given, but the target is 'onehot'"),
    ("decision_threshold", 0.3, "multioutput", r"decision_threshold=0.3 needs one class per row"),
]


@pytest.mark.parametrize("name, value, kind, match", REFUSED, ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_each_option_refuses_the_kinds_it_does_not_apply_to(
    binary, multiclass, ordinal, no_build, name, value, kind, match
):
    X, y, params = _kind_data(kind, binary, multiclass, ordinal)
    with pytest.raises(ValueError, match=match):
        small(**{name: value}, **params).fit(X, y)


def test_a_model_compiled_with_its_own_loss_refuses_the_options_losses(binary):
    X, y = binary

    def compiled():
        inputs = keras.Input((X.shape[1],))
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        return model

    with pytest.raises(ValueError, match=r"loss='focal' is given, but the model is compiled with"):
        WeightedKerasClassifier(compiled(), loss="focal", epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"logit_adjustment=1.0 is given, but the model is compiled with"):
        WeightedKerasClassifier(compiled(), logit_adjustment=1.0, epochs=1).fit(X, y)


def test_partial_fit_refuses_a_tuned_threshold_and_takes_a_fixed_one(binary):
    X, y = binary
    with pytest.raises(ValueError, match=r"decision_threshold='auto' is not supported by partial_fit"):
        small(decision_threshold="auto").partial_fit(X, y, classes=[0, 1])
    clf = small(decision_threshold=0.2).partial_fit(X, y, classes=[0, 1])
    assert clf.threshold_ == 0.2
    np.testing.assert_array_equal(clf.predict(X), (clf.predict_proba(X)[:, 1] >= 0.2).astype(int))


# --------------------------------------------------------------------------- #
# cost_matrix
# --------------------------------------------------------------------------- #
def _min_cost(proba, C, classes):
    return np.asarray(classes)[np.argmin(proba @ C, axis=1)]


def test_binary_costs_predict_the_expensive_class_more_and_by_the_expected_cost_rule(binary):
    X, y = binary
    C = np.array([[0.0, 1.0], [10.0, 0.0]])  # missing a positive costs 10
    plain = small(epochs=5).fit(X, y)
    costly = small(epochs=5, cost_matrix=C).fit(X, y)
    np.testing.assert_array_equal(costly.cost_matrix_, C)
    # Elkan's rebalancing: the positives weigh 10 times the negatives, averaging 1 over the rows
    w = costly.cost_weight_
    assert w[1] / w[0] == pytest.approx(10.0, rel=1e-12)
    assert (np.bincount(y) * [w[0], w[1]]).sum() == pytest.approx(len(y), rel=1e-12)
    proba = costly.predict_proba(X)
    np.testing.assert_array_equal(costly.predict(X), _min_cost(proba, C, costly.classes_))
    assert costly.predict(X).mean() > plain.predict(X).mean() + 0.05
    # predict_proba is the model's output with the cost weights taken out
    raw = costly.model_.predict_on_batch(X)[:, 0].astype(np.float64)
    undone = unweight_class_proba(np.column_stack([1 - raw, raw]), [w[0], w[1]])
    np.testing.assert_allclose(proba, undone, rtol=0, atol=1e-6)  # two float32 model calls
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_multiclass_costs_in_the_users_labels(multiclass):
    X, y = multiclass
    plain = small(epochs=5).fit(X, y)
    costly = small(epochs=5, cost_matrix={"c": {"a": 8.0, "b": 8.0}}).fit(X, y)
    expected = np.ones((3, 3)) - np.eye(3)
    expected[2, :2] = 8.0
    np.testing.assert_array_equal(costly.cost_matrix_, expected)
    assert sorted(costly.cost_weight_) == ["a", "b", "c"]
    assert costly.cost_weight_["c"] > costly.cost_weight_["a"]
    np.testing.assert_array_equal(costly.predict(X), _min_cost(costly.predict_proba(X), expected, ["a", "b", "c"]))
    assert (costly.predict(X) == "c").sum() > (plain.predict(X) == "c").sum()


def test_one_hot_costs_give_one_hot_rows_of_least_expected_cost(binary, multiclass, ordinal):
    X, Y, _ = _kind_data("onehot", binary, multiclass, ordinal)
    clf = small(cost_matrix={2: {0: 8.0, 1: 8.0}}).fit(X, Y)
    proba = clf.predict_proba(X)
    codes = np.argmin(proba @ clf.cost_matrix_, axis=1)
    np.testing.assert_array_equal(clf.predict(X), np.eye(3, dtype=int)[codes])
    assert set(clf.cost_weight_) == {0, 1, 2}


def test_symmetric_ordinal_costs_train_as_the_plain_fit_and_pick_the_median_level(ordinal):
    X, Y, _ = ordinal
    plain = small(target_kind="ordinal", epochs=3).fit(X, Y)
    costly = small(target_kind="ordinal", epochs=3, cost_matrix="ordinal").fit(X, Y)
    assert costly.cost_weight_ == {level: 1.0 for level in range(5)}  # |i - j| is symmetric: no weighting
    assert costly.history_["loss"] == plain.history_["loss"]
    np.testing.assert_array_equal(costly.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_array_equal(costly.predict(X), plain.predict(X))


def test_ordinal_costs_decide_on_level_probabilities(ordinal):
    X, Y, levels = ordinal
    squared = small(target_kind="ordinal", epochs=3, cost_matrix="ordinal_squared").fit(X, Y)
    q = squared.predict_proba(X)
    C = np.subtract.outer(np.arange(5), np.arange(5)) ** 2.0
    want = levels_to_thermometer(np.argmin(ordinal_level_proba(q) @ C, axis=1), 4)
    np.testing.assert_array_equal(squared.predict(X), want)
    # predicting too low costs 3 times predicting too high: predicted levels move up
    d = np.subtract.outer(np.arange(5), np.arange(5))
    low = np.where(d > 0, 3.0 * d, -d)
    plain = small(target_kind="ordinal", epochs=3).fit(X, Y)
    shifted = small(target_kind="ordinal", epochs=3, cost_matrix=low).fit(X, Y)
    assert shifted.predict(X).sum(axis=1).mean() > plain.predict(X).sum(axis=1).mean() + 0.1
    np.testing.assert_array_equal(np.diff(shifted.predict_proba(X), axis=1) <= 1e-12, True)  # thresholds non-increasing


def test_costs_per_output_of_a_two_column_target(binary, multiclass, ordinal):
    X, Y, _ = _kind_data("multioutput", binary, multiclass, ordinal)
    C0 = np.ones((3, 3)) - np.eye(3)
    C0[2, :2] = 6.0
    clf = small(cost_matrix=[C0, None]).fit(X, Y)
    assert clf.cost_weight_[1] is None and clf.cost_matrix_[1] is None
    p0, p1 = clf.predict_proba(X)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred[:, 0], _min_cost(p0, C0, clf.classes_[0]))
    np.testing.assert_array_equal(pred[:, 1], clf.classes_[1][np.argmax(p1, axis=1)])


def test_costs_per_output_of_a_dict_target(binary, multiclass, ordinal, captured):
    X, y, _ = _kind_data("per_output", binary, multiclass, ordinal)
    C = [[0.0, 1.0], [10.0, 0.0]]
    clf = small(cost_matrix={"risk": C}).fit(X, y)
    assert set(clf.cost_weight_) == {"risk", "kind"} and clf.cost_weight_["kind"] is None
    proba = clf.predict_proba(X)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred["risk"], _min_cost(proba["risk"], np.array(C), clf.classes_["risk"]))
    np.testing.assert_array_equal(pred["kind"], clf.classes_["kind"][np.argmax(proba["kind"], axis=1)])
    # the risk output's rows weigh by their class's cost weight; the other output's rows are not weighted
    data, _ = captured[-1]
    weights = data.sample_weight
    if not isinstance(weights, dict):  # a list in the model's output order
        weights = dict(zip([["risk", "kind"][i] for i in clf.target_encoder_.model_order_], weights))
    w = clf.cost_weight_["risk"]
    np.testing.assert_allclose(weights["risk"], np.where(y["risk"] == 1, w[1], w[0]), rtol=1e-6)  # float32
    # the unweighted output gets weights of one (Keras 3.4 refuses a None among them)
    np.testing.assert_array_equal(weights["kind"], np.ones(len(y["kind"])))


# --------------------------------------------------------------------------- #
# sampling
# --------------------------------------------------------------------------- #
def test_undersampled_epochs_hold_every_class_equally_and_leave_validation_rows_alone(binary, captured, capsys):
    X, y = binary
    X0, y0 = X.copy(), y.copy()
    state = np.random.get_state()
    batches = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    clf = small(sampling="under", epochs=3, validation_split=0.25, callbacks=[counter]).fit(X, y)
    data, plan = captured[-1]
    y_train = data.y
    n_min = np.bincount(y_train.astype(int)).min()
    assert len(plan.order) == 2 * n_min and len(y_train) + len(data.validation[1]) == len(y)
    epochs = [plan.order(e) for e in range(3)]
    for rows in epochs:
        assert rows.max() < len(y_train)  # training rows only
        np.testing.assert_array_equal(np.bincount(y_train[rows].astype(int)), [n_min, n_min])
        assert np.unique(rows).size == rows.size  # no row twice
    assert not np.array_equal(np.sort(epochs[0]), np.sort(epochs[1]))  # drawn afresh each epoch
    assert len(batches) == 3 * int(np.ceil(2 * n_min / plan.batch_size))
    ratios = np.bincount(y_train.astype(int)).astype(float)
    assert clf.sampling_ratio_ == {0: n_min / ratios[0], 1: 1.0}
    np.testing.assert_allclose(
        clf.predict_proba_prior(X), unweight_proba(clf.predict_proba(X), clf.sampling_ratio_), rtol=1e-12
    )
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert capsys.readouterr().out == ""
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]


def test_oversampled_epochs_repeat_each_row_floor_or_ceil_times(multiclass, captured):
    X, y = multiclass
    small(sampling="over", epochs=1).fit(X, y)
    data, plan = captured[-1]
    counts = np.bincount(data.y)
    rows = plan.order(0)
    np.testing.assert_array_equal(np.bincount(data.y[rows]), [counts.max()] * 3)
    seen = np.bincount(rows, minlength=len(data.y))
    for c in range(3):
        times = seen[data.y == c]
        assert set(times.tolist()) <= {counts.max() // counts[c], -(-counts.max() // counts[c])}


@pytest.mark.parametrize("kind", ["onehot", "ordinal"])
def test_sampling_balances_one_hot_columns_and_ordinal_levels(binary, multiclass, ordinal, captured, kind):
    X, y, params = _kind_data(kind, binary, multiclass, ordinal)
    small(sampling="under", epochs=1, **params).fit(X, y)
    data, plan = captured[-1]
    codes = data.y.sum(axis=1).astype(int) if kind == "ordinal" else np.argmax(data.y, axis=1)
    per_class = np.bincount(codes).min()
    np.testing.assert_array_equal(np.bincount(codes[plan.order(0)]), [per_class] * np.unique(codes).size)


def test_sampling_is_reproducible_with_random_state(binary, captured):
    X, y = binary
    a = small(sampling="under", random_state=3).fit(X, y)
    b = small(sampling="under", random_state=3).fit(X, y)
    c = small(sampling="under", random_state=4).fit(X, y)
    orders = [plan.order for _, plan in captured]
    np.testing.assert_array_equal(orders[0](1), orders[1](1))
    assert not np.array_equal(orders[0](1), orders[2](1))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


# --------------------------------------------------------------------------- #
# loss="focal"
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "kind, loss_type",
    [
        ("binary", FocalBinaryCrossentropy),
        ("multiclass", FocalSparseCategoricalCrossentropy),
        ("onehot", FocalCategoricalCrossentropy),
        ("multilabel", ElementwiseFocalBinaryCrossentropy),
    ],
)
def test_the_focal_loss_of_each_kind_reaches_the_compiled_model(binary, multiclass, ordinal, kind, loss_type):
    X, y, params = _kind_data(kind, binary, multiclass, ordinal)
    clf = small(loss="focal", focal_gamma=1.5, epochs=0, **params).fit(X, y)
    assert type(clf.model_.loss) is loss_type and clf.model_.loss.gamma == 1.5


@pytest.mark.parametrize("kind", ["binary", "multiclass", "onehot", "multilabel"])
def test_focal_gamma_zero_trains_exactly_like_cross_entropy(binary, multiclass, ordinal, kind):
    X, y, params = _kind_data(kind, binary, multiclass, ordinal)
    plain = small(epochs=3, **params).fit(X, y)
    focal = small(epochs=3, loss="focal", focal_gamma=0.0, **params).fit(X, y)
    # the same float32 operations in the same order: equal up to rounding (8 float32 ulps allowed)
    np.testing.assert_allclose(focal.history_["loss"], plain.history_["loss"], rtol=1e-6)
    np.testing.assert_allclose(focal.predict_proba(X), plain.predict_proba(X), rtol=0, atol=1e-6)
    stronger = small(epochs=3, loss="focal", focal_gamma=2.0, **params).fit(X, y)
    assert stronger.history_["loss"][0] < plain.history_["loss"][0]  # (1 - p_t)^2 <= 1 shrinks every term


def test_focal_loss_takes_per_label_class_weights(binary, multiclass, ordinal, captured):
    X, Y, _ = _kind_data("multilabel", binary, multiclass, ordinal)
    weights = [{0: 1.0, 1: 4.0}, None, None]
    clf = small(loss="focal", class_weight=weights, epochs=1).fit(X, Y)
    data, _ = captured[-1]
    assert data.sample_weight.shape == Y.shape
    np.testing.assert_array_equal(data.sample_weight[:, 0], np.where(Y[:, 0] == 1, 4.0, 1.0))
    assert np.isfinite(clf.history_["loss"]).all()


# --------------------------------------------------------------------------- #
# logit_adjustment
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "kind, loss_type",
    [
        ("binary", LogitAdjustedBinaryCrossentropy),
        ("multiclass", LogitAdjustedSparseCategoricalCrossentropy),
        ("onehot", LogitAdjustedCategoricalCrossentropy),
    ],
)
def test_logit_adjustment_compiles_the_priors_of_the_training_rows(binary, multiclass, ordinal, kind, loss_type):
    X, y, params = _kind_data(kind, binary, multiclass, ordinal)
    clf = small(logit_adjustment=0.5, epochs=1, **params).fit(X, y)
    codes = np.argmax(y, axis=1) if np.ndim(y) == 2 else np.searchsorted(clf.classes_, y)
    np.testing.assert_allclose(clf.class_prior_, np.bincount(codes) / len(codes), rtol=1e-12)
    assert type(clf.model_.loss) is loss_type and clf.model_.loss.tau == 0.5
    np.testing.assert_allclose(clf.model_.loss.priors, clf.class_prior_, rtol=1e-12)
    # predict_proba is the model's estimate with the prior taken out; predict_proba_prior puts it back
    proba = clf.predict_proba(X)
    back = proba * clf.class_prior_**0.5
    np.testing.assert_allclose(clf.predict_proba_prior(X), back / back.sum(axis=1, keepdims=True), rtol=1e-9)


def test_logit_adjustment_zero_trains_as_cross_entropy_and_one_leans_to_the_rare_class(binary):
    X, y = binary
    plain = small(epochs=3).fit(X, y)
    zero = small(epochs=3, logit_adjustment=0.0).fit(X, y)
    np.testing.assert_allclose(zero.history_["loss"], plain.history_["loss"], rtol=1e-6)  # float32 rounding
    one = small(epochs=3, logit_adjustment=1.0).fit(X, y)
    # the balanced posterior gives the rare class more mass than the plain fit's estimate
    assert one.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()
    assert one.predict(X).mean() > plain.predict(X).mean()


def test_a_warm_start_keeps_the_first_fits_priors(binary):
    X, y = binary
    clf = small(logit_adjustment=1.0, epochs=1, warm_start=True).fit(X, y)
    first = clf.class_prior_.copy()
    rows = np.r_[np.flatnonzero(y == 0)[:40], np.flatnonzero(y == 1)]  # other class counts
    clf.fit(X[rows], y[rows])
    np.testing.assert_array_equal(clf.class_prior_, first)
    np.testing.assert_allclose(clf.model_.loss.priors, first, rtol=1e-12)


# --------------------------------------------------------------------------- #
# decision_threshold
# --------------------------------------------------------------------------- #
def test_a_fixed_threshold_is_what_predict_uses(binary):
    X, y = binary
    labels = np.array(["neg", "pos"])[y]
    clf = small(decision_threshold=0.3).fit(X, labels)
    assert clf.threshold_ == 0.3 and "threshold_score_" not in vars(clf)
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(clf.predict(X), np.where(p >= 0.3, "pos", "neg"))
    assert clf.score(X, labels) == np.mean(clf.predict(X) == labels)


def test_the_auto_threshold_is_tuned_on_the_held_out_rows_without_another_fit(binary, captured):
    X, y = binary
    clf = small(decision_threshold="auto", epochs=3, validation_fraction=0.25).fit(X, y)
    assert len(captured) == 1  # one training
    data, _ = captured[0]
    assert data.validation is None and "val_loss" not in clf.history_  # held out for the threshold only
    _, val = split_rows("binary", y.astype(np.float32), 0.25, 0)  # the rows early stopping would hold out
    assert len(data.y) == len(y) - len(val)
    search = tune_threshold(y[val], clf.predict_proba(X[val])[:, 1])
    assert clf.threshold_ == pytest.approx(search.threshold, abs=1e-6)  # float32 model outputs, two calls
    assert clf.threshold_score_ == pytest.approx(search.score, abs=1e-12)
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(clf.predict(X), (p >= clf.threshold_).astype(int))


def test_the_auto_threshold_uses_early_stoppings_rows_and_the_scorer_asked_for(binary, captured):
    X, y = binary
    clf = small(decision_threshold="auto", decision_threshold_scoring="f1", early_stopping=True, epochs=3).fit(X, y)
    data, _ = captured[-1]
    X_val, y_val = data.validation[0], data.validation[1].astype(int)
    assert 0.08 * len(y) <= len(y_val) <= 0.12 * len(y) and "val_loss" in clf.history_
    p = clf.predict_proba(X_val)[:, 1]
    best = f1_score(y_val, (p >= clf.threshold_).astype(int))
    assert clf.threshold_score_ == pytest.approx(best, abs=1e-12)
    for t in np.linspace(0.01, 0.99, 99):  # no threshold scores better on those rows
        assert f1_score(y_val, (p >= t).astype(int)) <= best + 1e-12


def test_the_auto_threshold_needs_both_classes_held_out(captured):
    X = np.random.default_rng(0).normal(size=(12, 3)).astype(np.float32)
    y = np.array([0] * 11 + [1])
    with pytest.raises(ValueError, match=r"decision_threshold='auto' tunes the threshold on validation_fraction"):
        WeightedKerasClassifier(decision_threshold="auto", epochs=1).fit(X, y)
    assert captured == []  # refused before any training


def test_a_refit_without_the_option_forgets_its_fitted_attributes(binary):
    X, y = binary
    clf = small(decision_threshold=0.2, epochs=1).fit(X, y)
    clf.set_params(decision_threshold=None, cost_matrix=[[0, 1], [3, 0]]).fit(X, y)
    assert "threshold_" not in vars(clf) and "cost_weight_" in vars(clf)
    clf.set_params(cost_matrix=None).fit(X, y)
    assert not {"threshold_", "cost_matrix_", "cost_weight_"} & set(vars(clf))
    np.testing.assert_array_equal(clf.predict(X), np.argmax(clf.predict_proba(X), axis=1))


# --------------------------------------------------------------------------- #
# persistence and interrupted fits
# --------------------------------------------------------------------------- #
def test_pickle_keeps_the_options_and_their_decisions(binary):
    X, y = binary
    for clf in (
        small(cost_matrix=[[0, 1], [4, 0]], logit_adjustment=1.0).fit(X, y),
        small(decision_threshold="auto", sampling="over").fit(X, y),
    ):
        loaded = pickle.loads(pickle.dumps(clf))
        for name in (
            "cost_matrix_",
            "cost_weight_",
            "class_prior_",
            "threshold_",
            "threshold_score_",
            "sampling_ratio_",
        ):
            if name in vars(clf):
                np.testing.assert_equal(getattr(loaded, name), getattr(clf, name))
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        np.testing.assert_array_equal(loaded.predict_proba_prior(X), clf.predict_proba_prior(X))


def test_the_keras_file_keeps_the_focal_and_logit_adjusted_losses(binary, tmp_path):
    X, y = binary
    for clf, check in (
        (small(loss="focal", focal_gamma=1.5, epochs=1).fit(X, y), lambda loss: loss.gamma == 1.5),
        (small(logit_adjustment=0.7, epochs=1).fit(X, y), lambda loss: loss.tau == 0.7),
    ):
        path = tmp_path / "net.keras"
        clf.model_.save(path)
        net = keras.models.load_model(path)
        assert type(net.loss) is type(clf.model_.loss) and check(net.loss)
        np.testing.assert_allclose(getattr(net.loss, "priors", 0), getattr(clf.model_.loss, "priors", 0), rtol=1e-12)
        np.testing.assert_allclose(net.predict(X, verbose=0), clf.model_.predict(X, verbose=0), rtol=0, atol=1e-6)


def test_an_interrupted_fit_restores_the_options_attributes(binary, monkeypatch):
    X, y = binary
    clf = small(cost_matrix=[[0, 1], [4, 0]], epochs=1).fit(X, y)
    before = {k: v for k, v in vars(clf).items() if k in ("cost_matrix_", "cost_weight_")}

    def interrupted(model, data, plan):
        raise KeyboardInterrupt

    monkeypatch.setattr(fit_module, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        clf.set_params(cost_matrix=None, decision_threshold=0.4).fit(X, y)
    assert "threshold_" not in vars(clf)
    np.testing.assert_equal({k: vars(clf)[k] for k in before}, before)
