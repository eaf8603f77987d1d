"""Imbalance-aware training: validation split and validation data, weighted
metrics, partial_fit, probabilities after weighting, and composition with
scikit-learn's calibration and threshold tools."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

import skweight
from skweight import WeightedKerasClassifier, apply_class_weights, class_weights, unweight_proba
from skweight._splits import split_rows

keras = pytest.importorskip("keras")

EPS = 1e-7  # Keras clips probabilities to [EPS, 1 - EPS] in cross-entropy


def _clf(**kw):
    # alpha=0: these tests check the weighted-loss arithmetic, which an L2 penalty would add to
    params = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=64, alpha=0.0, random_state=0)
    params.update(kw)
    return WeightedKerasClassifier(**params)


def _bce(y, p):
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _weighted_binary_loss(clf, X, y_codes, w):
    """What Keras reports as (val_)loss: sum(w * bce) / n_rows."""
    p = clf.model_.predict(X, verbose=0).ravel()
    return float(np.sum(w * _bce(y_codes, p)) / len(y_codes))


@pytest.fixture
def sorted_binary(imbalanced_binary):
    """The minority rows first: Keras's validation_split (the last rows) would hold none."""
    X, y = imbalanced_binary
    order = np.argsort(-y, kind="stable")
    return X[order][:300], y[order][:300]


@pytest.fixture
def small_binary():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=4, weights=[0.9], class_sep=0.8, random_state=3
    )
    return X.astype(np.float32), y


# --------------------------------------------------------------------------- #
# validation_split: stratified, seeded, weighted with training-row weights
# --------------------------------------------------------------------------- #
@pytest.mark.lanes
def test_validation_split_is_stratified_and_weighted_with_training_weights(sorted_binary):
    X, y = sorted_binary
    assert y[-60:].sum() == 0  # Keras's unshuffled 20 % tail would hold no positive
    clf = _clf(class_weight="balanced", validation_split=0.2).fit(X, y)

    train, val = split_rows("binary", y, 0.2, seed=0)  # the split random_state=0 gives
    assert y[val].sum() == round(0.2 * y.sum())  # the minority class on both sides
    # class weights come from the training rows only ...
    expected = class_weights(y[train], "balanced")
    assert clf.class_weight_ == pytest.approx(expected)
    assert clf.class_weight_[1] != pytest.approx(class_weights(y, "balanced")[1])
    # ... and weigh the validation rows: val_loss is the same weighted quantity as loss
    w_val = apply_class_weights(y[val], expected)
    assert clf.history_["val_loss"][-1] == pytest.approx(_weighted_binary_loss(clf, X[val], y[val], w_val), rel=1e-4)
    evaluated = clf.model_.evaluate(X[val], y[val].astype(np.float32), sample_weight=w_val, verbose=0)
    assert clf.history_["val_loss"][-1] == pytest.approx(evaluated, rel=1e-4)
    unweighted = clf.model_.evaluate(X[val], y[val].astype(np.float32), verbose=0)
    assert abs(unweighted - clf.history_["val_loss"][-1]) > 1e-3


def test_validation_split_is_reproducible_per_random_state(small_binary):
    X, y = small_binary
    runs = [_clf(class_weight="balanced", validation_split=0.25, random_state=s).fit(X, y) for s in (5, 5, 6)]
    assert runs[0].history_ == runs[1].history_
    assert runs[0].history_["val_loss"] != runs[2].history_["val_loss"]  # another split and network


def test_random_state_instances_seed_the_split_without_being_advanced(small_binary):
    X, y = small_binary
    rs = np.random.RandomState(1)
    state = rs.get_state()[1].copy()
    a = _clf(class_weight="balanced", validation_split=0.25, epochs=1, random_state=rs).fit(X, y)
    np.testing.assert_array_equal(rs.get_state()[1], state)
    b = _clf(class_weight="balanced", validation_split=0.25, epochs=1, random_state=np.random.RandomState(1)).fit(X, y)
    c = _clf(class_weight="balanced", validation_split=0.25, epochs=1, random_state=np.random.RandomState(2)).fit(X, y)
    assert a.history_ == b.history_
    # SciKeras turns every RandomState into seed 0; each must give its own split and network
    assert a.history_["val_loss"] != c.history_["val_loss"]


def test_validation_set_is_weighted_exactly_like_the_training_set(small_binary):
    """With a zero learning rate and the training rows as validation data,
    loss and val_loss are one number: the same weighted mean."""
    X, y = small_binary
    sw = np.linspace(0.5, 1.5, len(y))
    clf = _clf(class_weight={0: 1.0, 1: 7.0}, epochs=1, optimizer__learning_rate=0.0)
    clf.fit(X, y, sample_weight=sw, validation_data=(X, y, sw))
    assert clf.history_["val_loss"][0] == pytest.approx(clf.history_["loss"][0], rel=1e-5)
    w = apply_class_weights(y, {0: 1.0, 1: 7.0}) * sw
    assert clf.history_["loss"][0] == pytest.approx(_weighted_binary_loss(clf, X, y, w), rel=1e-4)


def test_multilabel_validation_split_keeps_labels_and_weights_each_element():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 1.2, X[:, 1] > 0.5, X[:, 2] + X[:, 3] > 0]).astype(int)
    clf = _clf(class_weight="balanced", validation_split=0.25, epochs=2).fit(X, Y)
    train, val = split_rows("multilabel", Y.astype(np.float32), 0.25, seed=0)
    assert np.all(Y[val].sum(axis=0) > 0) and np.all(Y[train].sum(axis=0) > 0)
    expected = class_weights(Y[train], "balanced", kind="multilabel")
    assert clf.class_weight_ == expected
    w_val = apply_class_weights(Y[val], expected, kind="multilabel")  # (n_val, 3): one weight per label
    p = clf.model_.predict(X[val], verbose=0)
    hand = np.sum(w_val * _bce(Y[val], p)) / w_val.size
    assert clf.history_["val_loss"][-1] == pytest.approx(hand, rel=1e-4)


def test_validation_split_from_fit_keyword_or_fit_prefix(small_binary):
    X, y = small_binary
    a = _clf(class_weight="balanced", epochs=1).fit(X, y, validation_split=0.25)
    b = _clf(class_weight="balanced", epochs=1, fit__validation_split=0.25).fit(X, y)
    c = _clf(class_weight="balanced", epochs=1, validation_split=0.25).fit(X, y)
    assert "val_loss" in a.history_ and a.history_ == b.history_ == c.history_


@pytest.mark.parametrize("bad", [1.0, -0.2, "0.2", True])
def test_bad_validation_split_is_refused_before_training(small_binary, bad):
    X, y = small_binary
    clf = _clf(validation_split=bad)
    with pytest.raises(ValueError, match=r"validation_split=.* must be a float in \[0, 1\)"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
    with pytest.raises(ValueError, match=r"validation_split="):
        _clf().fit(X, y, validation_split=bad)


def test_validation_split_without_any_splittable_class_is_refused():
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    clf = _clf(validation_split=0.3)
    with pytest.raises(ValueError, match=r"validation_split=0.3 leaves no validation rows"):
        clf.fit(X, ["a", "b", "c"])
    assert not hasattr(clf, "model_")


# --------------------------------------------------------------------------- #
# explicit validation data
# --------------------------------------------------------------------------- #
@pytest.mark.lanes
def test_explicit_validation_data_with_string_labels(small_binary):
    X, y = small_binary
    labels = np.array(["common", "rare"])[y]
    X_tr, y_tr, X_va, y_va = X[:200], labels[:200], X[200:], labels[200:]
    copies = [a.copy() for a in (X_tr, y_tr, X_va, y_va)]
    clf = _clf(class_weight={"rare": 5.0}).fit(X_tr, y_tr, validation_data=(X_va, y_va))
    for a, c in zip((X_tr, y_tr, X_va, y_va), copies):
        np.testing.assert_array_equal(a, c)
    assert clf.class_weight_ == {"common": 1.0, "rare": 5.0}
    codes = (y_va == "rare").astype(float)
    w = np.where(codes == 1, 5.0, 1.0)
    assert clf.history_["val_loss"][-1] == pytest.approx(_weighted_binary_loss(clf, X_va, codes, w), rel=1e-4)
    # a third element multiplies in, like sample_weight does for the training rows
    sw = np.full(len(y_va), 2.0)
    clf2 = _clf(class_weight={"rare": 5.0}).fit(X_tr, y_tr, validation_data=(X_va, y_va, sw))
    assert clf2.history_["val_loss"][-1] == pytest.approx(2 * clf.history_["val_loss"][-1], rel=1e-5)


def test_explicit_validation_data_errors_name_validation_data(small_binary):
    X, y = small_binary
    labels = np.array(["common", "rare"])[y]
    with pytest.raises(ValueError, match=r"validation_data: .*'other'.*unseen in fit"):
        _clf(epochs=1).fit(X, labels, validation_data=(X[:5], np.array(["other"] * 5)))
    with pytest.raises(ValueError, match=r"validation_data: X has 3 features.* expecting 8"):
        _clf(epochs=1).fit(X, labels, validation_data=(X[:5, :3], labels[:5]))
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(X_val, y_val\)"):
        _clf(epochs=1).fit(X, labels, validation_data=X[:5])
    with pytest.raises(ValueError, match=r"validation_data: sample_weight has shape \(2,\); expected \(5,\)"):
        _clf(epochs=1).fit(X, labels, validation_data=(X[:5], labels[:5], [1.0, 2.0]))


# --------------------------------------------------------------------------- #
# callbacks on the weighted validation loss
# --------------------------------------------------------------------------- #
def test_early_stopping_on_val_loss_stops_and_restores_the_best_weights(small_binary):
    X, y = small_binary
    # a min_delta no epoch can reach: training stops after patience + 1 epochs
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0, restore_best_weights=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = _clf(class_weight="balanced", validation_split=0.2, epochs=50, callbacks=[stop]).fit(X, y)
    assert [str(w.message) for w in caught] == []  # Keras warns when the monitored key is missing
    assert len(clf.history_["val_loss"]) == 2
    train, val = split_rows("binary", y, 0.2, seed=0)
    w_val = apply_class_weights(y[val], class_weights(y[train]))
    # the restored weights are those of the first (best) epoch
    assert _weighted_binary_loss(clf, X[val], y[val], w_val) == pytest.approx(clf.history_["val_loss"][0], rel=1e-4)


def test_model_checkpoint_keeps_the_model_with_the_best_weighted_val_loss(small_binary, tmp_path):
    X, y = small_binary
    path = tmp_path / "best.keras"
    check = keras.callbacks.ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True, verbose=0)
    clf = _clf(class_weight="balanced", validation_split=0.2, epochs=4, callbacks=[check]).fit(X, y)
    best = keras.models.load_model(str(path))
    train, val = split_rows("binary", y, 0.2, seed=0)
    w_val = apply_class_weights(y[val], class_weights(y[train]))
    p = best.predict(X[val], verbose=0).ravel()
    assert np.sum(w_val * _bce(y[val], p)) / len(val) == pytest.approx(min(clf.history_["val_loss"]), rel=1e-4)


# --------------------------------------------------------------------------- #
# metrics: plain and weighted
# --------------------------------------------------------------------------- #
@pytest.mark.lanes
def test_metrics_are_reported_plain_and_weighted(sorted_binary):
    X, y = sorted_binary
    metrics = ["accuracy"]
    clf = _clf(class_weight="balanced", validation_split=0.25, metrics=metrics, epochs=2).fit(X, y)
    assert metrics == ["accuracy"]  # the caller's list is not extended
    assert set(clf.history_) == {
        "loss",
        "accuracy",
        "weighted_accuracy",
        "val_loss",
        "val_accuracy",
        "val_weighted_accuracy",
    }
    # on imbalanced data the two differ ...
    assert abs(clf.history_["accuracy"][-1] - clf.history_["weighted_accuracy"][-1]) > 0.01
    assert abs(clf.history_["val_accuracy"][-1] - clf.history_["val_weighted_accuracy"][-1]) > 0.01
    # ... and each is what it says, on the validation rows
    train, val = split_rows("binary", y, 0.25, seed=0)
    w_val = apply_class_weights(y[val], class_weights(y[train]))
    correct = (clf.model_.predict(X[val], verbose=0).ravel() > 0.5) == y[val]
    assert clf.history_["val_accuracy"][-1] == pytest.approx(correct.mean(), abs=1e-6)
    assert clf.history_["val_weighted_accuracy"][-1] == pytest.approx(np.sum(w_val * correct) / w_val.sum(), abs=1e-6)


def test_metric_objects_keep_keras_names_in_history(small_binary):
    X, y = small_binary
    auc = keras.metrics.AUC(name="auc")
    clf = _clf(class_weight="balanced", validation_split=0.25, metrics=[auc], epochs=1).fit(X, y)
    # SciKeras renamed the training entry "a_u_c" next to "val_auc"
    assert set(clf.history_) == {"loss", "auc", "weighted_auc", "val_loss", "val_auc", "val_weighted_auc"}


def test_no_warnings_and_no_output_at_verbose_0(small_binary, capfd):
    X, y = small_binary
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = _clf(class_weight="balanced", validation_split=0.2, metrics=["accuracy"], verbose=0).fit(X, y)
        clf.predict(X)
        clf.predict_proba_prior(X)
        clf.set_params(class_weight={1: 3.0}).partial_fit(X, y)
    out, err = capfd.readouterr()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert out == "" and err == ""


# --------------------------------------------------------------------------- #
# partial_fit
# --------------------------------------------------------------------------- #
def test_partial_fit_applies_the_same_dict_weights_every_call():
    X, y = make_classification(300, n_features=6, n_classes=3, n_informative=4, weights=[0.6, 0.3], random_state=2)
    X = X.astype(np.float32)
    weights = {0: 1.0, 1: 2.0, 2: 10.0}
    clf = _clf(class_weight=weights, optimizer__learning_rate=0.0)
    batches = [np.flatnonzero(y != 2)[:100], np.flatnonzero(y == 0)[:80], np.arange(100, 300)]
    for i, rows in enumerate(batches):
        clf.partial_fit(X[rows], y[rows], classes=[0, 1, 2] if i == 0 else None)
        # every class keeps its weight, also a class absent from this batch
        assert clf.class_weight_ == weights
        # and the loss of this call is the dict-weighted loss on its rows
        p = np.clip(clf.model_.predict(X[rows], verbose=0), EPS, 1 - EPS)
        w = np.array([weights[c] for c in y[rows]])
        hand = np.sum(-w * np.log(p[np.arange(len(rows)), y[rows]])) / len(rows)
        assert clf.history_["loss"][-1] == pytest.approx(hand, rel=1e-4)
    assert clf.current_epoch == 3 and len(clf.history_["loss"]) == 3


@pytest.mark.parametrize("spec", ["balanced", ["balanced", None], [None, "balanced"]])
def test_partial_fit_refuses_balanced_before_training(spec):
    X, y = make_classification(120, n_features=5, random_state=0)
    Y = y if isinstance(spec, str) else np.column_stack([y, 1 - y])
    clf = _clf(class_weight=spec)
    with pytest.raises(ValueError, match=r"not supported by partial_fit.*skweight\.class_weights\(y_all, 'balanced'\)"):
        clf.partial_fit(X, Y)
    assert not hasattr(clf, "model_")


def test_partial_fit_after_fit_refuses_balanced_and_keeps_the_model(small_binary):
    X, y = small_binary
    clf = _clf(class_weight={1: 3.0}, epochs=1).fit(X, y)
    before = [v.numpy().copy() for v in clf.model_.weights]
    clf.set_params(class_weight="balanced")
    with pytest.raises(ValueError, match="partial_fit"):
        clf.partial_fit(X, y)
    for v, b in zip(clf.model_.weights, before):
        np.testing.assert_array_equal(v.numpy(), b)
    # the recipe of the message: weights from all labels, computed once
    weights = skweight.class_weights(y, "balanced")
    clf.set_params(class_weight=weights).partial_fit(X[:50], y[:50])
    assert clf.class_weight_ == pytest.approx(weights)


# --------------------------------------------------------------------------- #
# probabilities calibrated to the training prior
# --------------------------------------------------------------------------- #
def test_predict_proba_prior_matches_the_closed_form(small_binary):
    X, y = small_binary
    clf = _clf(class_weight="balanced").fit(X, y)
    proba, prior = clf.predict_proba(X), clf.predict_proba_prior(X)
    w0, w1 = clf.class_weight_[0], clf.class_weight_[1]
    closed = (proba[:, 1] / w1) / (proba[:, 0] / w0 + proba[:, 1] / w1)
    np.testing.assert_allclose(prior[:, 1], closed, rtol=1e-10)
    np.testing.assert_allclose(prior.sum(axis=1), 1.0)
    np.testing.assert_allclose(prior, unweight_proba(proba, clf.class_weight_))
    # predict keeps the weighted decision, and scikit-learn's contract holds
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(proba, axis=1)])
    # the correction is monotone: the ranking of rows is unchanged
    np.testing.assert_array_equal(np.argsort(proba[:, 1], kind="stable"), np.argsort(prior[:, 1], kind="stable"))


@pytest.mark.lanes
def test_predict_proba_prior_restores_the_training_prior(imbalanced_binary):
    X, y = imbalanced_binary
    X_tr, y_tr, X_te, y_te = X[:400], y[:400], X[400:], y[400:]
    clf = _clf(class_weight="balanced", epochs=15, hidden_layer_sizes=(16,)).fit(X_tr, y_tr)
    proba, prior = clf.predict_proba(X_te), clf.predict_proba_prior(X_te)
    base = y_tr.mean()
    # balanced weights pull the mean positive probability towards 0.5; the correction brings it back
    assert abs(prior[:, 1].mean() - base) < 0.5 * abs(proba[:, 1].mean() - base)
    assert log_loss(y_te, prior) < log_loss(y_te, proba)


def test_predict_proba_prior_multiclass_with_string_labels():
    X, y = make_classification(300, n_features=6, n_classes=3, n_informative=4, weights=[0.7, 0.25], random_state=4)
    labels = np.array(["x", "y", "z"])[y]
    clf = _clf(class_weight={"z": 6.0, "y": 2.0}).fit(X, labels)
    proba, prior = clf.predict_proba(X), clf.predict_proba_prior(X)
    w = np.array([1.0, 2.0, 6.0])
    np.testing.assert_allclose(prior, (proba / w) / (proba / w).sum(axis=1, keepdims=True), rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(proba, axis=1)])
    # float32 softmax rows are rescaled to sum to 1 in float64: log_loss does not warn
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert log_loss(labels, prior) < log_loss(labels, proba)


def test_predict_proba_prior_is_predict_proba_without_class_weights(small_binary):
    X, y = small_binary
    clf = _clf(epochs=1).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba_prior(X), clf.predict_proba(X), rtol=1e-12)


def test_predict_proba_prior_multilabel_corrects_each_label():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 1.0, X[:, 1] > 0.0]).astype(int)
    clf = _clf(class_weight=[{1: 4.0}, {0: 2.0}], epochs=2).fit(X, Y)
    p, prior = clf.predict_proba(X), clf.predict_proba_prior(X)
    np.testing.assert_allclose(prior[:, 0], (p[:, 0] / 4) / (p[:, 0] / 4 + (1 - p[:, 0])), rtol=1e-10)
    np.testing.assert_allclose(prior[:, 1], p[:, 1] / (p[:, 1] + (1 - p[:, 1]) / 2), rtol=1e-10)


def test_predict_proba_prior_errors():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="predict_proba_prior"):
        _clf().predict_proba_prior(np.zeros((2, 3)))
    X = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)
    levels = np.array([[0, 0], [1, 0], [1, 1]] * 20)
    clf = _clf(target_kind="ordinal", epochs=1).fit(X, levels)
    with pytest.raises(ValueError, match=r"predict_proba_prior supports .* not 'ordinal'"):
        clf.predict_proba_prior(X)


def test_unweight_proba_checks_its_inputs():
    with pytest.raises(ValueError, match=r"proba has shape \(1, 2\) but class_weight has 3 weights"):
        unweight_proba([[0.5, 0.5]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"finite and positive .* \[1.0, 0.0\]"):
        unweight_proba([[0.5, 0.5]], {0: 1.0, 1: 0.0})
    with pytest.raises(ValueError, match=r"2 per-label entries"):
        unweight_proba([[0.5, 0.5, 0.5]], [{1: 2.0}, {1: 2.0}])
    proba = np.array([[0.2, 0.8]])
    before = proba.copy()
    unweight_proba(proba, [1.0, 4.0])
    np.testing.assert_array_equal(proba, before)


# --------------------------------------------------------------------------- #
# composition with scikit-learn's calibration and threshold tools
# --------------------------------------------------------------------------- #
def test_calibrated_classifier_cv_wraps_the_estimator(imbalanced_binary):
    from sklearn.calibration import CalibratedClassifierCV

    X, y = imbalanced_binary
    X_tr, y_tr, X_te, y_te = X[:400], y[:400], X[400:], y[400:]
    base = _clf(class_weight="balanced", epochs=10, hidden_layer_sizes=(16,))
    cal = CalibratedClassifierCV(base, method="sigmoid", cv=3).fit(X_tr, y_tr)
    proba = cal.predict_proba(X_te)
    assert proba.shape == (len(X_te), 2) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert len(cal.calibrated_classifiers_) == 3
    assert all(c.estimator.class_weight_[1] > 1 for c in cal.calibrated_classifiers_)  # each fold weighted
    weighted = base.fit(X_tr, y_tr).predict_proba(X_te)
    assert log_loss(y_te, proba) < log_loss(y_te, weighted)


def test_threshold_classifiers_wrap_the_estimator(imbalanced_binary):
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV

    X, y = imbalanced_binary
    X_tr, y_tr, X_te = X[:400], y[:400], X[400:]
    base = _clf(class_weight="balanced", epochs=5)
    tuned = TunedThresholdClassifierCV(base, scoring="balanced_accuracy", cv=3, random_state=0).fit(X_tr, y_tr)
    assert 0 < tuned.best_threshold_ < 1 and np.isfinite(tuned.best_score_)
    p = tuned.predict_proba(X_te)
    assert p.shape == (len(X_te), 2)
    np.testing.assert_array_equal(tuned.predict(X_te), (p[:, 1] >= tuned.best_threshold_).astype(int))

    # The decision of the corrected probabilities is a fixed threshold on the
    # weighted ones: p_prior = 0.5  <=>  p = w1 / (w0 + w1).
    fitted = base.fit(X_tr, y_tr)
    w0, w1 = fitted.class_weight_[0], fitted.class_weight_[1]
    fixed = FixedThresholdClassifier(FrozenEstimator(fitted), threshold=w1 / (w0 + w1)).fit(X_tr, y_tr)
    prior = fitted.predict_proba_prior(X_te)
    decided = np.abs(prior[:, 1] - 0.5) > 1e-6  # rows on the threshold itself can round either way
    np.testing.assert_array_equal(fixed.predict(X_te)[decided], np.argmax(prior, axis=1)[decided])
    assert fixed.predict(X_te).mean() < fitted.predict(X_te).mean()  # fewer positives than the weighted decision

    refit = FixedThresholdClassifier(base, threshold=0.3).fit(X_tr, y_tr)
    np.testing.assert_array_equal(refit.predict(X_te), (refit.predict_proba(X_te)[:, 1] >= 0.3).astype(int))
