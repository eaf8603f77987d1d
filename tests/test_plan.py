"""The weight plan of one fit (skweight._plan): NumPy only, no model built."""

import numpy as np
import pytest

from skweight._forms import has_balanced
from skweight._plan import WeightPlan


def _plan(cw, kind="multiclass", classes=("a", "b", "c"), **kw):
    return WeightPlan(class_weight=cw, kind=kind, classes=np.array(classes), **kw)


def test_dict_in_user_labels_becomes_codes():
    assert _plan({"c": 4.0, "a": 2.0}).code_space_spec() == {0: 2.0, 1: 1.0, 2: 4.0}


def test_unknown_dict_key_names_the_key():
    with pytest.raises(ValueError, match="'z'"):
        _plan({"z": 2.0}).code_space_spec()


def test_resolve_covers_classes_absent_from_the_rows():
    y = np.array([0, 0, 1])  # code 2 ("c") absent from these rows
    codes, user = _plan({"c": 5.0}).resolve(y)
    assert codes == {0: 1.0, 1: 1.0, 2: 5.0}
    assert user == {"a": 1.0, "b": 1.0, "c": 5.0}
    # balanced: an absent class keeps its previous weight on a warm start, else 1
    codes, _ = _plan("balanced").resolve(y, previous={2: 3.0})
    assert codes[2] == 3.0 and codes[0] == pytest.approx(3 / (2 * 2))
    assert _plan("balanced").resolve(y)[0][2] == 1.0


def test_sample_weights_multiply_into_a_new_array():
    y = np.array([0, 0, 0, 1])
    sw = np.array([1.0, 2.0, 1.0, 1.0])
    before = sw.copy()
    plan = _plan("balanced", kind="binary", classes=("n", "p"))
    codes, _ = plan.resolve(y)
    w = plan.sample_weights(y, codes, sw)
    np.testing.assert_allclose(w, [4 / 6, 8 / 6, 4 / 6, 2.0], rtol=1e-6)
    np.testing.assert_array_equal(sw, before)
    assert w.dtype == np.float32


def test_all_zero_weights_are_refused():
    y = np.array([0, 0, 1])
    plan = _plan({"a": 0.0, "b": 0.0}, classes=("a", "b"))
    with pytest.raises(ValueError, match="weight of 0"):
        plan.sample_weights(y, plan.resolve(y)[0])


def test_one_training_class_is_refused_unless_partial():
    plan = _plan(None, classes=("a", "b"))
    with pytest.raises(ValueError, match="only one class \\('a'\\)"):
        plan.check_training_classes(np.array([0, 0, 0]))
    assert plan.check_training_classes(np.array([0, 0, 0]), partial=True) is None


def test_multioutput_dict_spec_keyed_by_output_name():
    classes = [np.array(["x", "y"]), np.array([0, 1, 2])]
    plan = WeightPlan({"o2": {2: 9.0}}, "multioutput", classes, names=["o1", "o2"])
    assert plan.code_space_spec() == [None, {0: 1.0, 1: 1.0, 2: 9.0}]
    bad = WeightPlan({"nope": "balanced"}, "multioutput", classes, names=["o1", "o2"])
    with pytest.raises(ValueError, match="model's outputs are \\['o1', 'o2'\\]"):
        bad.code_space_spec()


def test_padding_label_must_be_a_label():
    plan = _plan(None, kind="sequence", classes=(0, 1, 2), padding_label=7)
    with pytest.raises(ValueError, match="padding_label=7"):
        plan.padding_code()
    assert _plan(None, kind="sequence", classes=(0, 1, 2), padding_label=2).padding_code() == 2


@pytest.mark.parametrize(
    "spec, expected",
    [("balanced", True), (None, False), ({0: 1.0}, False), ([None, "balanced"], True), ({"o": "balanced"}, True)],
)
def test_has_balanced(spec, expected):
    assert has_balanced(spec) is expected
