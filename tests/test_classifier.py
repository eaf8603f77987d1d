"""WeightedKerasClassifier in scikit-learn workflows: class_weight semantics,
cross-validation, search, pipelines, routing, persistence, seeding."""

import os
import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from skweight import WeightedKerasClassifier

# batch_size=32: a fixed 10 epochs needs the updates of small batches (the default MLP batches 200 rows)
FAST = dict(epochs=10, batch_size=32, hidden_layer_sizes=(32,), random_state=0)


def test_is_a_classifier_and_cv_is_stratified(imbalanced_binary):
    X, y = imbalanced_binary
    clf = WeightedKerasClassifier()
    assert is_classifier(clf)
    assert clf.__sklearn_tags__().estimator_type == "classifier"
    assert isinstance(check_cv(5, y, classifier=is_classifier(clf)), StratifiedKFold)


@pytest.mark.parametrize("data", ["imbalanced_binary", "imbalanced_multiclass"])
def test_imbalance_scorers_are_finite(data, request):
    X, y = request.getfixturevalue(data)
    binary = len(np.unique(y)) == 2
    scoring = ["balanced_accuracy", "f1_macro", "neg_log_loss"]
    scoring += ["roc_auc", "average_precision"] if binary else ["roc_auc_ovr"]
    res = cross_validate(WeightedKerasClassifier(class_weight="balanced", **FAST), X, y, cv=3, scoring=scoring)
    for name in scoring:
        scores = res[f"test_{name}"]
        assert scores.shape == (3,)
        assert np.all(np.isfinite(scores)), name
    assert np.mean(res["test_balanced_accuracy"]) > 0.6


def test_balanced_matches_sklearn_and_dict_uses_user_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.array(["cat"] * 90 + ["dog"] * 24 + ["eel"] * 6)
    clf = WeightedKerasClassifier(class_weight="balanced", epochs=1, random_state=0).fit(X, y)
    expected = compute_class_weight("balanced", classes=np.unique(y), y=y)
    assert list(clf.class_weight_) == ["cat", "dog", "eel"]
    np.testing.assert_allclose(list(clf.class_weight_.values()), expected)
    clf = WeightedKerasClassifier(class_weight={"eel": 7.5}, epochs=1, random_state=0).fit(X, y)
    assert clf.class_weight_ == {"cat": 1.0, "dog": 1.0, "eel": 7.5}
    assert set(clf.predict(X)) <= {"cat", "dog", "eel"}


@pytest.mark.parametrize(
    "bad, err",
    [
        ({2: 1.0}, ValueError),
        ({0: -1.0}, ValueError),
        ({0: np.nan}, ValueError),
        ({0: np.inf}, ValueError),
        ("balance", ValueError),
        (3.0, TypeError),
    ],
)
def test_bad_class_weight_is_refused_before_training(bad, err, imbalanced_binary):
    X, y = imbalanced_binary
    clf = WeightedKerasClassifier(class_weight=bad, epochs=1)
    with pytest.raises(err, match="class_weight"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


@pytest.mark.parametrize("kind", ["float", "int", "list", "series"])
def test_sample_weight_forms_are_multiplied_not_mutated(kind, imbalanced_binary):
    pd = pytest.importorskip("pandas")
    X, y = imbalanced_binary
    base = np.ones(len(y), dtype=int) * 2
    sw = {"float": base.astype(float), "int": base, "list": base.tolist(), "series": pd.Series(base)}[kind]
    before = pickle.dumps(sw)
    X_before, y_before = X.copy(), y.copy()
    clf = WeightedKerasClassifier(class_weight="balanced", **FAST).fit(X, y, sample_weight=sw)
    assert pickle.dumps(sw) == before
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)
    assert clf.predict_proba(X).shape == (len(y), 2)


def test_sample_weight_and_class_weight_multiply(train_spy, imbalanced_binary):
    X, y = imbalanced_binary
    sw = np.linspace(0.5, 2.0, len(y))
    clf = WeightedKerasClassifier(class_weight={1: 3.0}, epochs=1, random_state=0).fit(X, y, sample_weight=sw)
    ((data, _, _),) = train_spy
    np.testing.assert_allclose(data.sample_weight, sw * np.where(y == 1, 3.0, 1.0), rtol=1e-6)
    assert clf.class_weight_ == {0: 1.0, 1: 3.0}


def test_grid_search_over_class_weight_in_a_pipeline(imbalanced_binary):
    X, y = imbalanced_binary
    pipe = make_pipeline(StandardScaler(), WeightedKerasClassifier(**FAST))
    grid = GridSearchCV(
        pipe,
        {"weightedkerasclassifier__class_weight": [None, "balanced", {0: 1, 1: 5}]},
        cv=2,  # 7 fits; mean balanced accuracy None 0.54, "balanced" 0.80, {0: 1, 1: 5} 0.76
        scoring="balanced_accuracy",
    ).fit(X, y)
    assert len(grid.cv_results_["mean_test_score"]) == 3
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    # weighting helps the minority class on this 1:9 problem
    scores = dict(
        zip(
            map(str, grid.cv_results_["param_weightedkerasclassifier__class_weight"]),
            grid.cv_results_["mean_test_score"],
        )
    )
    assert scores["balanced"] > scores["None"]
    assert grid.best_params_["weightedkerasclassifier__class_weight"] is not None


def test_clone_and_params_round_trip():
    clf = WeightedKerasClassifier(class_weight={0: 2}, hidden_layer_sizes=(8, 4), optimizer__learning_rate=0.01)
    params = clf.get_params()
    assert params["class_weight"] == {0: 2}
    assert params["hidden_layer_sizes"] == (8, 4)
    assert params["optimizer__learning_rate"] == 0.01
    twin = clone(clf)
    assert twin.get_params() == params
    twin.set_params(class_weight="balanced", optimizer__learning_rate=0.1)
    assert twin.class_weight == "balanced" and twin.optimizer__learning_rate == 0.1
    assert clf.class_weight == {0: 2}


def test_random_state_reproducible_and_global_state_untouched(imbalanced_binary):
    import tensorflow as tf
    from tensorflow.python.framework import config

    X, y = imbalanced_binary
    random.seed(123)
    np.random.seed(123)
    py_state, np_state = random.getstate(), np.random.get_state()
    determinism = config.is_op_determinism_enabled()
    env = os.environ.get("TF_DETERMINISTIC_OPS")
    a = WeightedKerasClassifier(class_weight="balanced", validation_split=0.2, **FAST).fit(X, y).predict_proba(X)
    b = WeightedKerasClassifier(class_weight="balanced", validation_split=0.2, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = WeightedKerasClassifier(class_weight="balanced", epochs=10, hidden_layer_sizes=(32,), random_state=1)
    assert not np.array_equal(a, c.fit(X, y).predict_proba(X))
    assert random.getstate() == py_state
    np_after = np.random.get_state()
    assert np_after[0] == np_state[0] and np.array_equal(np_after[1], np_state[1]) and np_after[2] == np_state[2]
    assert config.is_op_determinism_enabled() == determinism
    assert os.environ.get("TF_DETERMINISTIC_OPS") == env
    del tf


def test_pandas_input_and_string_labels():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    y = pd.Series(np.where(X["a"] + 0.3 * rng.normal(size=150) > 0.8, "rare", "common"))
    clf = WeightedKerasClassifier(class_weight="balanced", **FAST).fit(X, y)
    assert list(clf.classes_) == ["common", "rare"]
    assert set(clf.predict(X)) <= {"common", "rare"}
    assert clf.score(X, y) > 0.5
    assert set(clf.class_weight_) == {"common", "rare"}


def test_default_model_follows_hidden_layer_sizes(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = WeightedKerasClassifier(hidden_layer_sizes=(7, 5), epochs=1, random_state=0).fit(X, y)
    dense = [layer.units for layer in clf.model_.layers if hasattr(layer, "units")]
    assert dense == [7, 5, 3]
    assert clf.model_.layers[-1].activation.__name__ == "softmax"


def test_user_model_and_build_function(imbalanced_binary):
    import keras

    X, y = imbalanced_binary

    def build(meta):
        model = keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")])
        return model

    clf = WeightedKerasClassifier(build, loss="binary_crossentropy", class_weight="balanced", epochs=2, random_state=0)
    clf.fit(X, y)
    assert len(clf.model_.layers) == 1
    assert clf.predict_proba(X).shape == (len(y), 2)


def test_pickle_round_trip_in_a_new_process(tmp_path, imbalanced_binary):
    X, y = imbalanced_binary
    clf = WeightedKerasClassifier(class_weight="balanced", **FAST).fit(X, y)
    path = tmp_path / "clf.pkl"
    np.save(tmp_path / "X.npy", X)
    with open(path, "wb") as fh:
        pickle.dump(clf, fh)
    code = textwrap.dedent(
        f"""
        import pickle, numpy as np
        clf = pickle.load(open({str(path)!r}, "rb"))
        np.save({str(tmp_path / "p.npy")!r}, clf.predict_proba(np.load({str(tmp_path / "X.npy")!r})))
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), clf.predict_proba(X))


def test_metadata_routing_of_sample_weight(imbalanced_binary, train_spy):
    import sklearn

    X, y = imbalanced_binary
    w = np.where(y == 1, 4.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = WeightedKerasClassifier(**FAST).set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), clf)
        from sklearn.metrics import get_scorer

        scorer = get_scorer("balanced_accuracy").set_score_request(sample_weight=True)
        res = cross_validate(pipe, X, y, cv=2, scoring=scorer, params={"sample_weight": w})
        assert np.all(np.isfinite(res["test_score"]))
        grid = GridSearchCV(pipe, {"weightedkerasclassifier__epochs": [1, 3]}, cv=2, scoring=scorer)
        grid.fit(X, y, sample_weight=w)
        assert grid.best_params_["weightedkerasclassifier__epochs"] in (1, 3)
        pipe.fit(X, y, sample_weight=w)
        np.testing.assert_allclose(train_spy[-1][0].sample_weight, w)


def test_quiet_at_verbose_zero(capfd, imbalanced_binary):
    X, y = imbalanced_binary
    clf = WeightedKerasClassifier(class_weight="balanced", metrics=["accuracy"], validation_split=0.2, **FAST)
    clf.fit(X, y)
    clf.predict_proba(X[:7])
    clf.predict(X[:11])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
