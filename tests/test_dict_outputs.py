"""Keras models whose outputs are a dict (Keras 3's idiom for named outputs), a
nested structure, or what a subclassed ``keras.Model``'s ``call`` returns.

The models are built the way Keras's guides build them: the functional API
guide's "models with multiple inputs and outputs" (``keras.Model(inputs,
outputs={"priority": ..., "department": ...})``, compiled with dicts of losses
and metrics keyed by output name) and the subclassing guide (layers made in
``__init__``, ``call`` returning the outputs).  ``y`` is given as a dict keyed
by output name, a list in Keras's flatten order (that of ``model.outputs``:
dict keys sorted) or a 2-D array of label columns; targets, sample weights and
validation data reach Keras in the structure the model declares, and
``predict``/``predict_proba`` return the structure of ``y``.
"""

import functools
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skweight import WeightedKerasClassifier
from skweight import _fit as fit_steps
from skweight._backend import STRUCTURED_LOSSES_SINCE, keras, keras_version

N, FEATURES = 240, 8
# Keras before 3.7 logs only the total loss of a multi-output model, and cannot
# train nested outputs or a dict keyed other than by the output layers' names
# (skweight refuses those before training, with an error that says so)
STRUCTURED = keras_version() >= STRUCTURED_LOSSES_SINCE
OLD_KERAS = pytest.mark.skipif(STRUCTURED, reason="the refusal is for Keras before 3.7")
NEW_KERAS = pytest.mark.skipif(not STRUCTURED, reason="Keras before 3.7 cannot train this structure")
# float32 outputs of two fits that train on the same numbers in the same order
# are the same; where they are compared across structures (dict vs list y),
# allow a few float32 units (2**-23 relative) for any difference in how Keras
# sums the outputs' losses
RTOL = 1e-5


def make_data(n=N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, FEATURES)).astype(np.float32)
    priority = (X[:, 0] + 0.3 * rng.normal(size=n) > 1.2).astype(int)  # binary, about 12 % positive
    department = np.digitize(X[:, 1] + 0.3 * rng.normal(size=n), [-0.4, 0.6])  # 3 classes
    price = (2.0 * X[:, 2] - X[:, 3] + 0.1 * rng.normal(size=n)).astype(np.float32)
    return X, {"priority": priority, "department": department, "price": price}


X, Y = make_data()
LABELS = {k: Y[k] for k in ("priority", "department")}


def guide_model(with_price=False, compiled=True):
    """The functional API guide's two-headed model, with dict outputs keyed by
    the output layers' names (and a regression head ``price``)."""
    inputs = keras.Input(shape=(FEATURES,), name="features")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    outputs = {
        "priority": keras.layers.Dense(1, activation="sigmoid", name="priority")(hidden),
        "department": keras.layers.Dense(3, activation="softmax", name="department")(hidden),
    }
    if with_price:
        outputs["price"] = keras.layers.Dense(1, name="price")(hidden)
    model = keras.Model(inputs=inputs, outputs=outputs)
    if compiled:
        loss = {"priority": "binary_crossentropy", "department": "sparse_categorical_crossentropy"}
        if with_price:
            loss["price"] = "mean_squared_error"
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    return model


class TwoHeads(keras.Model):
    """The subclassing guide's pattern: layers in ``__init__``, ``call`` returns a dict."""

    def __init__(self, units=16, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.priority = keras.layers.Dense(1, activation="sigmoid")
        self.department = keras.layers.Dense(3, activation="softmax")

    def call(self, inputs):
        h = self.hidden(inputs)
        return {"priority": self.priority(h), "department": self.department(h)}

    def get_config(self):
        return {**super().get_config(), "units": self.units}


FAST = dict(epochs=3, batch_size=32, random_state=0)
LOSSES = {"priority": "binary_crossentropy", "department": "sparse_categorical_crossentropy"}


@pytest.fixture
def spy(monkeypatch):
    """What the training step receives (``TrainData``), fit by fit."""
    seen = []
    train = fit_steps.train

    def recording(model, data, plan):
        seen.append(data)
        return train(model, data, plan)

    monkeypatch.setattr(fit_steps, "train", recording)
    return seen


@pytest.fixture(scope="module")
def dict_fit():
    """The guide's model with a regression head, fitted on a dict y with class weights for one output."""
    clf = WeightedKerasClassifier(
        model=functools.partial(guide_model, with_price=True, compiled=False),
        loss={**LOSSES, "price": "mean_squared_error"},
        optimizer__learning_rate=0.01,
        class_weight={"priority": "balanced"},
        metrics={"priority": ["accuracy"], "department": ["accuracy"]},
        **FAST,
    )
    return clf.fit(X, Y)


# --------------------------------------------------------------------------- #
# functional models with dict outputs
# --------------------------------------------------------------------------- #
def test_dict_model_trains_on_dict_y_with_targets_and_weights_keyed_by_output(spy):
    clf = WeightedKerasClassifier(model=guide_model, class_weight={"priority": "balanced"}, **FAST)
    clf.fit(X, LABELS)
    data = spy[-1]
    assert isinstance(data.y, dict) and set(data.y) == {"priority", "department"}
    assert isinstance(data.sample_weight, dict) and set(data.sample_weight) == {"priority", "department"}
    # "balanced" on priority only: n / (2 * count) per row; department unweighted
    counts = np.bincount(Y["priority"])
    expected = (N / (2 * counts))[Y["priority"]]
    assert_allclose(data.sample_weight["priority"], expected, rtol=1e-6)
    assert_array_equal(data.sample_weight["department"], np.ones(N))  # Keras 3.4 refuses a None among weights
    assert_array_equal(data.y["department"], Y["department"])
    assert clf.class_weight_["priority"] == pytest.approx({c: N / (2 * k) for c, k in enumerate(counts)})
    assert set(clf.history_) >= ({"loss", "priority_loss", "department_loss"} if STRUCTURED else {"loss"})


def test_validation_data_reaches_a_dict_model_keyed_by_output_and_weighted(spy):
    X_val, Y_val = make_data(80, seed=1)
    labels_val = {k: Y_val[k] for k in LABELS}
    clf = WeightedKerasClassifier(model=guide_model, class_weight={"priority": {1: 3.0}}, **FAST)
    clf.fit(X, LABELS, validation_data=(X_val, labels_val))
    x_val, y_val, w_val = spy[-1].validation
    assert set(y_val) == set(w_val) == {"priority", "department"} and len(x_val) == 80
    assert_array_equal(y_val["department"], Y_val["department"])
    assert_allclose(w_val["priority"], np.where(Y_val["priority"] == 1, 3.0, 1.0))
    assert len(clf.history_["val_loss"]) == FAST["epochs"]


def test_dict_model_predicts_and_scores_in_the_structure_of_y(dict_fit):
    clf = dict_fit
    pred, proba = clf.predict(X[:50]), clf.predict_proba(X[:50])
    assert list(pred) == list(proba) == ["priority", "department", "price"]  # y's order, not the model's
    assert proba["priority"].shape == (50, 2) and proba["department"].shape == (50, 3)
    assert_allclose(proba["priority"].sum(axis=1), 1.0) and set(pred["priority"].tolist()) <= {0, 1}
    assert_array_equal(pred["department"], proba["department"].argmax(axis=1))
    raw = clf.model_.predict(X[:50], verbose=0)  # Keras's own dict, keyed by name
    assert_allclose(proba["department"], raw["department"], rtol=1e-5, atol=1e-7)
    assert_allclose(pred["price"], raw["price"].ravel(), rtol=1e-6)  # the regression head, as predicted
    accuracy = [np.mean(pred[k] == Y[k][:50]) for k in ("priority", "department")]
    assert clf.score(X[:50], {k: v[:50] for k, v in Y.items()}) == pytest.approx(np.mean(accuracy))


def test_dict_model_with_metrics_as_a_dict_and_class_weight_per_output(dict_fit):
    clf = dict_fit
    assert clf.target_kind_ == {"priority": "binary", "department": "multiclass", "price": "regression"}
    assert clf.class_weight_["department"] == {0: 1.0, 1: 1.0, 2: 1.0} and clf.class_weight_["price"] is None
    # the metrics dict, plain and weighted with the class weights, keyed by output name
    assert {"priority_accuracy", "priority_weighted_accuracy", "department_accuracy"} <= set(clf.history_)
    assert "price_loss" in clf.history_ or not STRUCTURED
    assert {k: loss.__name__ for k, loss in clf.model_.loss.items()} == {**LOSSES, "price": "mean_squared_error"}
    assert len(clf.history_["loss"]) == FAST["epochs"]


def keyed():
    """Dict outputs keyed otherwise than their layers are named."""
    inputs = keras.Input((FEATURES,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(
        inputs,
        {
            "urgent": keras.layers.Dense(2, activation="softmax", name="dense_head_1")(hidden),
            "team": keras.layers.Dense(3, activation="softmax", name="dense_head_2")(hidden),
        },
    )


@NEW_KERAS
def test_dict_keys_are_the_output_names_even_when_the_layers_are_named_otherwise():
    y = {"urgent": Y["priority"], "team": Y["department"]}
    clf = WeightedKerasClassifier(
        model=keyed, loss="sparse_categorical_crossentropy", class_weight={"urgent": "balanced"}, **FAST
    ).fit(X, y)
    assert clf.target_encoder_.model_output_names_ == ["team", "urgent"]  # Keras's flatten order
    assert clf.predict_proba(X[:5])["urgent"].shape == (5, 2)
    with pytest.raises(
        ValueError, match=r"y names output 'priority', but the model's outputs are \['team', 'urgent'\]"
    ):
        WeightedKerasClassifier(model=keyed, loss="sparse_categorical_crossentropy", epochs=1).fit(X, LABELS)


def test_list_y_meets_dict_outputs_in_flatten_order_and_gives_the_dict_y_model(spy):
    by_name = WeightedKerasClassifier(model=guide_model, **FAST).fit(X, LABELS)
    # model.outputs (and so a list y) follow Keras's flatten order: dict keys sorted
    assert by_name.target_encoder_.model_output_names_ == ["department", "priority"]
    by_position = WeightedKerasClassifier(model=guide_model, **FAST).fit(X, [Y["department"], Y["priority"]])
    assert isinstance(spy[-1].y, dict)  # Keras still gets the model's dict
    assert_allclose(by_position.history_["loss"], by_name.history_["loss"], rtol=RTOL)
    dict_proba, list_proba = by_name.predict_proba(X), by_position.predict_proba(X)
    assert isinstance(list_proba, list) and len(list_proba) == 2
    assert_allclose(list_proba[0], dict_proba["department"], rtol=RTOL, atol=1e-7)
    assert_allclose(list_proba[1], dict_proba["priority"], rtol=RTOL, atol=1e-7)


def test_label_columns_of_a_2d_y_meet_dict_outputs_by_position(spy):
    y = np.column_stack([Y["department"], Y["priority"]])  # one label column per output, in flatten order
    clf = WeightedKerasClassifier(
        model=functools.partial(guide_model, compiled=False),
        loss=LOSSES,
        class_weight={"priority": {1: 5.0}},  # keyed by the model's output name
        **FAST,
    ).fit(X, y)
    assert clf.target_kind_ == "multioutput"
    assert isinstance(spy[-1].y, dict) and isinstance(spy[-1].sample_weight, dict)
    assert_allclose(spy[-1].sample_weight["priority"], np.where(Y["priority"] == 1, 5.0, 1.0))
    assert clf.class_weight_[1] == {0: 1.0, 1: 5.0} and clf.class_weight_[0] == {0: 1.0, 1: 1.0, 2: 1.0}
    pred, proba = clf.predict(X[:20]), clf.predict_proba(X[:20])
    assert pred.shape == (20, 2) and [p.shape for p in proba] == [(20, 3), (20, 2)]
    assert_array_equal(pred[:, 0], proba[0].argmax(axis=1))
    assert clf.score(X, y) == pytest.approx(np.mean(np.all(clf.predict(X) == y, axis=1)))


# --------------------------------------------------------------------------- #
# nested outputs and a regression head
# --------------------------------------------------------------------------- #
def nested_model():
    """Classification heads in a list under one key, a regression head under another."""
    inputs = keras.Input((FEATURES,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    return keras.Model(
        inputs,
        {
            "labels": [
                keras.layers.Dense(1, activation="sigmoid", name="priority")(hidden),
                keras.layers.Dense(3, activation="softmax", name="department")(hidden),
            ],
            "price": keras.layers.Dense(1, name="price_head")(hidden),
        },
    )


@OLD_KERAS
@pytest.mark.parametrize("build", [nested_model, keyed], ids=["nested", "keys unlike layer names"])
def test_an_old_keras_refuses_structures_it_cannot_train_before_training(build, spy):
    y = Y if build is nested_model else {"urgent": Y["priority"], "team": Y["department"]}
    clf = WeightedKerasClassifier(model=build, loss="sparse_categorical_crossentropy", epochs=1)
    with pytest.raises(ValueError, match=rf"Keras {keras.__version__} .* or upgrade to Keras >= 3\.7"):
        clf.fit(X, y)
    assert spy == [] and "model_" not in clf.__dict__


@NEW_KERAS
def test_nested_outputs_train_on_a_flat_dict_y_and_predict_it_back(spy):
    clf = WeightedKerasClassifier(
        model=nested_model,
        loss={**LOSSES, "price": "mean_squared_error"},  # keyed by output name, put in the model's structure
        metrics=["accuracy"],
        class_weight={"priority": "balanced"},
        validation_split=0.2,
        **FAST,
    ).fit(X, Y)
    assert clf.target_encoder_.model_output_names_ == ["priority", "department", "price"]
    data = spy[-1]
    assert set(data.y) == {"labels", "price"} and isinstance(data.y["labels"], list)
    assert_array_equal(np.sort(data.y["price"]), np.sort(Y["price"][np.isin(Y["price"], data.y["price"])]))
    x_val, y_val, w_val = data.validation
    assert set(y_val) == set(w_val) == {"labels", "price"} and len(x_val) == len(y_val["price"]) == N // 5
    assert w_val["labels"][0] is not None and w_val["labels"][0].max() > 1  # the rare class weighs more
    pred = clf.predict(X[:30])
    assert list(pred) == ["priority", "department", "price"] and pred["price"].shape == (30,)
    raw = clf.model_.predict(X[:30], verbose=0)
    assert_allclose(pred["price"], raw["price"].ravel(), rtol=1e-6)
    assert_array_equal(pred["department"], raw["labels"][1].argmax(axis=1))
    assert "val_loss" in clf.history_ and any(k.endswith("accuracy") for k in clf.history_)


# --------------------------------------------------------------------------- #
# a subclassed keras.Model whose call returns a dict
# --------------------------------------------------------------------------- #
def test_subclassed_model_returning_a_dict_trains_predicts_and_partial_fits(spy):
    clf = WeightedKerasClassifier(
        model=TwoHeads, model__units=12, loss=LOSSES, class_weight={"priority": {1: 4.0}}, **FAST
    )
    clf.fit(X, LABELS)
    assert isinstance(clf.model_, TwoHeads) and clf.model_.units == 12
    assert set(spy[-1].y) == set(spy[-1].sample_weight) == {"priority", "department"}
    assert_allclose(spy[-1].sample_weight["priority"], np.where(Y["priority"] == 1, 4.0, 1.0))
    proba = clf.predict_proba(X[:10])
    assert proba["priority"].shape == (10, 2) and proba["department"].shape == (10, 3)
    raw = clf.model_.predict(X[:10], verbose=0)
    assert_allclose(proba["department"], raw["department"], rtol=1e-5, atol=1e-7)
    model, epochs = clf.model_, clf.current_epoch
    before = [v.numpy().copy() for v in model.weights]
    clf.partial_fit(X[:100], {k: v[:100] for k, v in LABELS.items()})
    assert clf.model_ is model and clf.current_epoch == epochs + 1
    assert any(not np.array_equal(a, v.numpy()) for a, v in zip(before, model.weights))
    assert clf.score(X, LABELS) > 0.5


# --------------------------------------------------------------------------- #
# warm starts, persistence
# --------------------------------------------------------------------------- #
def test_warm_start_continues_a_dict_model():
    clf = WeightedKerasClassifier(model=guide_model, warm_start=True, class_weight={"priority": "balanced"}, **FAST)
    clf.fit(X, LABELS)
    model, weights = clf.model_, clf.class_weight_
    clf.fit(X, LABELS, initial_epoch=3, epochs=2)
    assert clf.model_ is model and clf.class_weight_ == weights
    assert len(clf.history_["loss"]) == 5  # continued from epoch 3


def test_pickle_and_keras_file_keep_dict_outputs(dict_fit, tmp_path):
    clf = dict_fit
    loaded = pickle.loads(pickle.dumps(clf))
    before, after = clf.predict_proba(X[:40]), loaded.predict_proba(X[:40])
    assert list(after) == list(before)
    for k in before:
        assert_allclose(after[k], before[k], rtol=1e-6)
    assert loaded.score(X, Y) == pytest.approx(clf.score(X, Y))
    clf.model_.save(tmp_path / "net.keras")
    net = keras.models.load_model(tmp_path / "net.keras")
    raw, want = net.predict(X[:40], verbose=0), clf.model_.predict(X[:40], verbose=0)
    assert isinstance(raw, dict) and set(raw) == set(want)
    for k in want:
        assert_allclose(raw[k], want[k], rtol=1e-6)


def test_a_fitted_subclassed_dict_model_pickles():
    clf = WeightedKerasClassifier(model=TwoHeads, loss=LOSSES, epochs=1, random_state=0).fit(X, LABELS)
    loaded = pickle.loads(pickle.dumps(clf))
    for k, v in clf.predict_proba(X[:20]).items():
        assert_allclose(loaded.predict_proba(X[:20])[k], v, rtol=1e-6)


def test_a_dict_model_without_a_head_for_an_output_is_refused_before_training(spy):
    with pytest.raises(
        ValueError, match=r"y has 3 outputs .*, but the model has 2 outputs \['department', 'priority'\]"
    ):
        WeightedKerasClassifier(model=guide_model, epochs=1).fit(X, Y)
    assert spy == []
