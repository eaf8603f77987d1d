"""skweight.losses: focal and logit-adjusted cross-entropies (Keras, any backend).

The equivalences at ``gamma=0`` and ``tau=0`` are exact, not approximate:
the focal factor is ``max(-expm1(-ce), eps) ** 0``, which IEEE arithmetic
makes exactly 1.0, times Keras's own cross-entropy ``ce``; the logit
adjustment adds ``-log(w_y) + log(sum(p * w) / sum(p))`` with ``w = 1``,
exactly ``-0 + log(1.0) = 0`` (``p * 1`` is ``p`` bit for bit, so both sums
are the same sum).  So those tests assert equality.  Where a loss is checked
against a float64 NumPy reference instead, it is computed in float32 over a
handful of operations on values of order 1-10 (a log, an exp, a sum over at
most 4 classes): each operation is exact to half an ulp (2**-24 relative),
so 16 ulps, ``rtol=1e-6``, plus ``atol=1e-6`` for Keras's clipping at
``epsilon=1e-7`` bounds the difference.
"""

import numpy as np
import pytest

from skweight._backend import keras
from skweight.losses import (
    ElementwiseBinaryCrossentropy,
    ElementwiseFocalBinaryCrossentropy,
    FocalBinaryCrossentropy,
    FocalCategoricalCrossentropy,
    FocalSparseCategoricalCrossentropy,
    LogitAdjustedBinaryCrossentropy,
    LogitAdjustedCategoricalCrossentropy,
    LogitAdjustedSparseCategoricalCrossentropy,
    adjustment_weights,
    check_focal_gamma,
    check_logit_adjustment,
    class_priors,
    focal_loss,
    logit_adjusted_loss,
)
from skweight.weights import unweight_proba

RTOL, ATOL = 1e-6, 1e-6
RNG = np.random.default_rng(0)
N, K = 64, 4
Y_SPARSE = RNG.integers(0, K, N)
Y_SPARSE[:K] = np.arange(K)
Y_ONEHOT = np.eye(K, dtype=np.float32)[Y_SPARSE]
LOGITS = RNG.normal(0, 2, (N, K)).astype(np.float32)
LOGITS[0, 0] = 30.0  # a saturated row: softmax gives 1.0 in float32
P_SOFT = np.asarray(keras.ops.softmax(LOGITS, axis=-1))
Y_BIN = RNG.integers(0, 2, N).astype(np.float32)
Z_BIN = RNG.normal(0, 2, (N, 1)).astype(np.float32)
P_BIN = (1 / (1 + np.exp(-Z_BIN.astype(np.float64)))).astype(np.float32)
P_BIN[0, 0], P_BIN[1, 0] = 1.0, 0.0  # saturated both ways
Y_MULTI = RNG.integers(0, 2, (N, 3)).astype(np.float32)
P_MULTI = RNG.uniform(0.001, 0.999, (N, 3)).astype(np.float32)
PRIORS = np.array([0.6, 0.25, 0.1, 0.05])


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def _per_row(loss, y, p):
    return _np(loss(y, p))


# --------------------------------------------------------------------------- #
# focal: gamma = 0 is Keras's cross-entropy, exactly
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "ours, theirs, y, p",
    [
        (FocalBinaryCrossentropy, keras.losses.BinaryCrossentropy, Y_BIN, P_BIN),
        (FocalSparseCategoricalCrossentropy, keras.losses.SparseCategoricalCrossentropy, Y_SPARSE, P_SOFT),
        (FocalCategoricalCrossentropy, keras.losses.CategoricalCrossentropy, Y_ONEHOT, P_SOFT),
        (ElementwiseFocalBinaryCrossentropy, ElementwiseBinaryCrossentropy, Y_MULTI, P_MULTI),
    ],
)
def test_focal_at_gamma_0_is_the_default_cross_entropy_per_sample(ours, theirs, y, p):
    before = (np.copy(y), np.copy(p))
    got = _per_row(ours(gamma=0.0, reduction=None), y, p)
    want = _per_row(theirs(reduction=None), y, p)
    assert got.shape == want.shape
    assert np.array_equal(got, want)
    # from logits too (binary and categorical)
    if ours is not ElementwiseFocalBinaryCrossentropy:
        logits = Z_BIN if ours is FocalBinaryCrossentropy else LOGITS
        got = _per_row(ours(gamma=0.0, from_logits=True, reduction=None), y, logits)
        want = _per_row(theirs(from_logits=True, reduction=None), y, logits)
        assert np.array_equal(got, want)
    assert np.array_equal(y, before[0]) and np.array_equal(p, before[1])


def _clip32(p):
    """Probabilities clipped as Keras clips them, in float32 (1 - 1e-7 is 1 - 2**-23 there)."""
    eps = np.float32(1e-7)
    return np.clip(np.asarray(p, dtype=np.float32), eps, np.float32(1) - eps)


def _focal_reference(p_true, gamma):
    """float64 focal term of the (already clipped) probability given to the true label."""
    p_true = p_true.astype(np.float64)
    return (1 - p_true) ** gamma * -np.log(p_true)


@pytest.mark.parametrize("gamma", [0.5, 2.0, 5.0])
def test_focal_values_against_a_reference(gamma):
    # multiclass, one-hot: -(1 - p_y)^gamma log p_y per row
    p_y = _clip32(P_SOFT[np.arange(N), Y_SPARSE])
    ref = _focal_reference(p_y, gamma)
    sparse = _per_row(FocalSparseCategoricalCrossentropy(gamma, reduction=None), Y_SPARSE, P_SOFT)
    onehot = _per_row(FocalCategoricalCrossentropy(gamma, reduction=None), Y_ONEHOT, P_SOFT)
    assert np.allclose(sparse, ref, rtol=RTOL, atol=ATOL) and np.allclose(onehot, ref, rtol=RTOL, atol=ATOL)
    # binary: the same with p_t = p or 1 - p, averaged over the (single) last axis
    clipped = _clip32(P_BIN)
    p_t = np.where(Y_BIN[:, None] == 1, clipped, np.float32(1) - clipped)[:, 0]
    binary = _per_row(FocalBinaryCrossentropy(gamma, reduction=None), Y_BIN, P_BIN)
    assert binary.shape == (N,) and np.allclose(binary, _focal_reference(p_t, gamma), rtol=RTOL, atol=ATOL)
    # multi-label: one value per label
    clipped = _clip32(P_MULTI)
    p_t = np.where(Y_MULTI == 1, clipped, np.float32(1) - clipped)
    multi = _per_row(ElementwiseFocalBinaryCrossentropy(gamma, reduction=None), Y_MULTI, P_MULTI)
    assert multi.shape == (N, 3) and np.allclose(multi, _focal_reference(p_t, gamma), rtol=RTOL, atol=ATOL)


def test_focal_weighs_easy_rows_down():
    y = np.array([1, 1])
    p = np.array([[0.1, 0.9], [0.7, 0.3]], dtype=np.float32)  # an easy row, a hard one
    ce = _per_row(FocalSparseCategoricalCrossentropy(0.0, reduction=None), y, p)
    fl = _per_row(FocalSparseCategoricalCrossentropy(2.0, reduction=None), y, p)
    assert fl[0] / ce[0] == pytest.approx(0.1**2, rel=1e-5) and fl[1] / ce[1] == pytest.approx(0.7**2, rel=1e-5)


def test_per_label_weights_reach_each_focal_term():
    w = RNG.uniform(0, 2, (N, 3)).astype(np.float32)
    per = _per_row(ElementwiseFocalBinaryCrossentropy(2.0, reduction=None), Y_MULTI, P_MULTI)
    mean = float(_np(ElementwiseFocalBinaryCrossentropy(2.0)(Y_MULTI, P_MULTI, sample_weight=w)))
    assert mean == pytest.approx(float((w * per).sum() / w.size), rel=1e-5)
    # a (n,) weight multiplies every label of its row
    row_w = RNG.uniform(0, 2, N).astype(np.float32)
    mean = float(_np(ElementwiseFocalBinaryCrossentropy(2.0)(Y_MULTI, P_MULTI, sample_weight=row_w)))
    assert mean == pytest.approx(float((row_w[:, None] * per).sum() / per.size), rel=1e-5)


def _gradient(loss, y, p):
    """d loss / d p, on the backends whose autodiff this test knows."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.Variable(p)
        with tf.GradientTape() as tape:
            value = loss(y, x)
        return float(value), tape.gradient(value, x).numpy()
    if backend == "jax":
        import jax

        value, grad = jax.value_and_grad(lambda x: loss(y, x))(p)
        return float(value), np.asarray(grad)
    pytest.skip(f"no gradient helper for the {backend} backend")


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_gradients_stay_finite_on_saturated_outputs(gamma):
    for loss, y, p in (
        (FocalBinaryCrossentropy(gamma), Y_BIN[:2], P_BIN[:2]),  # p = 1.0 and 0.0
        (FocalSparseCategoricalCrossentropy(gamma), Y_SPARSE[:1], P_SOFT[:1]),  # a row of [1, 0, 0, 0]
        (FocalSparseCategoricalCrossentropy(gamma, from_logits=True), Y_SPARSE[:1], LOGITS[:1]),
        (LogitAdjustedSparseCategoricalCrossentropy(1.0, PRIORS), Y_SPARSE[:1], P_SOFT[:1]),
        (LogitAdjustedBinaryCrossentropy(1.0, [0.9, 0.1]), Y_BIN[:2], P_BIN[:2]),
    ):
        value, grad = _gradient(loss, y, p)
        assert np.isfinite(value) and np.all(np.isfinite(grad))


def _twin_models(units, activation, seed=0):
    keras.utils.set_random_seed(seed)
    first = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(units, activation=activation)]
    )
    second = keras.models.clone_model(first)
    second.set_weights(first.get_weights())
    return first, second


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_focal_at_gamma_0_trains_like_the_default_loss(kind):
    # the loss of every epoch, with Keras's logits-behind-the-activation path on TensorFlow
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 5)).astype(np.float32)
    if kind == "binary":
        y = (X[:, 0] > 0.3).astype(np.float32)
        a, b = _twin_models(1, "sigmoid")
        default, focal = "binary_crossentropy", FocalBinaryCrossentropy(0.0)
    else:
        y = np.digitize(X[:, 0], [-0.5, 0.5]).astype(np.int32)
        a, b = _twin_models(3, "softmax")
        default, focal = "sparse_categorical_crossentropy", FocalSparseCategoricalCrossentropy(0.0)
    a.compile(optimizer=keras.optimizers.SGD(0.1), loss=default)
    b.compile(optimizer=keras.optimizers.SGD(0.1), loss=focal)
    ha = a.fit(X, y, epochs=4, batch_size=30, shuffle=False, verbose=0).history["loss"]
    hb = b.fit(X, y, epochs=4, batch_size=30, shuffle=False, verbose=0).history["loss"]
    assert np.allclose(ha, hb, rtol=1e-6, atol=0)
    assert ha[-1] < ha[0]


# --------------------------------------------------------------------------- #
# logit adjustment
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "ours, theirs, y, p, priors",
    [
        (LogitAdjustedBinaryCrossentropy, keras.losses.BinaryCrossentropy, Y_BIN, P_BIN, [0.8, 0.2]),
        (
            LogitAdjustedSparseCategoricalCrossentropy,
            keras.losses.SparseCategoricalCrossentropy,
            Y_SPARSE,
            P_SOFT,
            PRIORS,
        ),
        (LogitAdjustedCategoricalCrossentropy, keras.losses.CategoricalCrossentropy, Y_ONEHOT, P_SOFT, PRIORS),
    ],
)
def test_logit_adjustment_at_tau_0_is_the_default_cross_entropy(ours, theirs, y, p, priors):
    got = _per_row(ours(tau=0.0, priors=priors, reduction=None), y, p)
    assert np.array_equal(got, _per_row(theirs(reduction=None), y, p))
    logits = Z_BIN if ours is LogitAdjustedBinaryCrossentropy else LOGITS
    got = _per_row(ours(tau=0.0, priors=priors, from_logits=True, reduction=None), y, logits)
    assert np.array_equal(got, _per_row(theirs(from_logits=True, reduction=None), y, logits))


def _log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("tau", [0.5, 1.0, 2.0])
def test_logit_adjusted_values_against_a_reference(tau):
    # -log softmax(f + tau * log prior)_y, in float64 from the logits f
    z = LOGITS.astype(np.float64) + tau * np.log(PRIORS)
    ref = -_log_softmax(z)[np.arange(N), Y_SPARSE]
    rows = slice(1, None)  # row 0 is saturated: its probabilities carry no more than float32 can hold
    for loss, y, p in (
        (LogitAdjustedSparseCategoricalCrossentropy(tau, PRIORS, reduction=None), Y_SPARSE, P_SOFT),
        (LogitAdjustedCategoricalCrossentropy(tau, PRIORS, reduction=None), Y_ONEHOT, P_SOFT),
        (LogitAdjustedSparseCategoricalCrossentropy(tau, PRIORS, from_logits=True, reduction=None), Y_SPARSE, LOGITS),
    ):
        assert np.allclose(_per_row(loss, y, p)[rows], ref[rows], rtol=1e-5, atol=ATOL)
    # binary: BCE of sigmoid(z + tau * (log prior_1 - log prior_0))
    prior = np.array([0.8, 0.2])
    zb = Z_BIN[:, 0].astype(np.float64) + tau * (np.log(prior[1]) - np.log(prior[0]))
    ref_b = np.where(Y_BIN == 1, np.logaddexp(0, -zb), np.logaddexp(0, zb))
    got_b = _per_row(LogitAdjustedBinaryCrossentropy(tau, prior, from_logits=True, reduction=None), Y_BIN, Z_BIN)
    assert np.allclose(got_b, ref_b, rtol=1e-5, atol=ATOL)
    p_b = np.clip(1 / (1 + np.exp(-Z_BIN.astype(np.float64))), 1e-7, 1 - 1e-7).astype(np.float32)
    got_p = _per_row(LogitAdjustedBinaryCrossentropy(tau, prior, reduction=None), Y_BIN, p_b)
    inside = np.abs(Z_BIN[:, 0]) < 12  # where float32 probabilities still carry the logit
    assert np.allclose(got_p[inside], ref_b[inside], rtol=1e-5, atol=1e-5)


def test_the_adjusted_model_estimates_the_balanced_posterior():
    # Menon et al.: the minimiser of the adjusted loss has softmax(f) proportional to p(y|x) / prior^tau.
    # One input, labels drawn with frequencies q, priors q, tau 1: softmax(f) should be uniform.
    q = np.array([0.7, 0.2, 0.1])
    y = np.repeat([0, 1, 2], [70, 20, 10]).astype(np.int32)
    X = np.ones((100, 1), dtype=np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=LogitAdjustedSparseCategoricalCrossentropy(1.0, q))
    model.fit(X, y, epochs=300, batch_size=100, verbose=0)
    p = np.asarray(model.predict(X[:1], verbose=0), dtype=np.float64)
    assert np.allclose(p, 1 / 3, atol=0.01)
    # and undoing prior^-tau gives back the training frequencies
    assert np.allclose(unweight_proba(p, adjustment_weights(q, 1.0)), q, atol=0.01)


def test_adjustment_weights_turn_softmax_f_into_the_adjusted_softmax():
    tau = 1.5
    want = np.exp(_log_softmax(LOGITS.astype(np.float64) + tau * np.log(PRIORS)))
    p = np.exp(_log_softmax(LOGITS.astype(np.float64)))
    assert np.allclose(unweight_proba(p, adjustment_weights(PRIORS, tau)), want, rtol=1e-12)
    assert np.allclose(adjustment_weights(PRIORS, 0.0), 1.0)


def test_priors_and_tau_are_checked():
    loss = LogitAdjustedSparseCategoricalCrossentropy(1.0)
    with pytest.raises(ValueError, match="has no priors; give priors=.* or call set_priors before training"):
        loss(Y_SPARSE, P_SOFT)
    loss.set_priors(PRIORS * 10)  # normalised
    assert np.allclose(loss.priors, PRIORS)
    with pytest.raises(ValueError, match="has 3 priors, but the model gives 4 values per row"):
        LogitAdjustedSparseCategoricalCrossentropy(1.0, [0.5, 0.3, 0.2])(Y_SPARSE, P_SOFT)
    for bad in ([0.5, 0.0], [0.5, -0.1], [1.0], [0.5, np.nan], [[0.5, 0.5]]):
        with pytest.raises(ValueError, match="one positive, finite prior per class"):
            LogitAdjustedCategoricalCrossentropy(1.0, bad)
    with pytest.raises(ValueError, match="a binary target has two priors"):
        LogitAdjustedBinaryCrossentropy(1.0, [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="a binary target has two priors"):
        LogitAdjustedBinaryCrossentropy(1.0).set_priors([0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"tau=-1 is not accepted; give a finite float >= 0"):
        LogitAdjustedBinaryCrossentropy(-1)
    with pytest.raises(TypeError, match=r"tau='1' has type str"):
        LogitAdjustedBinaryCrossentropy("1")


def test_class_priors():
    assert np.allclose(class_priors([30, 10]), [0.75, 0.25])
    assert np.allclose(class_priors([3, 0, 1]), [3 / 4.5, 0.5 / 4.5, 1 / 4.5])  # an absent class: half a row
    with pytest.raises(ValueError, match="at least two classes and one row"):
        class_priors([5])
    with pytest.raises(ValueError, match="at least two classes and one row"):
        class_priors([0, 0])


# --------------------------------------------------------------------------- #
# parameters, factories and saving
# --------------------------------------------------------------------------- #
def test_parameter_checks():
    assert check_focal_gamma(0) == 0.0 and check_logit_adjustment(None) is None
    assert check_logit_adjustment(np.float32(1.0)) == 1.0
    with pytest.raises(ValueError, match=r"focal_gamma=-0.5 is not accepted; give a finite float >= 0"):
        check_focal_gamma(-0.5)
    with pytest.raises(ValueError, match=r"focal_gamma=inf is not accepted"):
        check_focal_gamma(float("inf"))
    with pytest.raises(TypeError, match=r"focal_gamma=True has type bool"):
        check_focal_gamma(True)
    with pytest.raises(ValueError, match=r"logit_adjustment=-1 is not accepted; give None or a finite float tau"):
        check_logit_adjustment(-1)
    with pytest.raises(TypeError, match=r"logit_adjustment='balanced' has type str"):
        check_logit_adjustment("balanced")


def test_focal_loss_for_each_kind():
    names = {kind: type(focal_loss(kind, 1.0)).__name__ for kind in ("binary", "multiclass", "onehot", "multilabel")}
    assert names == {
        "binary": "FocalBinaryCrossentropy",
        "multiclass": "FocalSparseCategoricalCrossentropy",
        "onehot": "FocalCategoricalCrossentropy",
        "multilabel": "ElementwiseFocalBinaryCrossentropy",
    }
    assert all(loss.gamma == 1.0 for loss in focal_loss("multioutput", 1.0, n_outputs=3))
    per = focal_loss(["binary", "regression"], 2.0)
    assert isinstance(per[0], FocalBinaryCrossentropy) and per[1] == "mean_squared_error"
    for kind in ("ordinal", "sequence"):
        with pytest.raises(ValueError, match=rf"loss='focal' is given, but the target is '{kind}'; it applies to"):
            focal_loss(kind)
    with pytest.raises(ValueError, match=r"the target of output 'b' is 'ordinal'"):
        focal_loss({"a": "binary", "b": "ordinal"})


def test_logit_adjusted_loss_for_each_kind():
    assert isinstance(logit_adjusted_loss("binary", 1.0, [0.9, 0.1]), LogitAdjustedBinaryCrossentropy)
    assert isinstance(logit_adjusted_loss("multiclass", 1.0), LogitAdjustedSparseCategoricalCrossentropy)
    assert isinstance(logit_adjusted_loss("onehot", 0.5), LogitAdjustedCategoricalCrossentropy)
    for kind in ("multilabel", "ordinal", "sequence", "multioutput"):
        with pytest.raises(ValueError, match=rf"logit_adjustment=1.0 is given, but the target is '{kind}'"):
            logit_adjusted_loss(kind, 1.0)
    with pytest.raises(ValueError, match="logit_adjustment=None needs no logit-adjusted loss"):
        logit_adjusted_loss("binary", None)


@pytest.mark.parametrize(
    "loss",
    [
        FocalBinaryCrossentropy(1.5),
        ElementwiseFocalBinaryCrossentropy(0.5),
        FocalCategoricalCrossentropy(3.0, from_logits=True),
        FocalSparseCategoricalCrossentropy(2.0),
        LogitAdjustedBinaryCrossentropy(0.7, [0.9, 0.1]),
        LogitAdjustedCategoricalCrossentropy(1.0, PRIORS),
        LogitAdjustedSparseCategoricalCrossentropy(2.0, None),
    ],
)
def test_config_round_trip(loss):
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


def test_priors_set_after_compile_survive_save_and_load(tmp_path):
    # the estimator compiles before the validation split; the priors come from the training rows after it
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 3)).astype(np.float32)
    y = np.digitize(X[:, 0], [0.0, 1.0]).astype(np.int32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    loss = LogitAdjustedSparseCategoricalCrossentropy(1.0)
    model.compile(optimizer="adam", loss=loss)
    loss.set_priors(class_priors(np.bincount(y, minlength=3)))
    model.fit(X, y, epochs=2, verbose=0)
    path = tmp_path / "la.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.loss.priors == loss.priors and loaded.loss.tau == 1.0
    assert np.allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.evaluate(X, y, verbose=0) == pytest.approx(model.evaluate(X, y, verbose=0), rel=1e-6)
