"""Bad input fails early and clearly, and never touches the caller's data.

Every case of the matrix asserts:

* the exception type (``ValueError`` or ``TypeError``);
* a message that names the parameter and the bad value (``match``);
* that no model was built and no Keras training started (spies on the
  default model builder and on the training call, ``skweight._loop.train``
  as step 8 of a fit calls it, whichever loop it then runs);
* that the caller's ``X``, ``y`` and ``sample_weight`` are byte-for-byte what
  they were (compared with deep copies taken before the call).
"""

import copy

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold, cross_validate
from sklearn.utils.validation import check_is_fitted

import skweight._fit as fit_module
import skweight._model as model_module
from skweight import WeightedKerasClassifier

N = 60


# --------------------------------------------------------------------------- #
# data: built afresh for every case, so no case can see another's arrays
# --------------------------------------------------------------------------- #
def _X():
    return np.random.RandomState(0).randn(N, 4).astype(np.float32)


def _y():
    return np.array([0, 1, 0, 0] * (N // 4))  # 45 zeros, 15 ones


def _y_str():
    return np.array(["cat", "dog", "cat", "cat"] * (N // 4), dtype=object)


def _y_multioutput():
    return np.column_stack([_y(), np.arange(N) % 3])


def _y_multilabel():
    return (np.random.RandomState(1).rand(N, 3) > 0.5).astype(int)


def _with(a, index, value, dtype=None):
    a = np.array(a, dtype=dtype)
    a[index] = value
    return a


def _est(**params):
    params = {"epochs": 1, "hidden_layer_sizes": (4,), "random_state": 0, "verbose": 0, **params}
    return WeightedKerasClassifier(**params)


def _snapshot(obj):
    return copy.deepcopy(obj)


def assert_unchanged(before, after):
    """``after`` (the caller's object) is byte-for-byte ``before`` (its copy)."""
    if before is None:
        assert after is None
    elif sp.issparse(before):
        assert type(after) is type(before) and after.shape == before.shape and after.dtype == before.dtype
        b, a = before.tocsr(), after.tocsr()
        for attr in ("data", "indices", "indptr"):
            assert getattr(a, attr).tobytes() == getattr(b, attr).tobytes()
        if before.format == "csr":
            for attr in ("data", "indices", "indptr"):
                assert getattr(after, attr).tobytes() == getattr(before, attr).tobytes()
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        assert list(after.dtypes) == list(before.dtypes)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before, check_exact=True)
    elif isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray)
        assert after.dtype == before.dtype and after.shape == before.shape
        if before.dtype.kind == "O":
            assert np.array_equal(after, before) or repr(after.tolist()) == repr(before.tolist())
        else:
            assert after.tobytes() == before.tobytes()
            assert np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
    else:
        assert repr(after) == repr(before)


@pytest.fixture
def spy(monkeypatch):
    """Counts default-model builds, training calls (``skweight._loop.train``,
    either loop) and ``keras.Model.predict`` calls."""
    calls = {"build": 0, "fit": 0, "predict": 0}
    build = model_module.build_mlp
    fit = fit_module.train
    predict = keras.Model.predict

    def spy_build(*args, **kwargs):
        calls["build"] += 1
        return build(*args, **kwargs)

    def spy_fit(*args, **kwargs):
        calls["fit"] += 1
        return fit(*args, **kwargs)

    def spy_predict(self, *args, **kwargs):
        calls["predict"] += 1
        return predict(self, *args, **kwargs)

    monkeypatch.setattr(model_module, "build_mlp", spy_build)
    monkeypatch.setattr(fit_module, "train", spy_fit)
    monkeypatch.setattr(keras.Model, "predict", spy_predict)
    return calls


# --------------------------------------------------------------------------- #
# the matrix: (id, estimator params, data factory, exception, match)
# the data factory returns (X, y, sample_weight); fit_kwargs are not needed
# --------------------------------------------------------------------------- #
def _d(X=_X, y=_y, sw=None):
    return lambda: (X(), y(), None if sw is None else sw())


NAN, INF = float("nan"), float("inf")

CASES = [
    # class_weight ------------------------------------------------------------
    (
        "cw-unknown-string",
        dict(class_weight="balance"),
        _d(),
        ValueError,
        r"class_weight='balance' is not supported; accepted: None, 'balanced'",
    ),
    (
        "cw-key-not-in-y",
        dict(class_weight={0: 1.0, 5: 2.0}),
        _d(),
        ValueError,
        r"class_weight has key 5, which is not a class of y.*The classes are \[0, 1\]",
    ),
    (
        "cw-string-key-int-labels",
        dict(class_weight={"1": 2.0}),
        _d(),
        ValueError,
        r"class_weight has key '1', .*key is a string but the labels are not.*classes are \[0, 1\]",
    ),
    (
        "cw-int-key-string-labels",
        dict(class_weight={1: 2.0}),
        _d(y=_y_str),
        ValueError,
        r"class_weight has key 1, .*labels are strings.*'cat', 'dog'",
    ),
    (
        "cw-negative",
        dict(class_weight={1: -2.0}),
        _d(),
        ValueError,
        r"class_weight\[1\] = -2.0 is not allowed; class weights must be finite and non-negative",
    ),
    ("cw-nan", dict(class_weight={1: NAN}), _d(), ValueError, r"class_weight\[1\] = nan is not allowed"),
    ("cw-inf", dict(class_weight={0: INF}), _d(), ValueError, r"class_weight\[0\] = inf is not allowed"),
    (
        "cw-non-numeric",
        dict(class_weight={1: "heavy"}),
        _d(),
        TypeError,
        r"class_weight\[1\] = 'heavy' is not a number",
    ),
    ("cw-bool-weight", dict(class_weight={1: True}), _d(), TypeError, r"class_weight\[1\] = True is not a number"),
    (
        "cw-all-zero",
        dict(class_weight={0: 0, 1: 0}),
        _d(),
        ValueError,
        r"class_weight=\{0: 0, 1: 0\} gives every training sample a weight of 0; at least one class",
    ),
    (
        "cw-all-present-zero",
        dict(class_weight={"cat": 0.0, "dog": 0.0}),
        _d(y=_y_str),
        ValueError,
        r"class_weight=\{'cat': 0.0, 'dog': 0.0\} gives every training sample a weight of 0",
    ),
    ("cw-wrong-type", dict(class_weight=3.0), _d(), TypeError, r"class_weight=3.0 has type float; accepted: None"),
    (
        "cw-per-output-too-many",
        dict(class_weight=["balanced"] * 3),
        _d(y=_y_multioutput),
        ValueError,
        r"class_weight=\['balanced', 'balanced', 'balanced'\] has 3 entries but the model has 2 outputs",
    ),
    (
        "cw-per-output-too-few",
        dict(class_weight=["balanced"]),
        _d(y=_y_multioutput),
        ValueError,
        r"class_weight=\['balanced'\] has 1 entries but the model has 2 outputs",
    ),
    (
        "cw-per-output-unknown-name",
        dict(class_weight={"colour": "balanced"}),
        _d(y=_y_multioutput),
        ValueError,
        r"class_weight is a dict with keys \['colour'\], but the model's outputs are \['output_0', 'output_1'\]",
    ),
    (
        "cw-per-output-bad-weight",
        dict(class_weight=[{1: -1.0}, None]),
        _d(y=_y_multioutput),
        ValueError,
        r"class_weight\[0\]\[1\] = -1.0 is not allowed",
    ),
    (
        "cw-per-output-key-not-in-output",
        dict(class_weight=[None, {7: 2.0}]),
        _d(y=_y_multioutput),
        ValueError,
        r"class_weight\[1\] has key 7, which is not a class of y.*The classes are \[0, 1, 2\]",
    ),
    (
        "cw-per-label-for-single-label",
        dict(class_weight=[{0: 1.0, 1: 3.0}]),
        _d(),
        ValueError,
        r"class_weight is a list, the per-label/per-output form, but the target kind is 'binary'",
    ),
    (
        "cw-per-label-wrong-length",
        dict(class_weight=[{0: 1.0, 1: 3.0}]),
        _d(y=_y_multilabel),
        ValueError,
        r"class_weight has 1 entries but y has 3 labels",
    ),
    (
        "cw-per-label-bad-key",
        dict(class_weight=[{0: 1.0, 2: 3.0}, None, None]),
        _d(y=_y_multilabel),
        ValueError,
        r"class_weight\[0\] has key 2; a multi-label entry accepts keys 0 and 1 only",
    ),
    (
        "cw-per-label-negative",
        dict(class_weight=[None, {1: -3.0}, None]),
        _d(y=_y_multilabel),
        ValueError,
        r"class_weight\[1\]\[1\] = -3.0 is not allowed",
    ),
    (
        "cw-single-dict-for-multilabel",
        dict(class_weight={1: 2.0}),
        _d(y=_y_multilabel),
        ValueError,
        r"class_weight is a single dict, but y is a multi-label target with 3 labels",
    ),
    # sample_weight -----------------------------------------------------------
    (
        "sw-too-short",
        {},
        _d(sw=lambda: np.ones(N - 1)),
        ValueError,
        r"sample_weight has shape \(59,\); expected \(60,\)",
    ),
    (
        "sw-too-long",
        {},
        _d(sw=lambda: np.ones(N + 1)),
        ValueError,
        r"sample_weight has shape \(61,\); expected \(60,\)",
    ),
    ("sw-2d", {}, _d(sw=lambda: np.ones((N, 2))), ValueError, r"sample_weight has shape \(60, 2\); expected \(60,\)"),
    (
        "sw-negative",
        {},
        _d(sw=lambda: _with(np.ones(N), 7, -0.5)),
        ValueError,
        r"sample_weight\[7\] = -0.5 is negative; accepted: finite, non-negative",
    ),
    (
        "sw-nan",
        {},
        _d(sw=lambda: _with(np.ones(N), 3, NAN)),
        ValueError,
        r"sample_weight\[3\] = NaN; accepted: finite, non-negative",
    ),
    ("sw-inf", {}, _d(sw=lambda: _with(np.ones(N), 4, INF)), ValueError, r"sample_weight\[4\] = inf; accepted: finite"),
    (
        "sw-too-large-for-float32",
        {},
        _d(sw=lambda: _with(np.ones(N), 5, 1e300)),
        ValueError,
        r"sample_weight\[5\] = 1e\+300 does not fit in float32",
    ),
    (
        "sw-all-zero",
        {},
        _d(sw=lambda: np.zeros(N)),
        ValueError,
        r"sample_weight is zero for every sample; accepted: weights with at least one positive",
    ),
    (
        "sw-strings",
        {},
        _d(sw=lambda: np.array(["heavy"] * N)),
        TypeError,
        r"sample_weight must hold numbers; sample_weight\[0\] = 'heavy'",
    ),
    (
        "sw-object-mixed",
        {},
        _d(sw=lambda: np.array([1.0] * (N - 1) + ["x"], dtype=object)),
        TypeError,
        r"sample_weight must hold numbers; sample_weight\[59\] = 'x'",
    ),
    ("sw-series-nan", {}, _d(sw=lambda: pd.Series(_with(np.ones(N), 9, NAN))), ValueError, r"sample_weight\[9\] = NaN"),
    (
        "cw-times-sw-zero",
        dict(class_weight={0: 0.0}),
        _d(sw=lambda: (_y() == 0).astype(float)),
        ValueError,
        r"class_weight=\{0: 0.0\} times sample_weight is 0 for every sample",
    ),
    # y -----------------------------------------------------------------------
    (
        "y-single-class",
        {},
        _d(y=lambda: np.zeros(N, dtype=int)),
        ValueError,
        r"y has only one class \(0\) in the training rows of this fit",
    ),
    (
        "y-single-class-strings",
        {},
        _d(y=lambda: pd.Series(["cat"] * N)),
        ValueError,
        r"y has only one class \('cat'\) in the training rows",
    ),
    (
        "y-single-class-validation-split",
        dict(validation_split=0.25),
        _d(y=lambda: np.ones(N, dtype=int)),
        ValueError,
        r"y has only one class \(1\) in the training rows",
    ),
    (
        "y-nan",
        {},
        _d(y=lambda: _with(_y(), 11, NAN, dtype=float)),
        ValueError,
        r"y contains NaN at row 11; accepted: a class label for every sample",
    ),
    ("y-inf", {}, _d(y=lambda: _with(_y(), 12, INF, dtype=float)), ValueError, r"y contains inf at row 12"),
    (
        "y-none",
        {},
        _d(y=lambda: _with(_y_str(), 13, None)),
        ValueError,
        r"y contains a missing label \(None at row 13\)",
    ),
    (
        "y-pandas-na",
        {},
        _d(y=lambda: pd.Series(_y(), dtype="Int64").mask(np.arange(N) == 14)),
        ValueError,
        r"y contains (NaN|a missing label \(<NA>) at row 14",
    ),
    (
        "y-continuous",
        {},
        _d(y=lambda: np.linspace(0.0, 1.0, N)),
        ValueError,
        r"y holds continuous values \(e.g. 0.01694915254237288 at row 1\).*Use a regressor",
    ),
    ("y-mixed-types", {}, _d(y=lambda: _with(_y_str(), 0, 3)), TypeError, r"y mixes label types \(number, str\)"),
    (
        "y-multilabel-not-01",
        dict(target_kind="multilabel"),
        _d(y=lambda: _with(_y_multilabel(), (2, 1), 2)),
        ValueError,
        r"a multi-label target must hold only 0 and 1; y holds 2",
    ),
    (
        "y-ordinal-not-thermometer",
        dict(target_kind="ordinal"),
        _d(y=lambda: _with(np.tile([1, 1, 0], (N, 1)), 5, [0, 1, 0])),
        ValueError,
        r"an ordinal target must be thermometer-coded .* row 5 of y is not: \[0, 1, 0\]",
    ),
    (
        "y-wrong-length",
        {},
        _d(y=lambda: _y()[:50]),
        ValueError,
        r"X has 60 samples but y has 50; y needs one label \(row\) per sample of X",
    ),
    (
        "y-empty",
        {},
        _d(X=lambda: _X()[:0], y=lambda: _y()[:0]),
        ValueError,
        r"X is empty: 0 sample\(s\) \(shape=\(0, 4\)\)",
    ),
    # X -----------------------------------------------------------------------
    (
        "X-nan",
        {},
        _d(X=lambda: _with(_X(), (6, 2), NAN)),
        ValueError,
        r"X contains NaN at row 6, column 2; accepted: finite numbers only.*SimpleImputer",
    ),
    ("X-inf", {}, _d(X=lambda: _with(_X(), (8, 1), -INF)), ValueError, r"X contains -inf at row 8, column 1"),
    (
        "X-dataframe-nan",
        {},
        _d(X=lambda: pd.DataFrame(_with(_X(), (9, 3), NAN), columns=list("abcd"))),
        ValueError,
        r"X contains NaN at row 9, column 3",
    ),
    (
        "X-empty",
        {},
        _d(X=lambda: _X()[:0], y=lambda: _y()),
        ValueError,
        r"X is empty: 0 sample\(s\) \(shape=\(0, 4\)\) while a minimum of 1 is required",
    ),
    (
        "X-no-features",
        {},
        _d(X=lambda: _X()[:, :0]),
        ValueError,
        r"X has 0 feature\(s\) \(shape=\(60, 0\)\) while a minimum of 1",
    ),
    ("X-1d", {}, _d(X=lambda: _X()[:, 0]), ValueError, r"X must be 2-D.*got X of shape \(60,\)"),
    (
        "X-strings",
        {},
        _d(X=lambda: _with(_X().astype(object), (4, 0), "red")),
        ValueError,
        r"X must be numeric, but X at row 4, column 0 is 'red' \(could not convert string to float: 'red'\).*OneHotEncoder",  # noqa: E501
    ),
    (
        "X-object-not-a-number",
        {},
        _d(X=lambda: _with(_X().astype(object), (3, 1), {"a": 1})),
        TypeError,
        r"X must be numeric, but X at row 3, column 1 is \{'a': 1\} \(float\(\) argument must be a string or a real number",  # noqa: E501
    ),
    (
        "X-sparse-nan",
        {},
        _d(X=lambda: sp.csr_matrix(_with(_X(), (2, 2), NAN))),
        ValueError,
        r"X \(sparse\) stores the value NaN; accepted: finite numbers only",
    ),
]


@pytest.mark.parametrize("params, data, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_fit_rejects_bad_input_before_training(spy, params, data, exc, match):
    X, y, sw = data()
    before = _snapshot((X, y, sw))
    est = _est(**params)
    with pytest.raises(exc, match=match):
        est.fit(X, y, sample_weight=sw)
    assert spy == {"build": 0, "fit": 0, "predict": 0}, "the error must come before building and training"
    for b, a in zip(before, (X, y, sw)):
        assert_unchanged(b, a)
    # a failed first fit leaves the estimator clearly unfitted
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    assert not hasattr(est, "model_") and not hasattr(est, "classes_")


def test_matrix_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 50


@pytest.mark.parametrize(
    "params, exc, match",
    [
        (dict(class_weight={0: -1.0}), ValueError, r"class_weight\[0\] = -1.0"),
        (dict(class_weight={5: 1.0}), ValueError, r"class_weight has key 5"),
        (dict(class_weight="balanced"), ValueError, r"class_weight='balanced' is not supported by partial_fit"),
    ],
    ids=["negative", "unknown-key", "balanced"],
)
def test_partial_fit_rejects_bad_class_weight_before_training(spy, params, exc, match):
    X, y = _X(), _y()
    before = _snapshot((X, y))
    est = _est(**params)
    with pytest.raises(exc, match=match):
        est.partial_fit(X, y, classes=[0, 1])
    assert spy["fit"] == 0 and spy["build"] == 0
    assert_unchanged(before[0], X)
    assert_unchanged(before[1], y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_user_model_output_names_checked_after_build_but_before_training(spy):
    """Output names of a user's own model are known only once it is built:
    the per-output spec is checked then, still before any training."""

    def two_heads(meta, compile_kwargs):
        inp = keras.Input(shape=meta["X_shape_"][1:])
        outs = [keras.layers.Dense(k, activation="softmax", name=n)(inp) for k, n in zip(meta["n_classes_"], "ab")]
        model = keras.Model(inp, outs)
        model.compile(loss=["sparse_categorical_crossentropy"] * 2, optimizer="adam")
        return model

    X, y = _X(), _y_multioutput()
    before = _snapshot((X, y))
    est = WeightedKerasClassifier(model=two_heads, class_weight={"c": "balanced"}, epochs=1, random_state=0)
    with pytest.raises(
        ValueError, match=r"class_weight is a dict with keys \['c'\], but the model's outputs are \['a', 'b'\]"
    ):
        est.fit(X, y)
    assert spy["fit"] == 0
    assert_unchanged(before[0], X)
    assert_unchanged(before[1], y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


# --------------------------------------------------------------------------- #
# a single class in the training rows of a CV fold or a validation split
# --------------------------------------------------------------------------- #
def test_single_class_cv_fold_raises_before_training(spy):
    X, y = _X(), np.repeat([0, 1], N // 2)  # sorted: each unshuffled 2-fold training set holds one class
    before = _snapshot((X, y))
    with pytest.raises(ValueError, match=r"y has only one class \(1\) in the training rows of this fit"):
        cross_validate(_est(), X, y, cv=KFold(2), error_score="raise")
    assert spy["fit"] == 0
    assert_unchanged(before[0], X)
    assert_unchanged(before[1], y)


def test_stratified_validation_split_keeps_both_classes_in_training(spy):
    """A class with a single row stays on the training side of the split, so
    the training rows never lose a class that y has."""
    X, y = _X(), np.r_[np.zeros(N - 1, dtype=int), 1]
    est = _est(validation_split=0.5, class_weight="balanced").fit(X, y)
    assert spy["fit"] == 1
    n_train = N - int(round(0.5 * (N - 1)))  # the lone 1 is kept for training
    # balanced on the training rows: the single positive weighs n_train / 2
    assert est.class_weight_[1] == pytest.approx(n_train / 2)
    assert est.class_weight_[0] == pytest.approx(n_train / (2 * (n_train - 1)))


# --------------------------------------------------------------------------- #
# predict / predict_proba / score: X checked against what fit saw
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def fitted():
    return _est(class_weight="balanced").fit(_X(), _y())


PREDICT_CASES = [
    (
        "too-few-features",
        lambda: _X()[:, :3],
        ValueError,
        r"X has 3 features, but WeightedKerasClassifier is expecting 4 features",
    ),
    (
        "too-many-features",
        lambda: np.hstack([_X(), _X()[:, :1]]),
        ValueError,
        r"X has 5 features, but WeightedKerasClassifier is expecting 4 features",
    ),
    ("nan", lambda: _with(_X(), (1, 1), NAN), ValueError, r"X contains NaN at row 1, column 1"),
    ("inf", lambda: _with(_X(), (2, 0), INF), ValueError, r"X contains inf at row 2, column 0"),
    ("empty", lambda: _X()[:0], ValueError, r"X is empty: 0 sample\(s\) \(shape=\(0, 4\)\)"),
    (
        "sparse-too-few-features",
        lambda: sp.csr_matrix(_X()[:, :2]),
        ValueError,
        r"X has 2 features, but WeightedKerasClassifier is expecting 4",
    ),
]


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
@pytest.mark.parametrize("make_X, exc, match", [c[1:] for c in PREDICT_CASES], ids=[c[0] for c in PREDICT_CASES])
def test_predict_rejects_bad_X_before_keras(fitted, spy, method, make_X, exc, match):
    X = make_X()
    y = _y()[: max(X.shape[0], 1)]  # score checks y first; keep it valid so that X is what fails
    before = _snapshot((X, y))
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(exc, match=match):
        getattr(fitted, method)(*args)
    assert spy["predict"] == 0
    assert_unchanged(before[0], X)
    assert_unchanged(before[1], y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_proba_prior", "score"])
def test_methods_before_fit_raise_not_fitted(method):
    est = _est(class_weight="balanced")
    args = (_X(), _y()) if method == "score" else (_X(),)
    with pytest.raises(NotFittedError, match=r"WeightedKerasClassifier instance is not fitted yet"):
        getattr(est, method)(*args)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_score_rejects_bad_sample_weight(fitted):
    with pytest.raises(ValueError, match=r"sample_weight\[0\] = -1.0 is negative"):
        fitted.score(_X(), _y(), sample_weight=_with(np.ones(N), 0, -1.0))


# --------------------------------------------------------------------------- #
# sparse X: supported (made dense by the feature encoder, on every backend)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_X_trains_like_dense_X(fmt):
    X = _X()
    X[np.abs(X) < 0.8] = 0.0  # mostly zeros
    y = _y()
    Xs = sp.csr_matrix(X).asformat(fmt)
    before = _snapshot(Xs)
    dense = _est(class_weight="balanced", epochs=2).fit(X, y)
    sparse = _est(class_weight="balanced", epochs=2).fit(Xs, y)
    assert_unchanged(before, Xs)
    np.testing.assert_array_equal(sparse.predict_proba(Xs), dense.predict_proba(X))
    np.testing.assert_array_equal(sparse.predict(X), dense.predict(X))
    assert sparse.class_weight_ == dense.class_weight_


def test_input_tags_declare_sparse_support():
    assert _est().__sklearn_tags__().input_tags.sparse is True
