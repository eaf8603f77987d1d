"""What SciKeras users bring, composed with what skweight adds.

SciKeras is extended by subclassing ``KerasClassifier``: a ``_keras_build_fn``,
a ``target_encoder`` or ``feature_encoder`` property, ``model=`` given as a
build function, a ``keras.Model`` or a class, metric objects in ``metrics``.
This module keeps those working on :class:`~skweight.WeightedKerasClassifier`
without giving up skweight's own behaviour:

- a subclass's ``target_encoder`` is used as it is (its encoding is what the
  model trains on, its ``inverse_transform`` gives the predictions), and
  skweight's :class:`~skweight._targets.TargetEncoder` runs beside it on the
  same ``y`` only to know the target kind, the classes and each row's class
  codes, from which ``class_weight`` becomes sample weights;
- a subclass's ``feature_encoder`` sees ``X`` as it would under SciKeras, and
  whatever it returns (an array, a list or a dict of arrays, one per input) is
  made dense part by part, as skweight's own encoder does for SciPy sparse ``X``;
- ``model=`` may be a class (e.g. a ``keras.Model`` subclass): it is called
  with the routed ``model__`` parameters its ``__init__`` names;
- (weighted copies of metric objects, made without needing the metric to be
  registered for Keras serialization, are in :mod:`skweight._metrics`).

Nothing here imports the estimator; :mod:`skweight.classifier` calls in.
"""

import functools
import inspect
from collections.abc import Mapping

import numpy as np

from ._targets import TargetEncoder

__all__ = [
    "ComposedFeatureEncoder",
    "ComposedTargetEncoder",
    "TagsRoot",
    "build_from_class",
    "classifier_tags",
    "compose_subclass_encoders",
    "dense",
    "weights_for_encoded",
]


# --------------------------------------------------------------------------- #
# scikit-learn's tags through SciKeras's MRO
# --------------------------------------------------------------------------- #
class TagsRoot:
    """Last base of the estimator before ``object``: gives
    ``ClassifierMixin.__sklearn_tags__`` a parent to call.  scikit-learn 1.6
    calls every ``__sklearn_tags__`` in the MRO when a base (here SciKeras's
    ``BaseWrapper``) still has ``_more_tags``, and in SciKeras's MRO nothing
    follows ``ClassifierMixin``."""

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))


def classifier_tags(tags):
    """The estimator's tags: a classifier (SciKeras's MRO lets ``BaseEstimator``
    hide ``ClassifierMixin``'s), multi-class and multi-label, ``y`` required,
    multi-output, and SciPy sparse ``X`` accepted (``feature_encoder`` makes it
    dense, on every backend)."""
    from sklearn.utils import ClassifierTags

    tags.estimator_type = "classifier"
    tags.classifier_tags = ClassifierTags(multi_class=True, multi_label=True)
    tags.target_tags.required = True
    tags.target_tags.multi_output = True
    tags.input_tags.sparse = True
    return tags


# --------------------------------------------------------------------------- #
# encoders
# --------------------------------------------------------------------------- #
class ComposedTargetEncoder:
    """A user's target encoder, with skweight's beside it.

    ``transform`` returns the user's encoding; skweight's encoder, fitted on
    the same ``y``, gives the class codes of the same rows (``codes_``) from
    which ``class_weight`` is resolved.  When skweight cannot read ``y`` as
    any target kind, ``own_`` is None and only ``class_weight=None`` works.

    Parameters
    ----------
    user : transformer
        The encoder the subclass's ``target_encoder`` property returned.
    own : TargetEncoder
        skweight's encoder for the same estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skweight._compose import ComposedTargetEncoder
    >>> from skweight._targets import TargetEncoder
    >>> y = np.array(["a", "b", "b", "c"])
    >>> split = FunctionTransformer(lambda y: [np.asarray(y == "a", dtype="float32")])
    >>> enc = ComposedTargetEncoder(split, TargetEncoder()).fit(y)
    >>> enc.transform(y)[0].tolist(), enc.codes_.tolist(), enc.get_metadata()["target_kind_"]
    ([1.0, 0.0, 0.0, 0.0], [0, 1, 1, 2], 'multiclass')
    """

    def __init__(self, user, own):
        self.user = user
        self.own = own

    def fit(self, y):
        self.user_ = self.user.fit(y)
        try:
            self.own_ = self.own.fit(y)
            self.own_.transform(y)
            self.own_error_ = None
        except (ValueError, TypeError) as exc:
            self.own_, self.own_error_ = None, exc
        self.y_shape_ = np.shape(y)
        return self

    def transform(self, y):
        encoded = self.user_.transform(y)
        self.codes_ = None
        if self.own_ is not None:
            try:
                self.codes_ = self.own_.transform(y)
            except (ValueError, TypeError) as exc:
                self.own_error_ = exc
        return encoded

    def inverse_transform(self, raw, return_proba=False):
        if return_proba:
            return self.user_.inverse_transform(raw, return_proba=True)
        return self.user_.inverse_transform(raw)

    def get_metadata(self):
        """The user's metadata, plus ``target_kind_`` (None when unknown) and,
        where the user's encoder does not give them, ``classes_`` and
        ``n_classes_`` read by skweight's encoder."""
        meta = {"target_kind_": None if self.own_ is None else self.own_.kind_}
        if self.own_ is not None:
            own = self.own_.get_metadata()
            meta.update(classes_=own["classes_"], n_classes_=own["n_classes_"])
        meta.update(getattr(self.user_, "get_metadata", dict)())
        return meta


class ComposedFeatureEncoder:
    """A user's feature encoder followed by skweight's sparse-to-dense step.

    The user's encoder gets ``X`` as SciKeras would give it; each part of what
    it returns (one array, or a list or dict of arrays for a multi-input
    model) that is a SciPy sparse matrix is made dense.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skweight._compose import ComposedFeatureEncoder
    >>> split = FunctionTransformer(lambda X: [X[:, :1], X[:, 1:]], accept_sparse=True)
    >>> parts = ComposedFeatureEncoder(split).fit(sparse.csr_matrix(np.eye(3))).transform(sparse.csr_matrix(np.eye(3)))
    >>> [type(p).__name__ for p in parts], [p.shape for p in parts]
    (['ndarray', 'ndarray'], [(3, 1), (3, 2)])
    """

    def __init__(self, user):
        self.user = user

    def fit(self, X, y=None):
        self.user_ = self.user.fit(X)
        return self

    def transform(self, X):
        out = self.user_.transform(X)
        if isinstance(out, Mapping):
            return {k: dense(v) for k, v in out.items()}
        if isinstance(out, (list, tuple)):
            return type(out)(dense(v) for v in out)
        return dense(out)

    def get_metadata(self):
        return getattr(self.user, "get_metadata", dict)()


def dense(X):
    """``X`` as a dense array when it is a SciPy sparse matrix, else ``X`` itself."""
    return X.toarray() if hasattr(X, "toarray") else X


def compose_subclass_encoders(cls, base):
    """Wrap the ``target_encoder`` / ``feature_encoder`` properties that ``cls``
    gets from anywhere other than ``base`` (its own body or a mixin), so that
    the estimator gets a composed encoder; run by
    ``WeightedKerasClassifier.__init_subclass__``.  A property that returns
    skweight's own encoder (e.g. through ``super()``) gives it unchanged."""
    for name, make in (("target_encoder", ComposedTargetEncoder), ("feature_encoder", ComposedFeatureEncoder)):
        prop = inspect.getattr_static(cls, name, None)
        if (
            isinstance(prop, property)
            and prop is not base.__dict__.get(name)
            and not getattr(prop.fget, "_skweight_composed", False)
        ):
            setattr(cls, name, property(_composed_getter(prop.fget, make), doc=prop.__doc__))


def _composed_getter(user_get, make):
    @functools.wraps(user_get)
    def fget(est):
        user = user_get(est)
        if isinstance(user, (TargetEncoder, ComposedTargetEncoder, ComposedFeatureEncoder)):
            return user
        if getattr(user, "func", None) is dense:  # skweight's own sparse-to-dense encoder
            return user
        if make is ComposedTargetEncoder:
            return make(user, est._own_target_encoder())
        return make(user)

    fget._skweight_composed = True
    return fget


# --------------------------------------------------------------------------- #
# class weights on a user's encoding
# --------------------------------------------------------------------------- #
def weights_for_encoded(weights, encoded, class_weight):
    """Sample weights computed on skweight's codes, laid out for the user's
    encoded ``y``; raises ``ValueError`` when they cannot be matched.

    One weight per row fits any encoding (Keras applies it to every output);
    a list of per-output weights needs a list (or dict) of as many outputs;
    element-wise weights need one array of a matching shape.
    """
    if weights is None:
        return None
    if isinstance(weights, np.ndarray) and weights.ndim == 1:
        return weights
    if isinstance(weights, list):
        if isinstance(encoded, (list, tuple)) and len(encoded) == len(weights):
            return weights
        if isinstance(encoded, Mapping) and len(encoded) == len(weights):
            return dict(zip(encoded, weights))
    elif not isinstance(encoded, (list, tuple, Mapping)) and np.shape(encoded)[: weights.ndim] == weights.shape:
        return weights
    raise ValueError(
        f"class_weight={class_weight!r} gives weights of layout {_layout(weights)}, but the target_encoder of "
        f"this estimator turns y into {_layout(encoded)}, and skweight cannot tell which weight belongs to which "
        "part. Use class_weight=None (pass sample_weight yourself), or let the encoder keep one output per "
        "column of y."
    )


def _layout(a):
    if isinstance(a, Mapping):
        return "a dict of " + ", ".join(f"{k!r}: {np.shape(v)}" for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return f"a list of {len(a)} arrays of shapes " + ", ".join(str(np.shape(v)) for v in a)
    return f"an array of shape {np.shape(a)}"


# --------------------------------------------------------------------------- #
# model= given as a class
# --------------------------------------------------------------------------- #
def build_from_class(cls):
    """A SciKeras build function that instantiates ``cls`` (e.g. a
    ``keras.Model`` subclass) with the routed ``model__`` parameters, plus
    ``meta``, ``compile_kwargs`` and ``params`` where its ``__init__`` names
    them.  The model comes back uncompiled unless ``cls`` compiles it; SciKeras
    then compiles it with the estimator's ``optimizer``, ``loss`` and ``metrics``.

    Examples
    --------
    >>> from skweight._compose import build_from_class
    >>> class Net:
    ...     def __init__(self, units=4, meta=None):
    ...         self.units, self.n_features = units, meta["n_features_in_"]
    >>> net = build_from_class(Net)(meta={"n_features_in_": 3}, compile_kwargs={}, params={}, units=8)
    >>> net.units, net.n_features
    (8, 3)
    """
    named = {
        p.name
        for p in inspect.signature(cls).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }

    def build(meta, compile_kwargs, params, **routed):
        given = {"meta": meta, "compile_kwargs": compile_kwargs, "params": params}
        routed.update({k: v for k, v in given.items() if k in named})
        return cls(**routed)

    build.__name__ = f"build_{getattr(cls, '__name__', 'model')}"
    return build
