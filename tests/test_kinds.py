"""Every target kind through ``WeightedKerasClassifier``: fit / predict /
predict_proba, ``"balanced"`` raising the rare class's recall, weights resolved
on the training rows only, ``cross_validate`` where scikit-learn supports the
kind, and the element-wise loss that per-label weights need.

Each kind's data is synthetic, imbalanced and seeded; the ``None`` and
``"balanced"`` models of a kind are fitted once (same seed, same split) and
shared by the tests of that kind.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import recall_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

from skweight import WeightedKerasClassifier, class_weights
from skweight._backend import keras
from skweight._params import seed_from
from skweight._splits import split_rows
from skweight.losses import ElementwiseBinaryCrossentropy

# Small, fast networks that still learn in 10 epochs.
# alpha=0: several tests check the weighted-loss arithmetic, which an L2 penalty would add to
FAST = dict(
    optimizer__learning_rate=0.01, epochs=10, batch_size=32, hidden_layer_sizes=(16,), alpha=0.0, random_state=0
)
# The recall of the rare class/label/level must rise at least this much.
MARGIN = 0.2


# --------------------------------------------------------------------------- #
# synthetic imbalanced data, one generator per kind: (X, y, rare-recall truth)
# --------------------------------------------------------------------------- #
def _gauss(n, seed, props, sep):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(props), n, p=props)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    X[:, 0] += sep * y
    X[:, 1] += sep * 0.5 * y
    return X, y


def make_binary(n, seed):  # string labels, 7 % "pos"
    X, y = _gauss(n, seed, [0.93, 0.07], 1.5)
    return X, np.array(["neg", "pos"])[y]


def make_multiclass(n, seed):  # non-contiguous int labels 3, 5, 9 at 75 / 20 / 5 %
    X, y = _gauss(n, seed, [0.75, 0.2, 0.05], 1.2)
    return X, np.array([3, 5, 9])[y]


def make_onehot(n, seed):
    X, y = _gauss(n, seed, [0.75, 0.2, 0.05], 1.2)
    return X, np.eye(3, dtype=np.float32)[y]


def make_multilabel(n, seed):  # label prevalences about 55 / 24 / 9 %
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    logits = np.column_stack([3 * X[:, 0] + 0.5, 3 * X[:, 1] - 2.0, 3 * X[:, 2] - 4.5])
    return X, (rng.random((n, 3)) < 1 / (1 + np.exp(-logits))).astype(int)


def make_multioutput(n, seed):  # column 0: 3 classes; column 1: {3, 10}, 10 at about 6 %
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    colour = np.digitize(X[:, 0] + rng.normal(scale=0.5, size=n), [-0.3, 1.0])
    size = np.where(X[:, 1] + rng.normal(scale=0.7, size=n) > 1.9, 10, 3)
    return X, np.column_stack([colour, size])


def make_sequence(n, seed, timesteps=8):  # labels 1 (rare) and 2 per timestep; 0 pads each row's tail
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, timesteps, 2)).astype(np.float32)
    y = np.where(X[:, :, 0] + 0.5 * rng.normal(size=(n, timesteps)) > 1.6, 1, 2)
    pad = np.arange(timesteps) >= rng.integers(3, timesteps + 1, n)[:, None]
    y[pad] = 0
    X[pad] = 0.0
    return X, y


def make_ordinal(n, seed):  # 4 levels as thermometer codes over 3 thresholds; level 3 at about 5 %
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    level = np.digitize(X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.3, size=n), [-0.5, 0.7, 1.8])
    return X, (np.arange(3) < level[:, None]).astype(int)


def named_two_output_model():
    """A user-built functional model with named outputs."""
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    colour = keras.layers.Dense(3, activation="softmax", name="colour")(hidden)
    size = keras.layers.Dense(2, activation="softmax", name="size")(hidden)
    return keras.Model(inputs, [colour, size])


def _rare_recall_sequence(y_true, y_pred):
    real = y_true != 0
    return recall_score(y_true[real], y_pred[real], labels=[1], average=None)[0]


# kind: (data, n_train, estimator params per class_weight setting, rare recall, engine class weights of training rows)
CASES = {
    "binary": dict(
        # 610 rows: with 600 the stratified split keeps the class ratio exactly,
        # and training-row weights would equal all-row weights
        data=make_binary,
        n=610,
        params=lambda cw: dict(class_weight=cw),
        recall=lambda y, p: recall_score(y, p, pos_label="pos"),
        engine=lambda y: class_weights(y, "balanced"),
    ),
    "multiclass": dict(
        data=make_multiclass,
        n=600,
        params=lambda cw: dict(class_weight=cw),
        recall=lambda y, p: recall_score(y, p, labels=[9], average=None)[0],
        engine=lambda y: class_weights(y, "balanced"),
    ),
    "onehot": dict(
        data=make_onehot,
        n=600,
        params=lambda cw: dict(class_weight=cw),
        recall=lambda y, p: recall_score(y.argmax(1), p.argmax(1), labels=[2], average=None)[0],
        engine=lambda y: class_weights(y, "balanced"),
    ),
    "multilabel": dict(
        data=make_multilabel,
        n=600,
        params=lambda cw: dict(class_weight=cw),
        recall=lambda y, p: recall_score(y[:, 2], p[:, 2]),
        engine=lambda y: class_weights(y, "balanced"),
    ),
    "multioutput": dict(
        data=make_multioutput,
        n=600,
        params=lambda cw: dict(
            model=named_two_output_model,
            loss="sparse_categorical_crossentropy",
            class_weight=None if cw is None else {"size": "balanced"},
        ),
        recall=lambda y, p: recall_score(y[:, 1], p[:, 1], pos_label=10),
        engine=lambda y: [class_weights(y[:, 0], None), class_weights(y[:, 1], "balanced")],
    ),
    "sequence": dict(
        data=make_sequence,
        n=400,
        params=lambda cw: dict(class_weight=cw, padding_label=0),
        recall=_rare_recall_sequence,
        engine=lambda y: class_weights(y, "balanced", kind="sequence", padding_label=0),
    ),
    "ordinal": dict(
        data=make_ordinal,
        n=600,
        params=lambda cw: dict(class_weight=cw, target_kind="ordinal"),
        recall=lambda y, p: recall_score(y.sum(1), p.sum(1), labels=[3], average=None)[0],
        engine=lambda y: class_weights(y, "balanced", kind="ordinal"),
    ),
}

_FITTED = {}


def fitted(kind):
    """``(X, y, X_test, y_test, {None: clf, "balanced": clf}, inputs_unchanged)``,
    fitted once per kind with a 25 % validation split."""
    if kind not in _FITTED:
        case = CASES[kind]
        X, y = case["data"](case["n"], 0)
        X_test, y_test = case["data"](2000, 1)
        X_copy, y_copy = X.copy(), y.copy()
        models = {}
        for cw in (None, "balanced"):
            params = {**FAST, **case["params"](cw), "validation_split": 0.25}
            if "model" in params:
                params.pop("hidden_layer_sizes")
            models[cw] = WeightedKerasClassifier(**params).fit(X, y)
        unchanged = np.array_equal(X, X_copy) and np.array_equal(y, y_copy) and y.dtype == y_copy.dtype
        _FITTED[kind] = (X, y, X_test, y_test, models, unchanged)
    return _FITTED[kind]


def assert_weights_equal(got, expected):
    """Canonical weights (dicts, lists of dicts) equal to 1e-9, keys included."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), (got, expected)
        for key in expected:
            assert math.isclose(got[key], expected[key], rel_tol=1e-9), (key, got[key], expected[key])
    else:
        assert isinstance(got, list) and len(got) == len(expected), (got, expected)
        for g, e in zip(got, expected):
            assert_weights_equal(g, e)


def training_rows(clf, y):
    """The rows the estimator trained on: its stratified, seeded validation split."""
    encoded = clf.target_encoder_.transform(np.asarray(y))
    return split_rows(clf.target_kind_, encoded, clf.validation_split, seed_from(clf.random_state))[0]


# --------------------------------------------------------------------------- #
# every kind: recall, training rows only, predictions
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("kind", list(CASES))
def test_balanced_raises_the_recall_of_the_rare_class(kind):
    X, y, X_test, y_test, models, unchanged = fitted(kind)
    assert models["balanced"].target_kind_ == kind
    recall = {cw: CASES[kind]["recall"](y_test, clf.predict(X_test)) for cw, clf in models.items()}
    assert recall["balanced"] >= recall[None] + MARGIN, recall
    assert unchanged, "fit modified the caller's X or y"


@pytest.mark.lanes
@pytest.mark.parametrize("kind", list(CASES))
def test_class_weights_come_from_the_training_rows_only(kind):
    X, y, _, _, models, _ = fitted(kind)
    clf = models["balanced"]
    train = training_rows(clf, y)
    assert 0.7 * len(y) <= len(train) <= 0.8 * len(y)
    expected = CASES[kind]["engine"](y[train])
    assert_weights_equal(clf.class_weight_, expected)
    # and not from all rows (validation rows included), which give other numbers
    with pytest.raises(AssertionError):
        assert_weights_equal(clf.class_weight_, CASES[kind]["engine"](y))
    assert "val_loss" in clf.history_


def test_predictions_binary_string_labels():
    _, _, X_test, _, models, _ = fitted("binary")
    clf = models["balanced"]
    assert_array_equal(clf.classes_, ["neg", "pos"])
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50,) and set(pred) <= {"neg", "pos"}
    assert proba.shape == (50, 2)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert sorted(clf.class_weight_) == ["neg", "pos"] and clf.class_weight_["pos"] > clf.class_weight_["neg"]


def test_predictions_multiclass_label_space():
    _, _, X_test, _, models, _ = fitted("multiclass")
    clf = models["balanced"]
    assert_array_equal(clf.classes_, [3, 5, 9])
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50,) and set(pred.tolist()) <= {3, 5, 9}
    assert proba.shape == (50, 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])


def test_predictions_onehot():
    X, y, X_test, _, models, _ = fitted("onehot")
    clf = models["balanced"]
    assert_array_equal(clf.classes_, [0, 1, 2])
    # weighted exactly as its integer labels would be
    assert_weights_equal(clf.class_weight_, class_weights(y[training_rows(clf, y)].argmax(axis=1)))
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50, 3) and set(np.unique(pred)) <= {0, 1}
    assert_array_equal(pred.sum(axis=1), 1)
    assert proba.shape == (50, 3)
    assert_array_equal(pred.argmax(axis=1), proba.argmax(axis=1))


def test_predictions_multilabel_and_elementwise_loss():
    X, y, X_test, _, models, _ = fitted("multilabel")
    clf = models["balanced"]
    assert isinstance(clf.model_.loss, ElementwiseBinaryCrossentropy)
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50, 3) and set(np.unique(pred)) <= {0, 1}
    assert proba.shape == (50, 3) and np.all((proba >= 0) & (proba <= 1))
    assert_array_equal(pred, (proba > 0.5).astype(int))
    # the compiled model weighs each label's term by its own (n, labels) weight
    w = np.where(y == 1, [cw[1] for cw in clf.class_weight_], [cw[0] for cw in clf.class_weight_])
    p = np.clip(clf.model_.predict(X, verbose=0).astype(np.float64), 1e-7, 1 - 1e-7)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    got = clf.model_.evaluate(X, y.astype(np.float32), sample_weight=w.astype(np.float32), batch_size=len(X), verbose=0)
    assert got == pytest.approx((w * bce).sum() / w.size, rel=1e-4)


def test_predictions_multioutput_named_outputs():
    _, _, X_test, _, models, _ = fitted("multioutput")
    clf = models["balanced"]
    assert list(clf.model_.output_names) == ["colour", "size"]
    assert [c.tolist() for c in clf.classes_] == [[0, 1, 2], [3, 10]]
    # the dict spec named one output: the other weighs 1
    assert clf.class_weight_[0] == {0: 1.0, 1: 1.0, 2: 1.0}
    assert clf.class_weight_[1][10] > 1 > clf.class_weight_[1][3]
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50, 2)
    assert set(pred[:, 0].tolist()) <= {0, 1, 2} and set(pred[:, 1].tolist()) <= {3, 10}
    assert [p.shape for p in proba] == [(50, 3), (50, 2)]
    assert_array_equal(pred[:, 1], clf.classes_[1][proba[1].argmax(axis=1)])


def test_predictions_sequence_and_padding_weight():
    _, y, X_test, _, models, _ = fitted("sequence")
    clf = models["balanced"]
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.class_weight_[0] == 0.0  # the padding label
    pred, proba = clf.predict(X_test[:20]), clf.predict_proba(X_test[:20])
    assert pred.shape == (20, 8) and set(np.unique(pred)) <= {0, 1, 2}
    assert proba.shape == (20, 8, 3)
    assert_allclose(proba.sum(axis=-1), 1.0, rtol=1e-5)


def test_predictions_ordinal_are_thermometer_codes():
    _, y, X_test, _, models, _ = fitted("ordinal")
    clf = models["balanced"]
    assert_array_equal(clf.classes_, [0, 1, 2, 3])
    # "balanced" balances the 4 levels (row sums), not the 3 bits
    assert sorted(clf.class_weight_) == [0, 1, 2, 3]
    pred, proba = clf.predict(X_test[:50]), clf.predict_proba(X_test[:50])
    assert pred.shape == (50, 3) and proba.shape == (50, 3)
    assert np.all(pred[:, 1:] <= pred[:, :-1]), "a prediction is not a thermometer code"


# --------------------------------------------------------------------------- #
# further behaviour of single kinds
# --------------------------------------------------------------------------- #
def test_sequence_padding_weighs_zero_in_training():
    """Whatever X holds at padded timesteps, training is the same: their loss terms weigh 0."""
    X, y = make_sequence(120, 3)
    noisy = X.copy()
    pad = y == 0
    noisy[pad] = np.random.default_rng(4).normal(scale=50.0, size=(pad.sum(), X.shape[2]))
    params = dict(FAST, epochs=2, class_weight="balanced", padding_label=0)
    clean_clf = WeightedKerasClassifier(**params).fit(X, y)
    noisy_clf = WeightedKerasClassifier(**params).fit(noisy, y)
    for a, b in zip(clean_clf.model_.get_weights(), noisy_clf.model_.get_weights()):
        assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # without a padding label, the padded timesteps are trained on and change the model
    plain = dict(params, padding_label=None)
    changed = [
        not np.allclose(a, b, rtol=1e-5, atol=1e-6)
        for a, b in zip(
            WeightedKerasClassifier(**plain).fit(X, y).model_.get_weights(),
            WeightedKerasClassifier(**plain).fit(noisy, y).model_.get_weights(),
        )
    ]
    assert any(changed)


def test_sequence_sample_weight_per_row_reaches_every_timestep():
    """A (n,) sample_weight without class weights (it crashed: Keras does not
    broadcast (n,) over the timestep axis); rows weighing 0 change nothing."""
    X, y = make_sequence(60, 11)
    sw = np.r_[np.ones(40), np.zeros(20)]
    noisy = X.copy()
    noisy[40:] = np.random.default_rng(12).normal(scale=50.0, size=noisy[40:].shape)
    params = dict(FAST, epochs=1)
    a = WeightedKerasClassifier(**params).fit(X, y, sample_weight=sw)
    b = WeightedKerasClassifier(**params).fit(noisy, y, sample_weight=sw)
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights()):
        assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    assert a.predict(X[:2]).shape == (2, 8)


def test_sequence_with_binary_tags_and_3d_X_is_a_sequence():
    X, y = make_sequence(60, 5)
    tags = (y == 1).astype(int)  # 0/1 per timestep: not a multi-label target
    clf = WeightedKerasClassifier(**dict(FAST, epochs=1), class_weight="balanced").fit(X, tags)
    assert clf.target_kind_ == "sequence"
    assert clf.predict_proba(X[:4]).shape == (4, 8, 2)
    assert_weights_equal(clf.class_weight_, class_weights(tags, kind="sequence"))


def test_multioutput_default_model_with_a_list_spec():
    X, y = make_multioutput(200, 6)
    clf = WeightedKerasClassifier(**dict(FAST, epochs=1), class_weight=[None, {10: 5.0}]).fit(X, y)
    assert clf.target_kind_ == "multioutput"
    assert clf.class_weight_ == [{0: 1.0, 1: 1.0, 2: 1.0}, {3: 1.0, 10: 5.0}]
    assert clf.predict(X[:5]).shape == (5, 2)
    with pytest.raises(
        ValueError, match=r"class_weight is a dict with keys \['sizes'\].*outputs are \['output_0', 'output_1'\]"
    ):
        WeightedKerasClassifier(**dict(FAST, epochs=1), class_weight={"sizes": "balanced"}).fit(X, y)


def test_multilabel_model_compiled_with_plain_bce_is_refused_clearly():
    def compiled():
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(inputs))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        return model

    X, y = make_multilabel(64, 7)
    clf = WeightedKerasClassifier(compiled, class_weight="balanced", epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"compiled with binary cross-entropy.*ElementwiseBinaryCrossentropy"):
        clf.fit(X, y)
    assert not clf.initialized_
    # the loss parameter "binary_crossentropy" is swapped for the element-wise one
    ok = WeightedKerasClassifier(loss="binary_crossentropy", class_weight="balanced", **dict(FAST, epochs=1)).fit(X, y)
    assert isinstance(ok.model_.loss, ElementwiseBinaryCrossentropy)
    # a plain sample_weight, one per row, with or without class weights (it
    # crashed on the element-wise loss: Keras broadcasts (n,) only over size-1 axes)
    sw = np.linspace(0.5, 2.0, len(y))
    assert ok.fit(X, y, sample_weight=sw).predict(X[:3]).shape == (3, 3)
    plain = WeightedKerasClassifier(**dict(FAST, epochs=1)).fit(X, y, sample_weight=sw)
    assert plain.predict(X[:3]).shape == (3, 3)


def test_ordinal_needs_thermometer_rows():
    X, y = make_ordinal(40, 8)
    y = y.copy()
    y[5] = [0, 1, 0]
    with pytest.raises(ValueError, match=r"thermometer-coded.*row 5 of y is not: \[0, 1, 0\]"):
        WeightedKerasClassifier(target_kind="ordinal", class_weight="balanced", epochs=1).fit(X, y)


# --------------------------------------------------------------------------- #
# the element-wise loss
# --------------------------------------------------------------------------- #
def _hand_bce(y, p):
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_elementwise_bce_equals_hand_computed_weighted_sum():
    rng = np.random.default_rng(0)
    y = (rng.random((6, 4)) < 0.4).astype(np.float32)
    p = rng.uniform(0.05, 0.95, size=(6, 4)).astype(np.float32)
    w = rng.uniform(0.0, 5.0, size=(6, 4)).astype(np.float32)
    bce = _hand_bce(y.astype(np.float64), p.astype(np.float64))
    loss = ElementwiseBinaryCrossentropy()
    assert float(loss(y, p, sample_weight=w)) == pytest.approx((w * bce).sum() / w.size, rel=1e-5)
    per_element = ElementwiseBinaryCrossentropy(reduction=None)(y, p, sample_weight=w)
    assert_allclose(np.asarray(per_element), w * bce, rtol=1e-5)
    assert float(ElementwiseBinaryCrossentropy(reduction="sum")(y, p, sample_weight=w)) == pytest.approx(
        (w * bce).sum(), rel=1e-5
    )
    # from logits
    logits = np.log(p / (1 - p))
    assert float(ElementwiseBinaryCrossentropy(from_logits=True)(y, logits, sample_weight=w)) == pytest.approx(
        (w * bce).sum() / w.size, rel=1e-4
    )
    # one weight per row still works and multiplies every label of the row
    row_w = w[:, :1]
    assert float(loss(y, p, sample_weight=row_w[:, 0])) == pytest.approx((row_w * bce).sum() / w.size, rel=1e-5)
    # Keras's own BinaryCrossentropy cannot take these weights
    # (the error type is the backend's own: TensorFlow's InvalidArgumentError, JAX's TypeError, ...)
    with pytest.raises(Exception):  # noqa: B017
        keras.losses.BinaryCrossentropy()(y, p, sample_weight=w)


def test_elementwise_bce_round_trips_its_config():
    loss = ElementwiseBinaryCrossentropy(from_logits=True, name="ewbce")
    again = ElementwiseBinaryCrossentropy.from_config(loss.get_config())
    assert again.from_logits is True and again.name == "ewbce"
    assert keras.losses.get(keras.saving.serialize_keras_object(loss)).from_logits is True


# --------------------------------------------------------------------------- #
# cross_validate, where scikit-learn supports the target kind
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "kind, cv, scoring, params",
    [
        ("binary", StratifiedKFold(3, shuffle=True, random_state=0), "balanced_accuracy", {}),
        ("multiclass", StratifiedKFold(3, shuffle=True, random_state=0), "recall_macro", {}),
        ("onehot", KFold(3, shuffle=True, random_state=0), "recall_macro", {}),
        ("multilabel", KFold(3, shuffle=True, random_state=0), "f1_macro", {}),
        ("ordinal", KFold(3, shuffle=True, random_state=0), "accuracy", {"target_kind": "ordinal"}),
    ],
)
def test_cross_validate_weights_each_fold_by_its_training_rows(kind, cv, scoring, params):
    X, y = CASES[kind]["data"](250, 9)
    clf = WeightedKerasClassifier(class_weight="balanced", epochs=1, hidden_layer_sizes=(8,), random_state=0, **params)
    result = cross_validate(clf, X, y, cv=cv, scoring=scoring, return_estimator=True, error_score="raise")
    assert np.all((result["test_score"] >= 0) & (result["test_score"] <= 1))
    for est, (train, _) in zip(result["estimator"], cv.split(X, y)):
        assert_weights_equal(est.class_weight_, CASES[kind]["engine"](y[train]))
    # the folds' weights differ from each other: each was resolved on its own rows
    first = result["estimator"][0].class_weight_
    assert any(_differs(first, est.class_weight_) for est in result["estimator"][1:])


def _differs(a, b):
    try:
        assert_weights_equal(a, b)
    except AssertionError:
        return True
    return False
