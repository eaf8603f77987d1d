"""Encoding of every supported target kind to what a Keras model trains on, and
of model outputs back to labels and probabilities (NumPy only)."""

import warnings
from collections.abc import Mapping

import numpy as np

from ._encoding import encode
from ._errors import prefixed
from ._kinds import KINDS, read
from ._outputs import (
    REGRESSION,
    OutputLayout,
    is_continuous,
    is_per_output,
    join_outputs,
    output_error,
    output_kinds,
    output_label,
    per_output,
    split_outputs,
)

__all__ = ["TargetEncoder"]


class TargetEncoder:
    """Fit on the user's ``y``; ``transform`` gives Keras targets;
    ``inverse_transform`` turns model outputs into labels or probabilities.

    Parameters
    ----------
    kind : str
        ``"auto"`` or one of :data:`skweight.KINDS`.
    classes : array-like, optional
        All classes (``partial_fit``'s ``classes``); by default those of ``y``.
    one_hot : bool
        Encode multiclass labels one-hot (for a categorical cross-entropy loss).
    x_shape : tuple, optional
        Shape of ``X``; a 2-D ``y`` whose width matches ``X.shape[1]`` of a 3-D
        ``X`` is read as a sequence target when ``kind="auto"`` (also when its
        labels are 0/1).

    A ``y`` given per output (a dict keyed by output name, or a list of
    arrays in output order) is encoded output by output, each with its own
    kind (``kind`` may then be a dict or list of kinds, ``"regression"``
    included; a float output with non-integer values is read as a
    regression output).  ``transform`` then gives a list of encoded targets in
    the user's output order, ``to_model`` puts them in the structure the model
    declares (a list in its output order, a dict keyed by its output names, or
    any nesting Keras accepts), and ``inverse_transform`` gives back the
    user's structure.  A 2-D ``y`` of label columns (``"multioutput"``) meets
    the model's outputs the same way, column ``j`` the ``j``-th output.

    This is the one place where the structure of ``y`` meets the model's:
    both training loops get targets, sample weights and validation data from
    :meth:`to_model` ready for the model, and predictions come back through
    :meth:`from_model`.
    """

    def __init__(self, kind="auto", classes=None, one_hot=False, x_shape=None):
        self.kind = kind
        self.classes = classes
        self.one_hot = one_hot
        self.x_shape = x_shape

    # ------------------------------------------------------------------ fit
    def _detect(self, y):
        if self.kind != "auto":
            return read(y, self.kind).kind
        kind = read(y).kind
        # one label per timestep of a 3-D X: a sequence, whatever the labels
        # (0/1 tags would otherwise read as a multi-label or one-hot target)
        if (
            kind in ("multioutput", "multilabel", "onehot")
            and self.x_shape is not None
            and len(self.x_shape) == 3
            and y.shape[1] == self.x_shape[1]
        ):
            return "sequence"
        if kind in ("binary", "multiclass") and self.classes is not None:
            kind = "binary" if len(self.classes) <= 2 else "multiclass"
        return kind

    def fit(self, y):
        self.outputs_ = None
        if is_per_output(y):
            return self._fit_outputs(y)
        if not isinstance(self.kind, str):
            raise ValueError(
                f"target_kind={self.kind!r} gives one kind per output, but y is a single array; give y as a dict "
                "keyed by output name or a list of arrays in output order, or give one kind (a str)."
            )
        if self.kind not in ("auto",) + KINDS:
            raise ValueError(f"target_kind={self.kind!r} is not accepted; give 'auto' or one of {', '.join(KINDS)}.")
        kind = self._detect(y)
        self.kind_ = kind
        self.y_shape_ = y.shape
        if kind in ("binary", "multiclass", "sequence"):
            # integer labels: the engine's np.bincount pass (no hash, no sort);
            # other labels (strings, floats, objects): np.unique; sorted either way
            flat = np.ravel(y)
            seen = encode(flat).classes if flat.dtype.kind in "iub" else np.unique(flat)
            if self.classes is not None:
                classes = np.asarray(self.classes)
                missing = np.setdiff1d(seen, classes)
                if missing.size:
                    raise ValueError(f"y holds label {missing[0]!r}, which is not in classes={classes.tolist()!r}.")
                self.classes_ = np.unique(classes)
            else:
                self.classes_ = seen
            self.n_classes_ = len(self.classes_)
            self.n_outputs_expected_ = 1
        elif kind == "ordinal":
            self.classes_ = np.arange(y.shape[1] + 1)
            self.n_classes_ = y.shape[1] + 1
            self.n_outputs_expected_ = 1
        elif kind in ("onehot", "multilabel"):
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            self.n_outputs_expected_ = 1
        else:  # multioutput: one label column per output
            self.classes_ = [np.unique(y[:, j]) for j in range(y.shape[1])]
            self.n_classes_ = [len(c) for c in self.classes_]
            self.n_outputs_expected_ = y.shape[1]
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self

    def _fit_outputs(self, y):
        names, parts = split_outputs(y)
        n = len(parts)
        kinds, shared = output_kinds(self.kind, names, n)
        classes = per_output(self.classes, names, n, "classes")
        self.names_ = names
        self.outputs_ = []
        for j, (part, kind, known) in enumerate(zip(parts, kinds, classes)):
            try:
                enc = self._fit_output(np.asarray(part), kind, known, names, j)
            except ValueError as exc:
                if shared is None:
                    raise
                raise output_error(exc, names, j, shared) from None
            self.outputs_.append(enc)
        self.kind_ = join_outputs(names, [e.kind_ for e in self.outputs_])
        self.classes_ = join_outputs(names, [e.classes_ for e in self.outputs_])
        self.n_classes_ = join_outputs(names, [e.n_classes_ for e in self.outputs_])
        self.output_names_ = list(names) if names is not None else [f"output_{j}" for j in range(n)]
        self.output_units_ = join_outputs(names, [e.units_ for e in self.outputs_])
        self.n_outputs_ = self.n_outputs_expected_ = n
        self.y_shape_ = (len(parts[0]), n)
        self.model_order_ = None
        return self

    def _fit_output(self, part, kind, known, names, j):
        """The encoder of output ``j`` of a per-output ``y``, fitted on ``part``."""
        where = f"y[{output_label(names, j)!r}]"
        if kind == REGRESSION or (kind == "auto" and is_continuous(part)):
            return _RegressionEncoder().fit(part)
        if kind not in ("auto",) + KINDS or kind == "multioutput":
            raise ValueError(
                f"target_kind for output {output_label(names, j)!r} is {kind!r}; accepted per output: "
                f"'auto', 'regression' or one of {', '.join(k for k in KINDS if k != 'multioutput')}."
            )
        with prefixed(where):
            enc = TargetEncoder(kind, known, self.one_hot, self.x_shape).fit(part)
        if enc.kind_ == "multioutput":
            raise ValueError(
                f"{where} is a 2-D array of labels (one label column per output); each output of a dict/list "
                "y is one target: 1-D labels, one-hot, multi-label, ordinal or sequence. Give each label "
                "column as an output of its own."
            )
        return enc

    @property
    def units_(self):
        """Width of the default model's output layer for this target."""
        kind = self.kind_
        if kind == "binary":
            return 1
        if kind == "ordinal":
            return self.n_classes_ - 1
        return self.n_classes_

    def get_metadata(self):
        meta = {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
            "target_kind_": self.kind_,
        }
        if self.outputs_ is not None:  # a target given per output
            meta.update(output_names_=self.output_names_, output_units_=self.output_units_)
        return meta

    # ------------------------------------------------------------ transform
    def _codes(self, y, classes, where="y"):
        codes = np.searchsorted(classes, y)
        codes = np.minimum(codes, len(classes) - 1)
        bad = classes[codes] != y
        if np.any(bad):
            label = np.asarray(y)[bad].ravel()[0]
            raise ValueError(
                f"{where} holds label {label.item() if isinstance(label, np.generic) else label!r}, unseen in fit; "
                f"known classes are {classes.tolist()!r}."
            )
        return codes

    def transform(self, y):
        if getattr(self, "outputs_", None) is not None:
            return self._transform_outputs(y)
        kind = self.kind_
        if kind == "binary":
            return self._codes(y.ravel(), self.classes_).astype(np.float32)
        if kind == "multiclass":
            codes = self._codes(y.ravel(), self.classes_)
            if self.one_hot:
                return np.eye(self.n_classes_, dtype=np.float32)[codes]
            return codes.astype(np.int32)
        if kind == "sequence":
            return self._codes(y, self.classes_).astype(np.int32)
        if kind in ("onehot", "multilabel", "ordinal"):
            return np.asarray(y, dtype=np.float32)
        return [self._codes(y[:, j], c, f"y[:, {j}]").astype(np.int32) for j, c in enumerate(self.classes_)]

    # ---------------------------------------------------- inverse transform
    def probabilities(self, raw, for_labels=False):
        """Model outputs as probabilities in scikit-learn's layout
        (``for_labels``: to decide labels from, see :meth:`_not_probabilities`)."""
        kind = self.kind_
        if kind == "multioutput":  # each column's head: a softmax, or one sigmoid unit for two classes
            return [
                _two_columns(np.asarray(r, dtype=np.float64).reshape(len(r), -1), k)
                for r, k in zip(raw, self.n_classes_)
            ]
        raw = np.asarray(raw, dtype=np.float64)
        if kind == "binary":
            p = raw.reshape(len(raw), -1)
            if p.shape[1] > 2:
                return self._not_probabilities(p, for_labels)
            if p.shape[1] == 1:
                p = p[:, 0]
                return np.column_stack([1.0 - p, p])
            return _sum_to_one(p)
        if kind == "sequence":
            return _sum_to_one(raw)
        if kind in ("multiclass", "onehot"):
            p = raw.reshape(len(raw), -1)
            if p.shape[1] != self.n_classes_:
                return self._not_probabilities(p, for_labels)
            return _sum_to_one(p)
        return raw.reshape(len(raw), -1)

    def _not_probabilities(self, p, for_labels):
        """A model whose output has another width than the classes (e.g. a
        prebuilt one-unit model given ``initialize(X, y)`` on 3 classes): its
        outputs as Keras predicts them, a one-unit output as ``(n,)``, as
        SciKeras's ``predict_proba`` returns them; with a warning, since they
        are not class probabilities.  No labels can be read from them: for
        ``predict`` (``for_labels``), a ``ValueError``."""
        if for_labels:
            raise ValueError(
                f"predict needs one probability per class from the model, but it gives {p.shape[1]} value(s) per "
                f"row for {self.n_classes_} classes {self.classes_.tolist()!r}; give the model one output unit per "
                "class (a softmax), or one sigmoid unit for two classes."
            )
        warnings.warn(
            f"the model gives {p.shape[1]} value(s) per row for a target of {self.n_classes_} classes "
            f"{self.classes_.tolist()!r}; predict_proba returns them as the model predicts them (as SciKeras does), "
            "not as class probabilities. Give the model one output unit per class.",
            UserWarning,
            stacklevel=2,
        )
        return p[:, 0] if p.shape[1] == 1 else p

    def labels(self, proba):
        """Labels from probabilities in scikit-learn's layout."""
        kind = self.kind_
        if kind in ("binary", "multiclass"):
            return self.classes_[np.argmax(proba, axis=1)]
        if kind == "sequence":
            return self.classes_[np.argmax(proba, axis=-1)]
        if kind == "onehot":
            out = np.zeros(proba.shape, dtype=int)
            out[np.arange(len(proba)), np.argmax(proba, axis=1)] = 1
            return out
        if kind == "multilabel":
            return (proba > 0.5).astype(int)
        if kind == "ordinal":
            # the level is the number of leading thresholds passed: a valid thermometer code
            passed = np.cumprod(proba > 0.5, axis=1)
            return passed.astype(int)
        return np.column_stack([c[np.argmax(p, axis=1)] for c, p in zip(self.classes_, proba)])

    def inverse_transform(self, raw, return_proba=False):
        if getattr(self, "outputs_", None) is not None:
            parts = self.from_model(raw)
            return join_outputs(
                self.names_, [e.inverse_transform(r, return_proba) for e, r in zip(self.outputs_, parts)]
            )
        if self.kind_ == "multioutput":
            raw = self.from_model(raw)
        proba = self.probabilities(raw, for_labels=not return_proba)
        return proba if return_proba else self.labels(proba)

    # ------------------------------------------------------- per-output y
    def _transform_outputs(self, y):
        """The encoded target of every output, in the user's output order."""
        names, parts = self.output_parts(y)
        out = []
        for j, (enc, part) in enumerate(zip(self.outputs_, parts)):
            with prefixed(f"y[{output_label(names, j)!r}]"):
                out.append(enc.transform(np.asarray(part)))
        return out

    def output_parts(self, y):
        """``(names, parts)`` of a per-output ``y`` checked against the outputs of fit."""
        if not is_per_output(y):
            raise ValueError(
                f"this estimator was fitted on y per output ({self._describe()}); give y in the same structure."
            )
        names, parts = split_outputs(y)
        if self.names_ is not None:
            if names is None or set(names) != set(self.names_):
                raise ValueError(
                    f"y has {f'outputs {names!r}' if names is not None else f'{len(parts)} outputs (a list)'}, but "
                    f"the estimator was fitted on {self._describe()}; give a dict with the same output names."
                )
            lookup = dict(zip(names, parts))
            return self.names_, [lookup[k] for k in self.names_]
        if names is not None or len(parts) != len(self.outputs_):
            raise ValueError(
                f"y has {len(parts)} outputs{' (a dict)' if names is not None else ''}, but the estimator was fitted "
                f"on {self._describe()}; give a list of {len(self.outputs_)} arrays in the same order."
            )
        return None, parts

    def check_like_fit(self, y):
        """Check a per-output ``y`` of a later call (``partial_fit``, a warm
        start, ``validation_data``, ``score``) against the outputs of fit: the
        same structure and names, and every output in the kind it was fitted
        as (its shape and values), so that a changed output is a clear error
        before any training."""
        names, parts = self.output_parts(y)
        for j, (enc, part) in enumerate(zip(self.outputs_, parts)):
            fitted = f"y[{output_label(names, j)!r}] was fitted as kind {enc.kind_!r}{_shape_note(enc)}"
            with prefixed(f"{fitted}; a later partial_fit, warm start or score needs it in that kind"):
                enc._check_same_kind(np.asarray(part))
        return names, parts

    def _check_same_kind(self, part):
        """``part`` is a target of the kind (and width) this encoder was fitted on."""
        kind = self.kind_
        read(part, "multiclass" if kind in ("binary", "multiclass") else kind)
        if kind not in ("binary", "multiclass") and part.shape[1:] != tuple(self.y_shape_[1:]):
            raise ValueError(f"got shape {part.shape}, expected (n_samples, {self.y_shape_[1]}).")

    def _describe(self):
        if getattr(self, "outputs_", None) is None:
            return f"a 2-D array of {len(self.classes_)} label columns"
        if self.names_ is not None:
            return f"a dict with outputs {self.names_!r}"
        return f"a list of {len(self.outputs_)} outputs"

    # ------------------------------------------- the model's output structure
    def bind_model_outputs(self, layout):
        """Match the model's outputs to the outputs of ``y``, once the model is
        built: by name for a dict ``y``, by position (Keras's flatten order,
        that of ``model.outputs``) for a list ``y`` or the label columns of a
        2-D ``y``.  ``layout`` is the model's
        :class:`~skweight._outputs.OutputLayout` (or its output names, for a
        model whose outputs are a list).  From then on :meth:`to_model` and
        :meth:`from_model` translate between ``y``'s structure and the model's."""
        if not isinstance(layout, OutputLayout):
            names = list(layout)
            layout = OutputLayout(list(range(len(names))), names)
        names = self.names_ if self.outputs_ is not None else None
        n = self.n_parts()
        model_names = list(layout.names)
        if len(model_names) != n:
            raise ValueError(
                f"y has {n} outputs ({self._describe()}), but the model has {len(model_names)} outputs "
                f"{model_names!r}; give one target per model output."
            )
        if names is None:
            order = list(range(n))
        else:
            unknown = [k for k in names if k not in model_names]
            if unknown:
                raise ValueError(
                    f"y names output {unknown[0]!r}, but the model's outputs are {model_names!r}; key y by the names "
                    "of the model's outputs (its output dict's keys, or its output layers' names), or pass y as a "
                    "list in the model's output order."
                )
            order = [names.index(k) for k in model_names]
        self.model_layout_, self.model_order_, self.model_output_names_ = layout, order, model_names
        return self

    def to_model(self, parts):
        """One entry per output of ``y`` (a list in ``y``'s output order:
        encoded targets, sample weights, losses or metrics) in the structure
        the model declares (a dict, list or nested structure); a list in
        ``y``'s order before :meth:`bind_model_outputs`."""
        layout = getattr(self, "model_layout_", None)
        order = getattr(self, "model_order_", None)
        if order is None:
            return list(parts)
        flat = [parts[i] for i in order]
        return flat if layout is None else layout.pack(flat)

    def from_model(self, raw):
        """The model's outputs (in its structure; a dict by name or a list in
        model order before :meth:`bind_model_outputs`) as a list in ``y``'s
        output order."""
        n = self.n_parts()
        layout = getattr(self, "model_layout_", None)
        if layout is not None:
            flat = layout.unpack(raw)
        elif isinstance(raw, Mapping):
            names = self.names_ if getattr(self, "names_", None) is not None else self.output_names_
            return [raw[k] for k in names]
        else:
            flat = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if len(flat) != n:
            raise ValueError(f"the model gave {len(flat)} outputs for a y of {n} outputs.")
        order = getattr(self, "model_order_", None)
        if order is None:
            return flat
        parts = [None] * n
        for position, j in enumerate(order):
            parts[j] = flat[position]
        return parts

    def spec_to_model(self, spec, param):
        """A compile argument given per output (``loss``, ``metrics``) in the
        structure of a model whose outputs are nested (a dict of lists, ...):
        a dict keyed by the model's output names, or a list with one entry per
        output in Keras's flatten order.  Keras matches a flat dict or list
        itself, so anything else is returned as it is."""
        layout = getattr(self, "model_layout_", None)
        if spec is None or layout is None or layout.is_flat:
            return spec
        names = layout.names
        if isinstance(spec, Mapping):
            unknown = [k for k in spec if k not in names]
            if unknown:
                raise ValueError(
                    f"{param} names output {unknown[0]!r}, but the model's outputs are {names!r}; key {param} "
                    "by those names, or give it in the structure of the model's outputs."
                )
            return layout.pack([spec.get(k) for k in names])
        if isinstance(spec, list) and len(spec) == len(names) and (param == "loss" or all(_is_group(m) for m in spec)):
            return layout.pack(spec)
        return spec

    def n_parts(self):
        """Number of outputs of ``y`` (given per output, or label columns)."""
        return len(self.outputs_) if getattr(self, "outputs_", None) is not None else len(self.classes_)

    def binds_outputs(self):
        """True when ``y`` has several outputs (given per output, or a 2-D
        array of label columns) that meet the model's outputs."""
        return getattr(self, "outputs_", None) is not None or getattr(self, "kind_", None) == "multioutput"


class _RegressionEncoder:
    """A continuous output: passed through as float32, predicted values given
    back in the shape of the target (1-D or 2-D)."""

    kind_ = REGRESSION
    classes_ = None
    n_classes_ = None

    def fit(self, y):
        arr = np.asarray(y)
        if arr.ndim not in (1, 2):
            raise ValueError(f"a regression output must be 1-D or 2-D; got shape {arr.shape}.")
        self.ndim_ = arr.ndim
        self.units_ = 1 if arr.ndim == 1 else arr.shape[1]
        return self

    def _check_same_kind(self, part):
        width = None if self.ndim_ == 1 else self.units_
        if part.dtype.kind not in "biuf":
            raise ValueError(f"a regression output must be numeric; got dtype {part.dtype}.")
        if part.ndim != self.ndim_ or (width is not None and part.shape[1] != width):
            expected = "(n_samples,)" if width is None else f"(n_samples, {width})"
            raise ValueError(f"got shape {part.shape}, expected {expected}.")

    def transform(self, y):
        arr = np.asarray(y)
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"a regression output must be numeric; got dtype {arr.dtype}.")
        return arr.astype(np.float32)

    def inverse_transform(self, raw, return_proba=False):
        out = np.asarray(raw)
        return out.reshape(len(out)) if self.ndim_ == 1 else out.reshape(len(out), -1)


def _is_group(metrics):
    """One output's entry of a per-output metrics list: a list of metrics or None."""
    return metrics is None or isinstance(metrics, (list, tuple))


def _shape_note(enc):
    """``, shape (n_samples, k)`` for an output fitted on a 2-D target."""
    shape = getattr(enc, "y_shape_", None)
    if shape is None and getattr(enc, "ndim_", 1) == 2:
        shape = (None, enc.units_)
    return f", shape (n_samples, {shape[1]})" if shape is not None and len(shape) == 2 else ""


def _two_columns(p, n_classes):
    """A head's probabilities in scikit-learn's layout: one sigmoid unit of a
    two-class output as the two columns ``[1 - p, p]``."""
    if p.shape[1] == 1 and n_classes == 2:
        return np.column_stack([1.0 - p[:, 0], p[:, 0]])
    return _sum_to_one(p)


def _sum_to_one(p):
    """Rows of a float32 softmax, summed in float64, are off 1 by up to ~1e-7,
    which scikit-learn's ``log_loss`` warns about; rescale such rows exactly.
    Outputs that are not probabilities (rows far from summing to 1, e.g.
    logits of a custom model) are left as they are.  Argmax is unchanged."""
    if p.size == 0:
        return p
    total = p.sum(axis=-1, keepdims=True)
    if np.all(p >= 0) and np.all(np.abs(total - 1.0) < 1e-4):
        return p / total
    return p
