"""The weight plan of one fit: ``class_weight`` in the encoded label space of
the estimator's target, resolved on its training rows, reported in the user's
labels and expanded into Keras sample weights.

The engine (:mod:`skweight._resolve` and its leaf modules) knows targets and
weight specs in general; this module
knows what :class:`~skweight.WeightedKerasClassifier` adds around it: labels
already encoded by the target encoder (codes ``0..k-1``, one classes array per
output), output names of the model, classes absent from some rows, padding,
and the user's ``sample_weight``.  It is NumPy only and holds no Keras object,
so every decision here is testable without building a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._errors import prefixed, short
from ._forms import given_once, is_spec
from ._kinds import read
from ._outputs import REGRESSION, broadcast, join_outputs, output_label, per_output, split_outputs
from ._resolve import apply, dict_to_vector, resolve

__all__ = ["WeightPlan"]

# kinds whose classes_ are the encoded codes themselves (columns, levels)
_CODE_CLASSES = ("onehot", "ordinal", "multilabel")


@dataclass(frozen=True)
class WeightPlan:
    """Everything one fit needs to turn ``class_weight`` into sample weights.

    Parameters
    ----------
    class_weight : None, str, dict or list
        The estimator's ``class_weight`` parameter, as the user gave it.
    kind : str
        The target kind of the fit (``target_kind_``).
    classes : ndarray or list of ndarray
        ``classes_`` of the fit: the user's labels, in code order.
    one_hot : bool
        True when a binary/multiclass target is trained one-hot (categorical
        cross-entropy); the engine then reads the encoded ``y`` as one-hot.
    names : list of str or None
        Output names of a multi-output model, when known.
    padding_label : label, optional
        Sequence targets: the user's label that marks padding.

    For a target given per output (a dict keyed by output name or a list in
    output order), ``kind`` and ``classes`` are that structure of per-output
    kinds and classes; the plan is then one plan per classification output
    (``class_weight`` read by output name or position), regression outputs
    are unweighted, and the encoded ``y``, ``sample_weight`` and the returned
    weights are lists in output order.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._plan import WeightPlan
    >>> plan = WeightPlan({"risk": "balanced"}, {"risk": "binary", "price": "regression"},
    ...                   {"risk": np.array(["no", "yes"]), "price": None})
    >>> y = [np.array([0, 0, 0, 1], dtype=np.float32), np.array([1.5, 2.0, 0.5, 3.0], dtype=np.float32)]
    >>> codes, user = plan.resolve(y)
    >>> user
    {'risk': {'no': 0.6666666666666666, 'yes': 2.0}, 'price': None}
    >>> [w if w is None else w.tolist() for w in plan.sample_weights(y, codes)]
    [[0.6666666865348816, 0.6666666865348816, 0.6666666865348816, 2.0], None]
    """

    class_weight: object
    kind: str
    classes: object
    one_hot: bool = False
    names: list | None = None
    padding_label: object = None

    # -------------------------------------------------------------- #
    # the spec in code space
    # -------------------------------------------------------------- #
    @property
    def engine_kind(self):
        """The kind the engine reads the encoded ``y`` as (None: let it detect)."""
        if self.kind in ("binary", "multiclass"):
            return "onehot" if self.one_hot else None
        return self.kind

    def padding_code(self):
        """The encoded code of ``padding_label`` (None when there is none)."""
        if self.kind != "sequence" or self.padding_label is None:
            return None
        hits = np.flatnonzero(self.classes == self.padding_label)
        if hits.size == 0:
            raise ValueError(
                f"padding_label={self.padding_label!r} is not a label of y; the labels are {self.classes.tolist()!r}."
            )
        return int(hits[0])

    def code_space_spec(self):
        """``class_weight`` with the user's labels replaced by encoded codes
        (the keys are checked against ``classes`` here, naming bad keys)."""
        cw, kind = self.class_weight, self.kind
        if cw is None or given_once(cw) or kind == "multilabel":
            return cw
        if kind == "multioutput":
            specs = per_output(cw, self.names, len(self.classes), "class_weight", of="the model", entry=is_spec)
            return [
                _codes_dict(spec, classes, f"class_weight[{j}]") if isinstance(spec, Mapping) else spec
                for j, (spec, classes) in enumerate(zip(specs, self.classes))
            ]
        if isinstance(cw, Mapping):
            if kind in ("onehot", "ordinal"):
                return cw
            return _codes_dict(cw, self.classes, "class_weight")
        raise ValueError(
            f"class_weight is a list, the per-label/per-output form, but the target kind is {kind!r} "
            "with one label per sample; give None, 'balanced' or a dict {label: weight}."
        )

    # -------------------------------------------------------------- #
    # resolution on the training rows
    # -------------------------------------------------------------- #
    @property
    def is_per_output(self):
        """True for a target given per output (a dict or list of outputs)."""
        return isinstance(self.kind, (Mapping, list))

    def outputs(self):
        """``(names, plans)``: one plan per output, None for a regression output.

        A ``class_weight`` entry for a regression output is a ``ValueError``
        naming the output; a spec given once (``"balanced"``) weighs every
        classification output.
        """
        names, kinds = split_outputs(self.kind)
        classes = split_outputs(self.classes)[1]
        cw = self.class_weight
        explicit = isinstance(cw, (Mapping, list, tuple))
        specs = per_output(cw, names, len(kinds), "class_weight", accepts=" (list y)")
        plans = []
        for j, (kind, spec, cls) in enumerate(zip(kinds, specs, classes)):
            if kind == REGRESSION:
                if explicit and spec is not None:
                    raise ValueError(
                        f"class_weight gives {short(spec)} for output {output_label(names, j)!r}, a regression output "
                        "(a continuous target on a linear head); class weights apply to classification outputs only. "
                        "Leave it out of class_weight (or give None), and use sample_weight to weigh its rows."
                    )
                plans.append(None)
                continue
            pad = self.padding_label if kind == "sequence" else None
            plans.append(WeightPlan(spec, kind, cls, self.one_hot, None, pad))
        return names, plans

    def _each(self, names, plans, method, *columns):
        """``method(plan, *row)`` for every classification output; errors name the output."""
        out = []
        for j, (plan, *row) in enumerate(zip(plans, *columns)):
            if plan is None:
                out.append(None)
                continue
            with prefixed(f"output {output_label(names, j)!r}"):
                out.append(method(plan, *row))
        return out

    def canonical(self, y):
        """``class_weight`` resolved on the encoded rows ``y`` (no side effects)."""
        if self.is_per_output:
            names, plans = self.outputs()
            return self._each(names, plans, WeightPlan.canonical, y)
        classes = None
        if self.kind not in ("multioutput", "multilabel", "ordinal", "onehot"):
            classes = np.arange(len(self.classes))
        return resolve(read(y, self.engine_kind), self.code_space_spec(), self.padding_code(), classes)[0]

    def resolve(self, y, previous=None):
        """Weights in code space for every class of the fit, from the rows ``y``.

        A class absent from these rows gets the dict's value, else the weight
        it had before (``previous``, on a warm start or ``partial_fit``), else
        1.  Returns ``(codes, user)``: the weights keyed by codes (for
        :meth:`sample_weights`) and keyed by the user's labels (``class_weight_``).
        """
        if self.is_per_output:
            names, plans = self.outputs()
            prev = previous if isinstance(previous, list) else [None] * len(plans)
            codes = self._each(names, plans, lambda p, yj, pj: p.cover_all_classes(p.canonical(yj), pj), y, prev)
            user = self._each(names, plans, WeightPlan.to_user_labels, codes)
            return codes, join_outputs(names, user)
        resolved = self.cover_all_classes(self.canonical(y), previous)
        return resolved, self.to_user_labels(resolved)

    def cover_all_classes(self, resolved, previous=None):
        """``resolved`` with every class of the fit present (see :meth:`resolve`)."""
        kind, spec = self.kind, self.code_space_spec()
        if kind in ("binary", "multiclass", "onehot", "ordinal", "sequence"):
            codes = range(len(self.classes)) if kind in ("binary", "multiclass", "sequence") else self.classes.tolist()
            return _fill(resolved, spec, [int(c) for c in codes], previous)
        if kind == "multioutput" and isinstance(resolved, list):
            specs = spec if isinstance(spec, list) else [spec] * len(resolved)
            prevs = previous if isinstance(previous, list) else [None] * len(resolved)
            return [_fill(r, s, range(len(c)), p) for r, s, c, p in zip(resolved, specs, self.classes, prevs)]
        return resolved

    def to_user_labels(self, resolved):
        """Code-space weights keyed by the user's labels, as ``class_weight_`` shows them."""
        kind = self.kind
        if kind == "multioutput":
            return [
                {c: r.get(i, 1.0) for i, c in enumerate(classes.tolist())} for r, classes in zip(resolved, self.classes)
            ]
        if kind == "multilabel":
            return resolved
        if kind in ("onehot", "ordinal"):
            return {int(i): float(resolved.get(int(i), 1.0)) for i in self.classes}
        return {c: float(resolved.get(i, 1.0)) for i, c in enumerate(self.classes.tolist())}

    def to_codes(self, user):
        """The inverse of :meth:`to_user_labels`: the ``class_weight_`` of an
        earlier fit keyed by codes again (the ``previous`` of a warm start)."""
        if self.is_per_output:
            names, plans = self.outputs()
            return [None if p is None or u is None else p.to_codes(u) for p, u in zip(plans, split_outputs(user)[1])]
        if self.kind == "multioutput":
            return [{i: u[c] for i, c in enumerate(classes.tolist())} for u, classes in zip(user, self.classes)]
        if self.kind in ("multilabel", "onehot", "ordinal"):
            return user
        return {i: user[c] for i, c in enumerate(self.classes.tolist())}

    # -------------------------------------------------------------- #
    # sample weights
    # -------------------------------------------------------------- #
    def sample_weights(self, y, resolved, sample_weight=None):
        """Keras sample weights for the encoded rows ``y``: the class weights
        expanded to the target's shape, times ``sample_weight``, in a new
        float32 array (None when nothing weighs the rows)."""
        if self.is_per_output:
            names, plans = self.outputs()
            sws = broadcast(sample_weight, len(plans))
            out = self._each(names, plans, WeightPlan.sample_weights, y, resolved, sws)
            out = [sw if plan is None else w for plan, w, sw in zip(plans, out, sws)]
            return None if all(w is None for w in out) else out
        pad = self.padding_code()
        if self.class_weight is None:
            weights = None
        else:
            kind = self.engine_kind or ("binary" if self.kind == "binary" else "multiclass")
            weights = apply(y, resolved, kind, pad, np.dtype(np.float32))
        if weights is None and self.kind == "sequence" and (pad is not None or sample_weight is not None):
            # per-timestep weights: padding weighs 0, and a per-row sample_weight
            # needs the timestep axis (Keras will not broadcast (n,) over it)
            weights = (np.ones(np.shape(y)) if pad is None else np.where(y == pad, 0.0, 1.0)).astype(np.float32)
        if sample_weight is None:
            if isinstance(weights, np.ndarray) and not np.any(weights > 0):
                raise ValueError(
                    f"class_weight={short(self.class_weight)} gives every training sample a weight of 0; "
                    "at least one class present in y needs a positive weight."
                )
            return weights
        sw = np.asarray(sample_weight, dtype=np.float32)
        if weights is None:
            return sw
        if isinstance(weights, list):
            return [w * sw for w in weights]
        combined = weights * sw.reshape((-1,) + (1,) * (weights.ndim - 1))
        if not np.any(combined > 0):
            raise ValueError(
                f"class_weight={short(self.class_weight)} times sample_weight is 0 for every sample; "
                "at least one sample of a positively weighted class needs a positive sample_weight."
            )
        return combined

    def check_training_classes(self, y, partial=False):
        """A fit needs two classes among its training rows; a ``partial_fit``
        batch (``partial=True``) may hold one class when ``classes`` named at
        least two."""
        if self.is_per_output:
            names, plans = self.outputs()
            self._each(names, plans, lambda p, yj: p.check_training_classes(yj, partial), y)
            return
        if self.kind not in ("binary", "multiclass"):
            return
        if partial and len(self.classes) >= 2:
            return
        codes = y if np.ndim(y) == 1 else np.argmax(y, axis=1)
        # one pass, no sort: fewer than 2 classes <=> smallest code == largest
        if codes.min() == codes.max():
            label = self.classes[int(np.asarray(codes).ravel()[0])]
            raise ValueError(
                f"y has only one class ({_plain(label)!r}) in the training rows of this fit; a classifier "
                "needs at least 2 classes among them. With a CV splitter or validation_split, stratify so "
                "that every training set holds two classes or more."
            )


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _fill(resolved, spec, codes, previous=None):
    previous = previous if isinstance(previous, Mapping) else {}
    full = {c: float(previous.get(c, 1.0)) for c in codes}
    full.update(resolved)
    if isinstance(spec, Mapping):
        for c in codes:
            if c not in resolved and c in spec:
                full[c] = float(spec[c])
    return full


def _codes_dict(spec, classes, param):
    vec = dict_to_vector(spec, np.asarray(classes), param)
    return {i: float(w) for i, w in enumerate(vec)}
