"""DataFrame column names: ``feature_names_in_`` set and checked as
scikit-learn's estimators do (with scikit-learn's own ``validate_data``), so
that a ``Pipeline``'s ``get_feature_names_out`` and the inspection tools that
rely on the names work with ``WeightedKerasClassifier`` as the last step."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.compose import ColumnTransformer
from sklearn.inspection import permutation_importance
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.estimator_checks import check_dataframe_column_names_consistency

from skweight import WeightedKerasClassifier

FAST = dict(epochs=1, hidden_layer_sizes=(8,), random_state=0)
COLUMNS = ["age", "income", "visits", "tenure"]


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, len(COLUMNS))), columns=COLUMNS)
    y = (X["age"] + 0.5 * X["income"] > 0.8).astype(int).to_numpy()
    return X, y


X, Y = _frame()
UNNAMED = "X does not have valid feature names, but WeightedKerasClassifier was fitted with feature names"
NAMED = "X has feature names, but WeightedKerasClassifier was fitted without feature names"


@pytest.fixture(scope="module")
def named():
    return WeightedKerasClassifier(class_weight="balanced", **FAST).fit(X, Y)


def _methods(clf):
    """Every method that takes X after fit, as scikit-learn's check lists them (and ours)."""
    return {
        "predict": clf.predict,
        "predict_proba": clf.predict_proba,
        "score": lambda X_: clf.score(X_, Y),
        "predict_proba_prior": clf.predict_proba_prior,
    }


def test_fit_on_a_dataframe_keeps_its_string_column_names(named):
    assert isinstance(named.feature_names_in_, np.ndarray) and named.feature_names_in_.dtype == object
    assert_array_equal(named.feature_names_in_, COLUMNS)
    assert named.n_features_in_ == len(COLUMNS)


def test_the_same_columns_predict_without_a_warning(named):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warning, nor any other
        for method in _methods(named).values():
            method(X)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "predict_proba_prior"])
def test_an_unnamed_array_after_a_named_fit_warns_as_scikit_learn_does(named, method):
    with pytest.warns(UserWarning, match=UNNAMED):
        _methods(named)[method](X.to_numpy())


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "predict_proba_prior"])
def test_a_dataframe_after_an_unnamed_fit_warns(method):
    clf = WeightedKerasClassifier(**FAST).fit(X.to_numpy(), Y)
    assert not hasattr(clf, "feature_names_in_")
    with pytest.warns(UserWarning, match=NAMED):
        _methods(clf)[method](X)


def test_other_column_names_are_refused_naming_them(named):
    renamed = X.rename(columns={"income": "salary"})
    for method in _methods(named).values():
        with pytest.raises(ValueError, match="(?s)Feature names unseen at fit time:\n- salary.*seen at fit time, yet"):
            method(renamed)
    with pytest.raises(ValueError, match="Feature names must be in the same order as they were in fit"):
        named.predict(X[COLUMNS[::-1]])


def test_partial_fit_checks_the_names_of_its_later_calls():
    clf = WeightedKerasClassifier(**FAST).partial_fit(X, Y, classes=[0, 1])
    assert_array_equal(clf.feature_names_in_, COLUMNS)
    before = [w.copy() for w in clf.model_.get_weights()]
    with pytest.raises(ValueError, match="The feature names should match those that were passed during fit"):
        clf.partial_fit(X.rename(columns=str.upper), Y)
    assert all(np.array_equal(a, b) for a, b in zip(before, clf.model_.get_weights()))  # nothing trained


def test_only_string_column_names_are_kept_and_a_refit_replaces_them():
    clf = WeightedKerasClassifier(**FAST).fit(X, Y)
    clf.fit(X.set_axis(range(4), axis=1), Y)  # integer column names: none kept, as in scikit-learn
    assert not hasattr(clf, "feature_names_in_") and clf.n_features_in_ == 4
    clf.fit(X, Y)
    clf.fit(X.to_numpy(), Y)  # a refit on an array drops the names of the previous fit
    assert not hasattr(clf, "feature_names_in_")
    with pytest.raises(TypeError, match="Feature names are only supported if all input features have string names"):
        clf.fit(X.set_axis(["age", 1, "visits", 3], axis=1), Y)


def test_a_failed_fit_keeps_the_names_of_the_previous_fit(named):
    clf = WeightedKerasClassifier(**FAST).fit(X, Y)
    with pytest.raises(ValueError):
        clf.set_params(class_weight={7: 2.0}).fit(X.rename(columns=str.upper), Y)  # 7 is not a class
    assert_array_equal(clf.feature_names_in_, COLUMNS)


def test_scikit_learns_own_dataframe_column_names_check_passes():
    check_dataframe_column_names_consistency("WeightedKerasClassifier", WeightedKerasClassifier(**FAST))


def test_a_pipeline_with_a_column_transformer_passes_its_output_names_on():
    frame = X.assign(region=np.where(X["visits"] > 0, "north", "south"))
    pre = ColumnTransformer(
        [("num", StandardScaler(), COLUMNS), ("cat", OneHotEncoder(sparse_output=False), ["region"])],
        verbose_feature_names_out=True,
    ).set_output(transform="pandas")
    clf = WeightedKerasClassifier(epochs=40, batch_size=32, optimizer__learning_rate=0.01, random_state=0)
    pipe = make_pipeline(pre, clf).fit(frame, Y)
    names = pipe[:-1].get_feature_names_out()
    assert_array_equal(pipe[-1].feature_names_in_, names)
    assert list(names[-2:]) == ["cat__region_north", "cat__region_south"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # the inspection tool meets the names of fit
        result = permutation_importance(pipe, frame, Y, n_repeats=2, random_state=0)
    assert result.importances_mean.shape == (frame.shape[1],)
    # y depends on age and income only: permuting them costs accuracy, permuting tenure next to nothing
    importance = dict(zip(frame.columns, result.importances_mean))
    assert min(importance["age"], importance["income"]) > max(importance["tenure"], 0.0) + 0.02, importance


def test_per_output_y_with_a_dataframe_x_keeps_the_names():
    y = {"flag": Y, "level": (X["visits"] > 0).astype(int).to_numpy()}
    clf = WeightedKerasClassifier(**FAST).fit(X, y)
    assert_array_equal(clf.feature_names_in_, COLUMNS)
    with pytest.warns(UserWarning, match=UNNAMED):
        clf.score(X.to_numpy(), y)
