"""Targets given per output, the Keras way: ``y`` as a dict keyed by output
name or a list in output order, with classification heads of several kinds and
a regression head.

The data is synthetic and seeded: a rare binary output ``risk`` (string
labels, about 6 % "high"), an ordinal output ``level`` (4 levels,
thermometer-coded) and a continuous output ``price``.  Fitted models are
module fixtures, shared by the tests that only read them: the ``None`` and
``{"risk": "balanced"}`` models, the balanced model fitted on the same data
given as a list, and a model with an output of every other kind.
"""

import copy
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import balanced_accuracy_score, mean_squared_error, recall_score
from sklearn.model_selection import KFold, cross_validate

from skweight import Outputs, StratifiedOn, WeightedKerasClassifier, per_output_scorer
from skweight._backend import keras
from skweight._plan import WeightPlan
from skweight._splits import split_rows
from skweight._targets import TargetEncoder
from skweight.weights import unweight_proba

FAST = dict(optimizer__learning_rate=0.01, epochs=10, batch_size=32, hidden_layer_sizes=(16,), random_state=0)
KINDS = {"level": "ordinal"}
MARGIN = 0.2  # the rare class's recall must rise at least this much


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    risk = np.where(X[:, 0] + 0.5 * rng.normal(size=n) > 1.6, "high", "low")
    level = np.digitize(X[:, 1] + 0.3 * rng.normal(size=n), [-0.5, 0.8, 1.8])
    price = 2.0 * X[:, 2] - X[:, 3] + 0.1 * rng.normal(size=n)
    return X, {"risk": risk, "level": (np.arange(3) < level[:, None]).astype(int), "price": price}


@pytest.fixture(scope="module")
def data():
    X, y = make_data(600, 0)
    X_test, y_test = make_data(3000, 1)
    return X, y, X_test, y_test


@pytest.fixture(scope="module")
def models(data):
    X, y, _, _ = data
    return {
        name: WeightedKerasClassifier(class_weight=cw, target_kind=KINDS, **FAST).fit(X, y)
        for name, cw in [("none", None), ("balanced", {"risk": "balanced"})]
    }


@pytest.fixture(scope="module")
def list_model(data):
    """``models["balanced"]`` again, with y, class_weight and target_kind given as lists."""
    X, y, _, _ = data
    return WeightedKerasClassifier(
        class_weight=["balanced", None, None], target_kind=[None, "ordinal", None], **FAST
    ).fit(X, list(y.values()))


def _figures(clf, X_test, y_test):
    pred = clf.predict(X_test)
    return (
        recall_score(y_test["risk"], pred["risk"], pos_label="high"),
        mean_squared_error(y_test["price"], pred["price"]),
    )


# --------------------------------------------------------------------------- #
# done-when: balanced raises the rare recall of its output, regression unchanged
# --------------------------------------------------------------------------- #
def test_balanced_on_one_output_raises_its_rare_recall_and_leaves_regression_error(data, models):
    _, y, X_test, y_test = data
    assert 0.03 < np.mean(y["risk"] == "high") < 0.1
    recall_none, mse_none = _figures(models["none"], X_test, y_test)
    recall_bal, mse_bal = _figures(models["balanced"], X_test, y_test)
    assert recall_bal >= recall_none + MARGIN, (recall_none, recall_bal)
    # the regression head is unweighted: its test error stays about the same
    assert 0.8 < mse_bal / mse_none < 1.25, (mse_none, mse_bal)
    assert mse_none < 0.25 * np.var(y_test["price"])  # and it did learn


def test_class_weight_and_kinds_keyed_like_y(models, data):
    clf = models["balanced"]
    assert clf.target_kind_ == {"risk": "binary", "level": "ordinal", "price": "regression"}
    assert list(clf.class_weight_) == ["risk", "level", "price"]
    y = data[1]
    # resolved on the training rows: "balanced" = n / (2 * count)
    counts = {c: int(np.sum(y["risk"] == c)) for c in ("high", "low")}
    assert clf.class_weight_["risk"] == pytest.approx({c: len(y["risk"]) / (2 * k) for c, k in counts.items()})
    assert clf.class_weight_["level"] == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}
    assert clf.class_weight_["price"] is None
    assert_array_equal(clf.classes_["risk"], ["high", "low"])
    assert clf.classes_["price"] is None


def test_default_model_has_one_head_and_loss_per_output(models):
    model = models["none"].model_
    assert list(model.output_names) == ["risk", "level", "price"]
    heads = {name: model.get_layer(name) for name in model.output_names}
    assert {n: (h.units, h.activation.__name__) for n, h in heads.items()} == {
        "risk": (1, "sigmoid"),
        "level": (3, "sigmoid"),
        "price": (1, "linear"),
    }
    assert model.loss == {"risk": "binary_crossentropy", "level": "binary_crossentropy", "price": "mean_squared_error"}


def test_predict_and_predict_proba_return_the_structure_of_y(models, data):
    clf, X_test = models["balanced"], data[2][:40]
    pred, proba = clf.predict(X_test), clf.predict_proba(X_test)
    assert list(pred) == list(proba) == ["risk", "level", "price"]
    assert set(pred["risk"].tolist()) <= {"high", "low"} and pred["risk"].shape == (40,)
    assert_array_equal(pred["risk"], clf.classes_["risk"][proba["risk"].argmax(axis=1)])
    assert proba["risk"].shape == (40, 2) and proba["level"].shape == (40, 3)
    # ordinal levels come back thermometer-coded: a run of 1s then 0s
    assert pred["level"].shape == (40, 3) and np.all(np.diff(pred["level"], axis=1) <= 0)
    raw = clf.model_.predict(X_test, verbose=0)[2].ravel()
    assert_allclose(pred["price"], raw)  # a regression output: as predicted
    assert_allclose(proba["price"], raw)


def test_score_is_the_mean_accuracy_of_the_classification_outputs(models, data):
    clf = models["balanced"]
    X_test, y_test = data[2][:500], {k: v[:500] for k, v in data[3].items()}
    pred = clf.predict(X_test)
    risk_acc = np.mean(pred["risk"] == y_test["risk"])
    level_acc = np.mean(np.all(pred["level"] == y_test["level"], axis=1))
    assert clf.score(X_test, y_test) == pytest.approx((risk_acc + level_acc) / 2)


# --------------------------------------------------------------------------- #
# done-when: dict and list y give the same model
# --------------------------------------------------------------------------- #
def test_dict_and_list_y_give_the_same_model(data, models, list_model):
    X_test = data[2]
    by_name, by_position = models["balanced"], list_model
    assert by_position.target_kind_ == list(by_name.target_kind_.values())
    assert by_position.class_weight_ == list(by_name.class_weight_.values())
    assert by_position.output_names_ == ["output_0", "output_1", "output_2"]
    dict_pred, list_pred = by_name.predict(X_test), by_position.predict(X_test)
    assert isinstance(list_pred, list) and len(list_pred) == 3
    for a, b in zip(list(dict_pred.values())[:2], list_pred[:2]):
        assert_array_equal(a, b)
    assert_allclose(dict_pred["price"], list_pred[2], rtol=1e-5, atol=1e-6)
    for a, b in zip(by_name.predict_proba(X_test).values(), by_position.predict_proba(X_test)):
        assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- #
# done-when: every bad per-output spec is a clear error before training
# --------------------------------------------------------------------------- #
def _small():
    X, y = make_data(120, 3)
    return X, y


BAD = [
    ("unknown output in class_weight", dict(class_weight={"colour": "balanced"}), {}, "names output 'colour'"),
    (
        "class_weight for a regression output",
        dict(class_weight={"price": {0: 2.0}}),
        {},
        "output 'price', a regression output",
    ),
    (
        "balanced for a regression output by position",
        dict(class_weight=[None, None, "balanced"]),
        {},
        "output 'price', a regression output",
    ),
    ("too many class_weight entries", dict(class_weight=["balanced"] * 4), {}, "has 4 entries but y has 3 outputs"),
    ("too few class_weight entries", dict(class_weight=["balanced"]), {}, "has 1 entries but y has 3 outputs"),
    ("unknown output in target_kind", dict(target_kind={"lvl": "ordinal"}), {}, "names output 'lvl'"),
    ("bad kind for one output", dict(target_kind={"level": "colour"}), {}, "output 'level' is 'colour'"),
    ("label not in an output's classes", dict(class_weight={"risk": {"medium": 2.0}}), {}, "output 'risk'"),
    ("mismatched lengths of the outputs", {}, dict(y_cut="level"), "different numbers of rows"),
    ("outputs shorter than X", {}, dict(y_cut="all"), "X has 120 samples but the outputs of y have 100 rows"),
    (
        "per-output sample_weight of wrong length",
        {},
        dict(sample_weight={"price": np.ones(119)}),
        r"sample_weight\['price'\]: sample_weight has shape \(119,\); expected \(120,\)",
    ),
    (
        "per-output sample_weight for an unknown output",
        {},
        dict(sample_weight={"cost": np.ones(120)}),
        "sample_weight names output 'cost'",
    ),
    (
        "per-output sample_weight list of wrong length",
        {},
        dict(sample_weight=[np.ones(120)] * 2),
        "sample_weight has 2 entries but y has 3 outputs",
    ),
    ("missing value in a regression output", {}, dict(price_nan=True), r"y\['price'\]: the target contains NaN"),
]


@pytest.mark.parametrize("params, fit_args, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_per_output_spec_is_a_clear_error_before_any_model_is_built(params, fit_args, match, monkeypatch):
    X, y = _small()
    fit_args = dict(fit_args)
    cut = fit_args.pop("y_cut", None)
    if cut == "level":
        y["level"] = y["level"][:-1]
    elif cut == "all":
        y = {k: v[:100] for k, v in y.items()}
    if fit_args.pop("price_nan", False):
        y["price"] = y["price"].copy()
        y["price"][5] = np.nan
    copies = {k: v.copy() for k, v in y.items()}
    built = []
    monkeypatch.setattr(WeightedKerasClassifier, "_build_default_model", lambda self, *a: built.append(1))
    clf = WeightedKerasClassifier(**{"target_kind": KINDS, **params}, epochs=1)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, **fit_args)
    assert built == [] and "model_" not in clf.__dict__
    for k in y:  # the caller's arrays are untouched
        assert_array_equal(y[k], copies[k])


def test_dict_y_keys_must_match_a_users_model_outputs():
    X, y = _small()

    def build():
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        return keras.Model(inputs, [keras.layers.Dense(2, activation="softmax", name="hazard")(hidden)])

    clf = WeightedKerasClassifier(model=build, loss="sparse_categorical_crossentropy", epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"y names output 'risk', but the model's outputs are \['hazard'\]"):
        clf.fit(X, {"risk": y["risk"]})
    assert "model_" not in clf.__dict__


# --------------------------------------------------------------------------- #
# a user's own multi-output model: y keyed by its output names
# --------------------------------------------------------------------------- #
def test_users_model_with_named_outputs_in_another_order(data):
    X, y, X_test, _ = data

    def build():
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        price = keras.layers.Dense(1, name="price")(hidden)
        level = keras.layers.Dense(3, activation="sigmoid", name="level")(hidden)
        risk = keras.layers.Dense(2, activation="softmax", name="risk")(hidden)
        model = keras.Model(inputs, [price, level, risk])
        model.compile(
            "adam", loss={"price": "mse", "level": "binary_crossentropy", "risk": "sparse_categorical_crossentropy"}
        )
        return model

    clf = WeightedKerasClassifier(
        model=build, class_weight={"risk": "balanced"}, target_kind=KINDS, epochs=1, random_state=0
    ).fit(X[:200], {k: v[:200] for k, v in y.items()})
    proba = clf.predict_proba(X_test[:10])
    # each output meets its own head by name, whatever the model's order
    assert [proba[k].shape for k in ("risk", "level", "price")] == [(10, 2), (10, 3), (10,)]
    raw = clf.model_.predict(X_test[:10], verbose=0)
    assert_allclose(proba["risk"], raw[2], rtol=1e-5)
    assert_allclose(proba["price"], raw[0].ravel())


# --------------------------------------------------------------------------- #
# validation: stratified over the classification outputs; validation_data per output
# --------------------------------------------------------------------------- #
def test_validation_split_keeps_every_class_of_every_classification_output_on_both_sides():
    rng = np.random.default_rng(0)
    a = (rng.random(200) < 0.04).astype(np.float32)  # 8 rare rows
    b = rng.choice(3, 200, p=[0.85, 0.12, 0.03])  # 6 rarest rows
    level = (np.arange(3) < rng.choice(4, 200, p=[0.5, 0.3, 0.17, 0.03])[:, None]).astype(np.float32)
    price = rng.normal(size=200).astype(np.float32)
    kinds = {"a": "binary", "b": "multiclass", "level": "ordinal", "price": "regression"}
    for seed in range(5):
        train, val = split_rows(kinds, [a, b, level, price], 0.2, seed)
        assert len(train) + len(val) == 200 and not set(train) & set(val)
        assert 0.15 <= len(val) / 200 <= 0.25
        for keys in (a, b, level.sum(axis=1)):
            assert set(keys[train].tolist()) == set(keys[val].tolist()) == set(keys.tolist())
    # the same seed gives the same split
    parts = [a, b, level, price]
    assert_array_equal(split_rows(kinds, parts, 0.2, 3)[1], split_rows(kinds, parts, 0.2, 3)[1])


def test_validation_data_in_the_structure_of_y(data):
    X, y, X_test, y_test = data
    val_y = {k: v[:200] for k, v in y_test.items()}
    clf = WeightedKerasClassifier(class_weight={"risk": "balanced"}, target_kind=KINDS, **dict(FAST, epochs=1))
    clf.fit(X[:300], {k: v[:300] for k, v in y.items()}, validation_data=(X_test[:200], val_y))
    assert len(clf.history_["val_loss"]) == 1
    assert set(clf.history_) >= {"val_risk_loss", "val_level_loss", "val_price_loss"}
    # the logged validation loss weighs the rows with the class weights of the training rows
    cw = clf.class_weight_["risk"]
    w_risk = np.where(val_y["risk"] == "high", cw["high"], cw["low"]).astype(np.float32)
    enc = clf.target_encoder_.transform(val_y)
    got = clf.model_.evaluate(
        X_test[:200], enc, sample_weight=[w_risk, None, None], batch_size=32, verbose=0, return_dict=True
    )
    assert got["risk_loss"] == pytest.approx(clf.history_["val_risk_loss"][-1], rel=1e-4)
    with pytest.raises(ValueError, match="validation_data: .*give a dict with the same output names"):
        clf.fit(X[:300], {k: v[:300] for k, v in y.items()}, validation_data=(X_test[:200], {"risk": val_y["risk"]}))


def test_per_output_sample_weight_multiplies_that_outputs_weights_only():
    kinds = {"risk": "binary", "price": "regression"}
    classes = {"risk": np.array(["high", "low"]), "price": None}
    plan = WeightPlan({"risk": {"high": 4.0}}, kinds, classes)
    y = [np.array([0, 1, 1, 0], dtype=np.float32), np.array([0.5, 1.0, 1.5, 2.0], dtype=np.float32)]
    codes, user = plan.resolve(y)
    assert user == {"risk": {"high": 4.0, "low": 1.0}, "price": None}
    sw = np.array([1.0, 2.0, 0.0, 1.0], dtype=np.float32)
    risk_w, price_w = plan.sample_weights(y, codes, [None, sw])
    assert_array_equal(risk_w, [4.0, 1.0, 1.0, 4.0])
    assert_array_equal(price_w, sw)
    both = plan.sample_weights(y, codes, sw)  # one array for every output
    assert_array_equal(both[0], [4.0, 2.0, 0.0, 4.0])
    assert_array_equal(both[1], sw)


def test_fit_with_per_output_sample_weight_trains_on_those_weights(data):
    X, y, _, _ = data
    X, y = X[:200], {k: v[:200] for k, v in y.items()}
    zero_price = {"price": np.zeros(200)}
    zero_price["price"][:100] = 1.0
    kw = dict(target_kind=KINDS, **dict(FAST, epochs=1))
    a = WeightedKerasClassifier(**kw).fit(X, y, sample_weight=zero_price)
    # the rows weighted 0 for price do not reach its loss: changing their price changes nothing
    y_changed = dict(y, price=np.where(np.arange(200) < 100, y["price"], 100.0))
    b = WeightedKerasClassifier(**kw).fit(X, y_changed, sample_weight=zero_price)
    assert_allclose(a.predict_proba(X)["price"], b.predict_proba(X)["price"], rtol=1e-5)


# --------------------------------------------------------------------------- #
# scikit-learn's model selection
# --------------------------------------------------------------------------- #
def test_cross_validate_with_outputs_stratified_on_one_output_and_scored_per_output(data):
    X, y, _, _ = data
    X, y = X[:300], {k: v[:300] for k, v in y.items()}
    clf = WeightedKerasClassifier(class_weight={"risk": "balanced"}, target_kind=KINDS, **dict(FAST, epochs=1))
    cv = StratifiedOn("risk", cv=2)
    folds = list(cv.split(X, Outputs(y)))
    high = [int(np.sum(y["risk"][test] == "high")) for _, test in folds]
    assert abs(high[0] - high[1]) <= 1 and min(high) >= 5  # stratified on "risk"
    scoring = {
        "risk_recall": per_output_scorer("risk", recall_score, pos_label="high"),
        "risk_bal_acc": per_output_scorer("risk", "balanced_accuracy"),
        "price_mse": per_output_scorer("price", "neg_mean_squared_error"),
        "level_mean_proba": per_output_scorer("level", lambda t, p: float(np.mean(p)), response_method="predict_proba"),
    }
    res = cross_validate(clf, X, Outputs(y), cv=cv, scoring=scoring, return_estimator=True)
    assert len(res["test_risk_recall"]) == 2
    # each fold's score is the metric on that output alone
    for (_, test), fitted, recall, bal, mse, proba in zip(
        folds,
        res["estimator"],
        res["test_risk_recall"],
        res["test_risk_bal_acc"],
        res["test_price_mse"],
        res["test_level_mean_proba"],
    ):
        pred = fitted.predict(X[test])
        assert recall == pytest.approx(recall_score(y["risk"][test], pred["risk"], pos_label="high"))
        assert bal == pytest.approx(balanced_accuracy_score(y["risk"][test], pred["risk"]))
        assert mse == pytest.approx(-mean_squared_error(y["price"][test], pred["price"]), rel=1e-5)
        assert proba == pytest.approx(np.mean(fitted.predict_proba(X[test])["level"]), rel=1e-5)
    # a plain dict cannot be indexed by scikit-learn: that is what Outputs is for
    with pytest.raises((TypeError, ValueError)):
        cross_validate(clf, X, y, cv=KFold(2))


# --------------------------------------------------------------------------- #
# persistence
# --------------------------------------------------------------------------- #
def test_pickle_and_keras_format_keep_the_structure(models, list_model, data, tmp_path):
    clf, X_test = models["balanced"], data[2][:50]
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.target_kind_ == clf.target_kind_ and loaded.class_weight_ == clf.class_weight_
    before, after = clf.predict_proba(X_test), loaded.predict_proba(X_test)
    assert list(after) == list(before)
    for k in before:
        assert_allclose(after[k], before[k])
    from_list = pickle.loads(pickle.dumps(list_model))
    assert isinstance(from_list.predict(X_test), list) and from_list.class_weight_ == list_model.class_weight_
    assert_allclose(from_list.predict_proba(X_test)[1], list_model.predict_proba(X_test)[1])
    clf.model_.save(tmp_path / "net.keras")
    net = keras.models.load_model(tmp_path / "net.keras")
    assert list(net.output_names) == clf.output_names_
    for got, want in zip(net.predict(X_test, verbose=0), clf.model_.predict(X_test, verbose=0)):
        assert_allclose(got, want, rtol=1e-6)


# --------------------------------------------------------------------------- #
# kinds per output
# --------------------------------------------------------------------------- #
def _every_kind_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32)
    y = {
        "colour": rng.choice(["red", "green", "blue"], 120, p=[0.6, 0.3, 0.1]),
        "onehot": np.eye(3)[rng.choice(3, 120)],
        "tags": (rng.random((120, 2)) < 0.3).astype(int),
        "count": rng.integers(0, 5, 120).astype(float),  # whole numbers: labels unless given as regression
        "price": rng.normal(size=120),
    }
    return X, y


#: class weights for every classification kind, flat metrics for every output
EVERY_KIND = dict(
    target_kind={"count": "regression"},
    class_weight={"colour": "balanced", "onehot": {0: 3.0}, "tags": [{1: 2.0}, {0: 0.5, 1: 4.0}]},
    metrics=["accuracy"],
    epochs=2,
    hidden_layer_sizes=(8,),
    random_state=0,
)


@pytest.fixture(scope="module")
def every_kind():
    X, y = _every_kind_data()
    return WeightedKerasClassifier(**EVERY_KIND).fit(X, y), X, y


def test_kinds_detected_or_given_per_output(every_kind):
    clf, X, y = every_kind
    assert clf.target_kind_ == {
        "colour": "multiclass",
        "onehot": "onehot",
        "tags": "multilabel",
        "count": "regression",
        "price": "regression",
    }
    assert clf.output_units_ == {"colour": 3, "onehot": 3, "tags": 2, "count": 1, "price": 1}
    pred = clf.predict(X[:5])
    assert set(pred["colour"].tolist()) <= {"red", "green", "blue"}
    assert pred["onehot"].sum(axis=1).tolist() == [1] * 5 and pred["count"].dtype.kind == "f"
    # whole-number floats are labels unless target_kind says regression
    assert TargetEncoder().fit({"count": y["count"]}).kind_ == {"count": "multiclass"}


# --------------------------------------------------------------------------- #
# target_kind as one str for a y given per output
# --------------------------------------------------------------------------- #
def test_one_target_kind_str_applies_to_every_output_that_fits_it():
    _, y = make_data(50, 0)
    both = {"a": y["level"], "b": y["level"][::-1].copy()}
    assert TargetEncoder("ordinal").fit(both).kind_ == {"a": "ordinal", "b": "ordinal"}
    floats = {"a": y["price"], "b": np.arange(50.0)}
    assert TargetEncoder("regression").fit(floats).kind_ == {"a": "regression", "b": "regression"}


SHARED_KIND_BAD = [
    ("ordinal", lambda y: y, r"target_kind='ordinal' applies to every output of y, but y\['price'\] does not fit"),
    (
        "binary",
        lambda y: {"risk": y["risk"], "level": y["level"]},
        r"target_kind='binary' applies to every output of y, but y\['level'\] does not fit",
    ),
    ("multioutput", lambda y: y, r"target_kind='multioutput' is not accepted for y given per output"),
    ("colour", lambda y: y, r"target_kind='colour' is not accepted for y given per output"),
]


@pytest.mark.parametrize("kind, pick, match", SHARED_KIND_BAD, ids=[b[0] for b in SHARED_KIND_BAD])
def test_one_target_kind_str_that_does_not_fit_every_output_is_refused_before_building(kind, pick, match, monkeypatch):
    X, y = _small()
    built = []
    monkeypatch.setattr(WeightedKerasClassifier, "_build_default_model", lambda self, *a: built.append(1))
    with pytest.raises(ValueError, match=match) as info:
        WeightedKerasClassifier(target_kind=kind, epochs=1).fit(X, pick(y))
    assert "target_kind={" in str(info.value) and built == []  # says how to give it per output


# --------------------------------------------------------------------------- #
# partial_fit and warm_start with a y given per output
# --------------------------------------------------------------------------- #
def _weights(clf):
    return [v.numpy().copy() for v in clf.model_.weights]


def test_partial_fit_with_dict_y_trains_on_the_same_model_and_keeps_classes_and_class_weights(data):
    X, y, _, _ = data
    cw = {"risk": {"high": 4.0}, "level": {3: 2.0}}
    clf = WeightedKerasClassifier(class_weight=cw, target_kind=KINDS, **dict(FAST, epochs=5))
    clf.partial_fit(X[:200], {k: v[:200] for k, v in y.items()})
    model, classes, before = clf.model_, clf.classes_, _weights(clf)
    expected = {"risk": {"high": 4.0, "low": 1.0}, "level": {0: 1.0, 1: 1.0, 2: 1.0, 3: 2.0}, "price": None}
    assert clf.class_weight_ == expected and clf.current_epoch == 1  # one epoch per call
    # a batch without the rare class: classes and class weights stay those of the first call
    rows = np.flatnonzero(y["risk"][200:] == "low")[:150] + 200
    clf.partial_fit(X[rows], {k: v[rows] for k, v in y.items()})
    assert clf.model_ is model and clf.current_epoch == 2
    assert clf.class_weight_ == expected and clf.classes_["risk"].tolist() == classes["risk"].tolist()
    assert any(not np.allclose(a, b) for a, b in zip(before, _weights(clf)))  # it trained
    # "balanced" per output is refused, as for a single output
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        clf.set_params(class_weight={"risk": "balanced"}).partial_fit(X[:50], {k: v[:50] for k, v in y.items()})


def _changed(y):
    """Per-output y that differ from the first fit in structure or in the kind of one output."""
    return [
        (
            "an output left out",
            {"risk": y["risk"], "level": y["level"]},
            r"y has outputs \['risk', 'level'\], but the estimator was fitted on a dict with outputs",
        ),
        (
            "an output renamed",
            {"risk": y["risk"], "level": y["level"], "cost": y["price"]},
            r"y has outputs \['risk', 'level', 'cost'\]",
        ),
        ("a list for a dict", list(y.values()), r"y has 3 outputs \(a list\), but the estimator was fitted on a dict"),
        ("one array for a dict", y["risk"], "this estimator was fitted on y per output"),
        (
            "ordinal output as levels",
            dict(y, level=y["level"].sum(axis=1)),
            r"y\['level'\] was fitted as kind 'ordinal', shape \(n_samples, 3\).*needs a 2-D target",
        ),
        (
            "labels output one-hot",
            dict(y, risk=np.eye(2)[(y["risk"] == "high").astype(int)]),
            r"y\['risk'\] was fitted as kind 'binary'.*needs a 1-D target",
        ),
        (
            "regression output 2-D",
            dict(y, price=np.column_stack([y["price"], y["price"]])),
            r"y\['price'\] was fitted as kind 'regression'.*expected \(n_samples,\)",
        ),
        ("regression output of strings", dict(y, price=y["risk"]), r"y\['price'\] .*must be numeric"),
    ]


def test_partial_fit_and_warm_start_refuse_a_y_unlike_the_first_fit_before_training(data):
    X, y, _, _ = data
    X, y = X[:100], {k: v[:100] for k, v in y.items()}
    clf = WeightedKerasClassifier(class_weight={"risk": {"high": 4.0}}, target_kind=KINDS, **FAST)
    clf.partial_fit(X, y)
    before, history = _weights(clf), copy.deepcopy(clf.history_)
    warm = clf.get_params()
    for name, changed, match in _changed(y):
        with pytest.raises(ValueError, match=match):
            clf.partial_fit(X, changed)
        with pytest.raises(ValueError, match=match):  # a warm start checks the same way
            clf.set_params(warm_start=True).fit(X, changed)
        clf.set_params(**warm)
        assert clf.history_ == history, name
        assert all(np.array_equal(a, b) for a, b in zip(before, _weights(clf))), name  # nothing trained


def test_warm_start_with_list_y_continues_the_model_with_metrics_per_output(data):
    X, y, _, _ = data
    parts = [v[:200] for v in y.values()]
    clf = WeightedKerasClassifier(
        class_weight=["balanced", None, None],
        target_kind=[None, "ordinal", None],
        warm_start=True,
        metrics=["accuracy"],
        **dict(FAST, epochs=1),
    )
    clf.fit(X[:200], parts)
    model, cw, before = clf.model_, clf.class_weight_, _weights(clf)
    clf.fit(X[:200], parts)
    assert clf.model_ is model and clf.class_weight_ == cw
    assert any(not np.allclose(a, b) for a, b in zip(before, _weights(clf)))
    # the flat metrics list went to both classification heads, plain and weighted, not to the regression head
    assert set(clf.history_) == {
        "loss",
        "output_0_loss",
        "output_1_loss",
        "output_2_loss",
        "output_0_accuracy",
        "output_0_weighted_accuracy",
        "output_1_accuracy",
        "output_1_weighted_accuracy",
    }


# --------------------------------------------------------------------------- #
# metrics and predict_proba_prior per output
# --------------------------------------------------------------------------- #
def test_flat_metrics_list_goes_to_every_classification_output(every_kind):
    clf, X, y = every_kind
    names = ("colour", "onehot", "tags")
    assert {f"{k}_{m}" for k in names for m in ("accuracy", "weighted_accuracy")} <= set(clf.history_)
    assert not {k for k in clf.history_ if k.startswith(("count_", "price_")) and not k.endswith("_loss")}
    # "accuracy" of a multi-label output is the share of labels right (not categorical accuracy)
    got = clf.model_.evaluate(
        X, clf.target_encoder_.to_model(clf.target_encoder_.transform(y)), batch_size=120, verbose=0, return_dict=True
    )
    tags = clf.predict_proba(X)["tags"] > 0.5
    assert got["tags_accuracy"] == pytest.approx(np.mean(tags == y["tags"]), abs=1e-6)
    assert got["colour_accuracy"] == pytest.approx(np.mean(clf.predict(X)["colour"] == y["colour"]), abs=1e-6)


def test_predict_proba_prior_corrects_each_classification_output_with_its_own_weights(every_kind, models, data):
    clf, X, _ = every_kind
    proba, prior = clf.predict_proba(X), clf.predict_proba_prior(X)
    assert list(prior) == list(proba)
    cw, classes = clf.class_weight_, clf.classes_
    for k in ("colour", "onehot"):  # softmax outputs: rows sum to 1, weights undone
        assert_allclose(prior[k], unweight_proba(proba[k], [cw[k][c] for c in classes[k].tolist()]))
        assert_allclose(prior[k].sum(axis=1), 1.0)
    assert not np.allclose(prior["colour"], proba["colour"])
    assert_allclose(prior["tags"], unweight_proba(proba["tags"], cw["tags"]))
    assert np.all(prior["tags"][:, 1] < proba["tags"][:, 1])  # label 1 was up-weighted 4 / 0.5
    for k in ("count", "price"):  # regression outputs: as predicted
        assert_array_equal(prior[k], proba[k])
    # binary output corrected; an ordinal output without class weights as predicted
    balanced, X_test = models["balanced"], data[2][:100]
    proba, prior = balanced.predict_proba(X_test), balanced.predict_proba_prior(X_test)
    risk_w = [balanced.class_weight_["risk"][c] for c in balanced.classes_["risk"].tolist()]
    assert_allclose(prior["risk"], unweight_proba(proba["risk"], risk_w))
    assert prior["risk"][:, 0].mean() < proba["risk"][:, 0].mean()  # less mass on the up-weighted "high"
    assert_array_equal(prior["level"], proba["level"])
    assert_array_equal(prior["price"], proba["price"])


def test_predict_proba_prior_refuses_an_ordinal_output_trained_with_class_weights(models, data):
    clf = copy.copy(models["none"])  # a shallow copy: the shared model's attributes are not changed
    clf.class_weight_ = dict(clf.class_weight_, level={0: 1.0, 1: 1.0, 2: 1.0, 3: 5.0})
    with pytest.raises(ValueError, match="cannot undo the class weights of output 'level' \\(kind 'ordinal'"):
        clf.predict_proba_prior(data[2][:5])


def test_a_list_of_label_rows_is_one_target_not_outputs():
    """scikit-learn passes a 2-D target as ``list(Y)`` (one array per row, e.g.
    in check_classifiers_multilabel_representation_invariance): with X's rows
    known, that list is one target; a list of per-output arrays has X's rows
    in every array."""
    from skweight._outputs import is_per_output

    Y = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]])
    assert not is_per_output(list(Y), 4)
    assert is_per_output([np.zeros(4), np.ones(4)], 4)
    assert is_per_output([np.zeros(4), np.ones(4)])  # rows unknown: Keras's reading, one array per output
