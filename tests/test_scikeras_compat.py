"""Code written for SciKeras's ``KerasClassifier`` runs on ``WeightedKerasClassifier``.

Each test writes one SciKeras extension point the way SciKeras's own documentation
and tutorials do (subclassing with ``_keras_build_fn``, ``model=`` as a function,
a ``keras.Model`` or a class, routed parameters, a custom target encoder for a
multi-output model, a feature encoder for a multi-input model, metric objects,
callbacks as classes, ``warm_start``, ``initialize``), fits it with both wrappers
on the same seed and compares the numbers.

Equality: both wrappers seed Python, NumPy and the backend with ``random_state``
around building and around ``Model.fit``, so the networks get the same initial
weights, the same shuffles and the same steps.  They agree to float32 rounding,
not bit for bit: SciKeras's seeding context turns TensorFlow's op determinism on
for its fit (and may leave it on), skweight's never does, and the deterministic
kernels sum in another order; a loss then differs in its last float32 unit
after one epoch (1.9517043828964233 vs 1.9517042636871338).  Losses and
probabilities are compared within ``TRAINED_ULPS`` float32 units (see
``tests/_tolerance.py``); skweight also renormalises the float32
probabilities in float64 so that rows sum to 1, a move of one rounding.

With ``class_weight``, skweight is compared with SciKeras's own ``class_weight``
(``compute_sample_weight`` on all rows, the same as skweight's on the training
rows when there is no validation split), or with the sample weights it should
have sent to Keras, read back through a zero learning rate.
"""

import functools

import numpy as np
import pytest
from _tolerance import assert_float32_close
from scikeras.wrappers import KerasClassifier  # noqa: E402
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import make_classification
from sklearn.preprocessing import FunctionTransformer, LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight

from skweight import WeightedKerasClassifier
from skweight._backend import keras, seeded

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

X, Y = make_classification(160, n_features=6, n_informative=4, weights=[0.8], random_state=0)
X = X.astype("float32")
Y3 = make_classification(160, n_features=6, n_informative=4, n_classes=3, random_state=0)[1]
COMMON = dict(epochs=2, batch_size=32, verbose=0, random_state=0, shuffle=True)
PROBA_TOL = 1e-6


@pytest.fixture(autouse=True)
def _undo_scikeras_determinism():
    """SciKeras's seeded fit can leave TensorFlow's op determinism switched on
    (its nested seeding contexts each see it on and leave it); later tests in
    the process would then run tf.data in deterministic mode, which logs to
    stderr. Put the process back as it was after each test here."""
    import os

    try:
        from tensorflow.python.framework import config
    except ImportError:  # another Keras backend: nothing to restore
        yield
        return
    before, env = config.is_op_determinism_enabled(), os.environ.get("TF_DETERMINISTIC_OPS")
    yield
    if config.is_op_determinism_enabled() != before:
        (config.enable_op_determinism if before else config.disable_op_determinism)()
    if env is None:
        os.environ.pop("TF_DETERMINISTIC_OPS", None)
    else:
        os.environ["TF_DETERMINISTIC_OPS"] = env


def fit_both(make, X=X, y=Y, **kw):
    """``make(base)`` returns the estimator for one wrapper class; fit both."""
    sk = make(KerasClassifier, **kw).fit(X, y)
    sw = make(WeightedKerasClassifier, **kw).fit(X, y)
    return sk, sw


def assert_same(sk, sw, X=X):
    assert len(sk.history_["loss"]) == len(sw.history_["loss"])
    assert_float32_close(sw.history_["loss"], sk.history_["loss"], err_msg="training losses")
    assert_float32_close(sw.predict_proba(X), sk.predict_proba(X), err_msg="probabilities")


def get_clf(meta, compile_kwargs, hidden=8):
    """A build function as in SciKeras's quickstart, with a routed parameter."""
    inp = keras.Input((meta["n_features_in_"],))
    h = keras.layers.Dense(hidden, activation="relu")(inp)
    if meta["target_type_"] == "binary":
        out = keras.layers.Dense(1, activation="sigmoid")(h)
    else:
        out = keras.layers.Dense(meta["n_classes_"], activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile(**compile_kwargs)
    return model


# --------------------------------------------------------------------------- #
# subclassing with _keras_build_fn (SciKeras's MLPClassifier tutorial)
# --------------------------------------------------------------------------- #
def mlp_classifier(base, **kw):
    class MLPClassifier(base):
        def __init__(self, hidden_layer_sizes=(8,), optimizer="adam", optimizer__learning_rate=0.01, **kwargs):
            super().__init__(**kwargs)
            self.hidden_layer_sizes = hidden_layer_sizes
            self.optimizer = optimizer
            self.optimizer__learning_rate = optimizer__learning_rate

        def _keras_build_fn(self, compile_kwargs):
            model = keras.Sequential([keras.Input((self.n_features_in_,))])
            for size in self.hidden_layer_sizes:
                model.add(keras.layers.Dense(size, activation="relu"))
            if self.target_type_ == "binary":
                model.add(keras.layers.Dense(1, activation="sigmoid"))
                loss = "binary_crossentropy"
            else:
                model.add(keras.layers.Dense(self.n_classes_, activation="softmax"))
                loss = "sparse_categorical_crossentropy"
            model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
            return model

    return MLPClassifier(**kw)


def test_subclass_keras_build_fn_matches_scikeras():
    sk, sw = fit_both(mlp_classifier, y=Y3, hidden_layer_sizes=(6, 4), **COMMON)
    assert [layer.units for layer in sw.model_.layers] == [6, 4, 3]
    assert sw.model_.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    assert_same(sk, sw)
    np.testing.assert_array_equal(sw.predict(X), sk.predict(X))


def test_subclass_keras_build_fn_class_weight_matches_scikeras():
    sk, sw = fit_both(mlp_classifier, class_weight="balanced", **COMMON)
    assert sw.class_weight_[1] == pytest.approx(len(Y) / (2 * Y.sum()))
    assert_same(sk, sw)


# --------------------------------------------------------------------------- #
# model= as a function, keras.Model instance (compiled or not) or class; routed params
# --------------------------------------------------------------------------- #
def with_model(base, **kw):
    return base(**kw)


def test_build_function_with_routed_params_matches_scikeras():
    kw = dict(
        model=get_clf,
        model__hidden=5,
        loss=keras.losses.BinaryCrossentropy,
        loss__label_smoothing=0.1,
        optimizer=keras.optimizers.SGD,
        optimizer__learning_rate=0.05,
        optimizer__momentum=0.5,
        fit__batch_size=16,
        predict__batch_size=7,
        **COMMON,
    )
    sk, sw = fit_both(with_model, **kw)
    assert sw.model_.layers[1].units == 5
    assert sw.model_.loss.label_smoothing == pytest.approx(0.1)
    assert float(sw.model_.optimizer.momentum) == pytest.approx(0.5)
    assert_same(sk, sw)


def test_partial_build_function_class_weight_matches_scikeras():
    kw = dict(
        model=functools.partial(get_clf, hidden=3),
        loss="binary_crossentropy",
        optimizer="adam",
        class_weight={0: 1.0, 1: 3.0},
        **COMMON,
    )
    sk, sw = fit_both(with_model, **kw)
    assert sw.model_.layers[1].units == 3
    assert_same(sk, sw)


def _functional(compiled):
    with seeded(1):
        inp = keras.Input((X.shape[1],))
        model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(4)(inp)))
    if compiled:
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    return model


@pytest.mark.parametrize("compiled,class_weight", [(False, None), (True, "balanced")], ids=["uncompiled", "compiled"])
def test_model_instance_matches_scikeras(compiled, class_weight):
    kw = dict(loss="binary_crossentropy", optimizer="sgd", class_weight=class_weight, **COMMON)
    sk = KerasClassifier(model=_functional(compiled), **kw).fit(X, Y)
    sw = WeightedKerasClassifier(model=_functional(compiled), **kw).fit(X, Y)
    assert_same(sk, sw)


class SmallNet(keras.Sequential):
    """A model class: built from SciKeras's ``meta`` and a routed ``units``."""

    def __init__(self, meta, units=4):
        super().__init__(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )


def test_model_class_gets_meta_and_routed_params_and_matches_scikeras():
    kw = dict(loss="binary_crossentropy", optimizer="adam", **COMMON)
    # SciKeras takes a function or an instance, not a class: the same network through a function
    sk = KerasClassifier(model=lambda meta: SmallNet(meta, units=3), **kw).fit(X, Y)
    sw = WeightedKerasClassifier(model=SmallNet, model__units=3, **kw).fit(X, Y)
    assert isinstance(sw.model_, SmallNet) and sw.model_.layers[0].units == 3
    assert_same(sk, sw)


class TwoLayerNet(keras.Model):
    """A subclassed keras.Model (no symbolic ``outputs``), as in Keras's subclassing guide."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_keras_model_class_trains_with_class_weight():
    # SciKeras reads model_.outputs, which a subclassed model lacks (AttributeError); skweight skips that check
    kw = dict(loss="binary_crossentropy", optimizer="adam", **COMMON)
    with pytest.raises(AttributeError, match="outputs"):
        KerasClassifier(model=lambda: TwoLayerNet(units=3), **kw).fit(X, Y)
    sw = WeightedKerasClassifier(model=TwoLayerNet, model__units=3, **kw).fit(X, Y)
    cw = WeightedKerasClassifier(model=TwoLayerNet, model__units=3, class_weight="balanced", **kw).fit(X, Y)
    assert isinstance(sw.model_, TwoLayerNet) and sw.model_.hidden.units == 3
    # balanced weights shift probability towards the minority class
    assert cw.predict_proba(X)[:, 1].mean() > sw.predict_proba(X)[:, 1].mean()


# --------------------------------------------------------------------------- #
# a custom target encoder (SciKeras's multi-output tutorial)
# --------------------------------------------------------------------------- #
class MultiOutputTransformer(BaseEstimator, TransformerMixin):
    """Splits a 2-column y into a binary and a multiclass output."""

    def fit(self, y):
        self.bin_encoder_ = LabelEncoder().fit(y[:, 0])
        self.cat_encoder_ = LabelEncoder().fit(y[:, 1])
        self.n_classes_ = [self.bin_encoder_.classes_.size, self.cat_encoder_.classes_.size]
        self.n_outputs_expected_ = 2
        return self

    def transform(self, y):
        return [self.bin_encoder_.transform(y[:, 0]), self.cat_encoder_.transform(y[:, 1])]

    def inverse_transform(self, y, return_proba=False):
        if return_proba:
            return np.column_stack([y[0], y[1]])
        y_bin = self.bin_encoder_.inverse_transform((y[0] > 0.5).astype(int).reshape(-1))
        y_cat = self.cat_encoder_.inverse_transform(np.argmax(y[1], axis=1))
        return np.column_stack([y_bin, y_cat])

    def get_metadata(self):
        return {"n_classes_": self.n_classes_, "n_outputs_expected_": self.n_outputs_expected_}


def multi_output_classifier(base, **kw):
    class MultiOutputClassifier(base):
        @property
        def target_encoder(self):
            return MultiOutputTransformer()

        def _keras_build_fn(self, meta, compile_kwargs):
            inp = keras.Input((meta["n_features_in_"],))
            h = keras.layers.Dense(8, activation="relu")(inp)
            out_bin = keras.layers.Dense(1, activation="sigmoid")(h)
            out_cat = keras.layers.Dense(meta["n_classes_"][1], activation="softmax")(h)
            model = keras.Model(inp, [out_bin, out_cat])
            model.compile(
                loss=["binary_crossentropy", "sparse_categorical_crossentropy"], optimizer=compile_kwargs["optimizer"]
            )
            return model

    return MultiOutputClassifier(**kw)


Y2 = np.column_stack([Y, Y3])


def test_custom_target_encoder_multi_output_matches_scikeras():
    sk, sw = fit_both(multi_output_classifier, y=Y2, optimizer="adam", **COMMON)
    assert isinstance(sw.target_encoder_.user_, MultiOutputTransformer)
    assert sw.n_classes_ == [2, 3] and sw.n_outputs_expected_ == 2 and sw.target_kind_ == "multioutput"
    assert_same(sk, sw)


def _sgd_zero(**kw):
    """One full-batch epoch at learning rate 0: the history's loss is the
    weighted loss of the initial network, which ``evaluate`` can recompute."""
    return dict(
        optimizer="sgd",
        optimizer__learning_rate=0.0,
        epochs=1,
        batch_size=len(X),
        shuffle=False,
        verbose=0,
        random_state=0,
        **kw,
    )


def test_custom_target_encoder_class_weight_per_output():
    cw = [{0: 1.0, 1: 4.0}, "balanced"]
    clf = multi_output_classifier(WeightedKerasClassifier, class_weight=cw, **_sgd_zero()).fit(X, Y2)
    w_bin = np.where(Y == 1, 4.0, 1.0)
    w_cat = compute_sample_weight("balanced", Y3)
    assert clf.class_weight_[1] == {c: pytest.approx(w_cat[Y3 == c][0]) for c in range(3)}
    y_enc = clf.target_encoder_.transform(Y2)
    expected = clf.model_.evaluate(X, y_enc, sample_weight=[w_bin, w_cat], batch_size=len(X), verbose=0)[0]
    unweighted = clf.model_.evaluate(X, y_enc, batch_size=len(X), verbose=0)[0]
    assert clf.history_["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert abs(expected - unweighted) > 1e-3


def test_custom_target_encoder_with_validation_split_is_stratified_per_output():
    clf = multi_output_classifier(WeightedKerasClassifier, validation_split=0.25, **COMMON).fit(X, Y2)
    assert len(clf.history_["val_loss"]) == 2 and np.isfinite(clf.history_["val_loss"]).all()


class PerLabelLists(BaseEstimator, TransformerMixin):
    """A multi-label y split into one output per label."""

    def fit(self, y):
        return self

    def transform(self, y):
        return [y[:, j].astype("float32") for j in range(y.shape[1])]

    def inverse_transform(self, y, return_proba=False):
        proba = np.column_stack([np.ravel(p) for p in y])
        return proba if return_proba else (proba > 0.5).astype(int)


def per_label_classifier(**kw):
    class PerLabel(WeightedKerasClassifier):
        @property
        def target_encoder(self):
            return PerLabelLists()

        def _keras_build_fn(self, meta):
            inp = keras.Input((meta["n_features_in_"],))
            outs = [keras.layers.Dense(1, activation="sigmoid")(inp) for _ in range(2)]
            model = keras.Model(inp, outs)
            model.compile(loss=["binary_crossentropy"] * 2, optimizer="adam")
            return model

    return PerLabel(**kw)


YML = np.column_stack([Y, (Y3 == 2).astype(int)])


def test_custom_target_encoder_used_as_is_and_layout_mismatch_is_a_clear_error():
    clf = per_label_classifier(**COMMON).fit(X, YML)
    assert clf.target_kind_ == "multilabel" and clf.predict(X).shape == YML.shape
    with pytest.raises(ValueError, match=r"class_weight=.*target_encoder of this estimator turns y into a list of 2"):
        per_label_classifier(class_weight="balanced", **COMMON).fit(X, YML)


# --------------------------------------------------------------------------- #
# a feature encoder for a multi-input model (SciKeras's multi-input example)
# --------------------------------------------------------------------------- #
def multi_input_classifier(base, as_dict=False, **kw):
    class MultiInputClassifier(base):
        @property
        def feature_encoder(self):
            if as_dict:
                return FunctionTransformer(lambda X: {"first": X[:, :2], "rest": X[:, 2:]}, accept_sparse=True)
            return FunctionTransformer(lambda X: [X[:, :2], X[:, 2:]], accept_sparse=True)

        def _keras_build_fn(self, compile_kwargs):
            first = keras.Input((2,), name="first")
            rest = keras.Input((self.n_features_in_ - 2,), name="rest")
            h = keras.layers.Concatenate()([keras.layers.Dense(3)(first), keras.layers.Dense(3)(rest)])
            out = keras.layers.Dense(1, activation="sigmoid")(h)
            model = keras.Model({"first": first, "rest": rest} if as_dict else [first, rest], out)
            model.compile(loss="binary_crossentropy", optimizer=compile_kwargs["optimizer"])
            return model

    return MultiInputClassifier(**kw)


@pytest.mark.parametrize("as_dict,class_weight", [(False, None), (True, "balanced")], ids=["list", "dict"])
def test_feature_encoder_multi_input_matches_scikeras(as_dict, class_weight):
    sk, sw = fit_both(multi_input_classifier, as_dict=as_dict, optimizer="adam", class_weight=class_weight, **COMMON)
    assert len(sw.model_.inputs) == 2
    assert_same(sk, sw)


def test_feature_encoder_gets_sparse_X_and_its_parts_are_made_dense():
    dense_fit = multi_input_classifier(WeightedKerasClassifier, **COMMON).fit(X, Y)
    sparse_fit = multi_input_classifier(WeightedKerasClassifier, **COMMON).fit(sparse.csr_matrix(X), Y)
    parts = sparse_fit.feature_encoder_.transform(sparse.csr_matrix(X))
    assert all(isinstance(p, np.ndarray) for p in parts)
    np.testing.assert_allclose(sparse_fit.predict_proba(X), dense_fit.predict_proba(X), atol=1e-6)


def test_feature_encoder_with_validation_split_splits_every_input():
    clf = multi_input_classifier(WeightedKerasClassifier, as_dict=True, validation_split=0.2, **COMMON).fit(X, Y)
    assert len(clf.history_["val_loss"]) == 2 and np.isfinite(clf.history_["val_loss"]).all()


@pytest.mark.parametrize("given", ["list", "dict"])
def test_X_as_list_or_dict_is_refused_as_by_scikeras_with_a_pointer(given):
    parts = [X[:, :2], X[:, 2:]]
    Xin = parts if given == "list" else dict(zip("ab", parts))
    with pytest.raises(ValueError):
        KerasClassifier(model=get_clf, loss="binary_crossentropy", verbose=0).fit(Xin, Y)
    with pytest.raises(TypeError, match="feature_encoder"):
        WeightedKerasClassifier(model=get_clf, loss="binary_crossentropy", **COMMON).fit(Xin, Y)


# --------------------------------------------------------------------------- #
# metrics: objects, classes with routed parameters, unregistered custom metrics
# --------------------------------------------------------------------------- #
class PositiveRate(keras.metrics.Metric):
    """A custom metric that is not registered for serialization and whose
    ``get_config`` does not list its required ``threshold`` argument."""

    def __init__(self, threshold, name="positive_rate"):
        super().__init__(name=name)
        self.threshold = threshold
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hit = keras.ops.cast(keras.ops.reshape(y_pred, (-1,)) > self.threshold, "float32")
        w = keras.ops.ones_like(hit) if sample_weight is None else keras.ops.reshape(sample_weight, (-1,))
        self.hits.assign_add(keras.ops.sum(hit * w))
        self.seen.assign_add(keras.ops.sum(w))

    def result(self):
        return self.hits / self.seen


def test_metric_objects_classes_and_custom_metrics_match_scikeras():
    kw = dict(model=get_clf, loss="binary_crossentropy", optimizer="adam", **COMMON)
    metrics = lambda: [keras.metrics.AUC(name="auc"), keras.metrics.Precision, PositiveRate(0.5)]  # noqa: E731
    sk = KerasClassifier(metrics=metrics(), metrics__1__name="prec", **kw).fit(X, Y)
    sw = WeightedKerasClassifier(metrics=metrics(), metrics__1__name="prec", **kw).fit(X, Y)
    assert_same(sk, sw)
    for name in ("auc", "prec", "positive_rate"):
        # SciKeras renames some training metrics (auc -> a_u_c); compare values in order
        sk_values = next(v for k, v in sk.history_.items() if k.replace("_", "") == name.replace("_", ""))
        assert_float32_close(sw.history_[name], sk_values, err_msg=name)
        # with class_weight=None the weighted copy equals the plain metric
        np.testing.assert_allclose(sw.history_[f"weighted_{name}"], sw.history_[name], rtol=1e-6)


def test_weighted_copy_of_unregistered_custom_metric_weighs_rows():
    clf = WeightedKerasClassifier(
        model=get_clf,
        loss="binary_crossentropy",
        metrics=[PositiveRate(0.5)],
        class_weight={0: 1.0, 1: 9.0},
        **_sgd_zero(),
    ).fit(X, Y)
    proba = clf.model_.predict(X, verbose=0).ravel()
    w = np.where(Y == 1, 9.0, 1.0)
    assert clf.history_["positive_rate"][0] == pytest.approx(np.mean(proba > 0.5), rel=1e-5)
    assert clf.history_["weighted_positive_rate"][0] == pytest.approx(np.sum(w * (proba > 0.5)) / w.sum(), rel=1e-5)


# --------------------------------------------------------------------------- #
# callbacks as classes with routed parameters; warm_start; initialize
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("form", ["list", "dict"])
def test_callback_classes_with_routed_params_match_scikeras(form):
    if form == "list":
        cb = dict(
            callbacks=[keras.callbacks.EarlyStopping],
            callbacks__0__monitor="loss",
            callbacks__0__min_delta=10.0,
            callbacks__0__patience=2,
        )
    else:
        cb = dict(
            callbacks={"stop": keras.callbacks.EarlyStopping},
            callbacks__stop__monitor="loss",
            callbacks__stop__min_delta=10.0,
            callbacks__stop__patience=2,
        )
    kw = dict(model=get_clf, loss="binary_crossentropy", optimizer="adam", **{**COMMON, "epochs": 6}, **cb)
    sw = WeightedKerasClassifier(**kw).fit(X, Y)
    assert len(sw.history_["loss"]) == 3  # best at epoch 1, no 10-point gain in 2 more (patience=2): stopped
    if form == "list":
        assert_same(KerasClassifier(**kw).fit(X, Y), sw)


def test_warm_start_continues_training_as_scikeras():
    kw = dict(model=get_clf, loss="binary_crossentropy", optimizer="adam", warm_start=True, **COMMON)
    sk, sw = KerasClassifier(**kw), WeightedKerasClassifier(**kw)
    for est in (sk, sw):
        est.fit(X, Y)
    first_model = sw.model_
    for est in (sk, sw):
        est.fit(X[:100], Y[:100])
    assert sw.model_ is first_model
    assert_same(sk, sw)


def test_initialize_on_a_prebuilt_model_predicts_without_training():
    trained = _functional(compiled=True)
    with seeded(2):
        trained.fit(X, Y, epochs=1, verbose=0)
    expected = trained.predict(X, verbose=0).ravel()
    sk = KerasClassifier(model=trained, verbose=0).initialize(X, Y)
    sw = WeightedKerasClassifier(model=trained).initialize(X, Y)
    assert sw.model_ is trained and not hasattr(sw, "history_")
    np.testing.assert_allclose(sw.predict_proba(X)[:, 1], expected, atol=PROBA_TOL)
    np.testing.assert_allclose(sw.predict_proba(X), sk.predict_proba(X), atol=PROBA_TOL)
    np.testing.assert_array_equal(sw.predict(X), sk.predict(X))


def test_partial_fit_with_other_y_columns_names_y_before_training():
    clf = WeightedKerasClassifier(model=None, **COMMON).partial_fit(X, YML)
    before = [w.copy() for w in clf.model_.get_weights()]
    wide = np.column_stack([YML, YML[:, :1]])
    with pytest.raises(ValueError, match=r"y has shape \(160, 3\).*fitted on y with \(2,\) column"):
        clf.partial_fit(X, wide)
    assert all(np.array_equal(a, b) for a, b in zip(before, clf.model_.get_weights()))
    assert clf.current_epoch == 1


def test_initialize_on_a_one_unit_model_for_three_classes_returns_kerass_prediction_as_scikeras_does():
    """SciKeras 0.13's ``TestInitialize::test_prebuilt_model``: a compiled linear
    model with one output unit, ``initialize(X, y)`` on a 3-class ``y``, then
    ``predict_proba`` gives Keras's prediction as ``(n,)`` (SciKeras squeezes
    what it cannot read as class probabilities).  skweight matches it and
    says, in a warning, that these are not class probabilities; ``predict``
    refuses to read labels from them."""
    rng = np.random.default_rng(0)
    X1, y3 = rng.random((100, 1)), rng.integers(0, 3, 100)
    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(loss="mae", optimizer="adam")
    with seeded(0):
        model.fit(X1, y3, epochs=1, verbose=0)
    expected = model.predict(X1, verbose=0).reshape(-1)
    sk = KerasClassifier(model=model, verbose=0).initialize(X1, y3)
    sw = WeightedKerasClassifier(model=model).initialize(X1, y3)
    assert sw.model_ is model
    with pytest.warns(UserWarning, match=r"1 value\(s\) per row for a target of 3 classes \[0, 1, 2\]"):
        proba = sw.predict_proba(X1)
    assert proba.shape == sk.predict_proba(X1).shape == (100,)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)  # Keras's float32 values, in float64
    np.testing.assert_allclose(proba, sk.predict_proba(X1), rtol=1e-6)
    with pytest.raises(ValueError, match="predict needs one probability per class from the model, but it gives 1"):
        sw.predict(X1)
