"""Targets given per output, the Keras way: ``y`` as a dict keyed by output
name or a list in output order, one array per output (NumPy only; imports only
:mod:`skweight._errors`).

The structural helpers every other module shares: whether a ``y`` is given per
output, its names and parts, the one reader of a per-output parameter
(:func:`per_output`, for ``class_weight``, ``sample_weight``, ``target_kind``
and ``classes`` alike), and :class:`Outputs`, the container that lets
scikit-learn's model selection index such a target (public in
:mod:`skweight.model_selection`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ._errors import prefixed_error, short

__all__ = [
    "OUTPUT_KINDS",
    "REGRESSION",
    "OutputLayout",
    "Outputs",
    "accuracy_per_output",
    "broadcast",
    "index_of",
    "is_continuous",
    "is_per_output",
    "join_outputs",
    "output_error",
    "output_kinds",
    "output_label",
    "per_output",
    "shared_kind",
    "shared_kind_error",
    "split_outputs",
]

#: The kind of a continuous target on a linear head (``target_kind`` per output).
REGRESSION = "regression"

#: Kinds one output of a dict/list ``y`` may have (``target_kind`` per output).
OUTPUT_KINDS = ("binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", REGRESSION)


# --------------------------------------------------------------------------- #
# structure of a per-output target
# --------------------------------------------------------------------------- #
def is_per_output(y, n_samples=None):
    """True for a dict of targets, a list/tuple of arrays or an :class:`Outputs`.

    A list of plain Python rows (``[[0, 1], [1, 0]]``) is one 2-D target, as
    for :func:`skweight.target_kind`.  With ``n_samples`` (the rows of ``X``)
    known, a list of arrays is per output only when every array has that many
    rows: a list of ``n_samples`` label rows (scikit-learn's array-like form of
    a 2-D target, e.g. ``list(Y)``) stays one target.
    """
    if isinstance(y, (Outputs, Mapping)):
        return True
    if isinstance(y, (list, tuple)) and len(y) > 0:
        if not all(isinstance(part, np.ndarray) or hasattr(part, "iloc") for part in y):
            return False
        return n_samples is None or all(np.ndim(part) > 0 and len(part) == n_samples for part in y)
    return False


def split_outputs(y):
    """``(names, parts)`` of a per-output target; ``names`` is None for a list."""
    if isinstance(y, Outputs):
        y = y.data
    if isinstance(y, Mapping):
        return list(y), list(y.values())
    return None, list(y)


def join_outputs(names, parts):
    """The user's structure back: a dict when ``names`` is given, else a list."""
    return dict(zip(names, parts)) if names is not None else list(parts)


def output_label(names, j):
    """How messages name output ``j``: its name, else its position."""
    return names[j] if names is not None else j


def broadcast(value, n_outputs):
    """One array (or None) for every output, or the per-output list as it is:
    how ``sample_weight`` reaches the outputs of a per-output target."""
    if value is None or isinstance(value, np.ndarray):
        return [value] * n_outputs
    return list(value)


def index_of(output, names, n_outputs):
    """The position of ``output``, given by name (named outputs) or position."""
    if names is not None and isinstance(output, str) and output in names:
        return names.index(output)
    if isinstance(output, numbers.Integral) and not isinstance(output, bool) and 0 <= output < n_outputs:
        return int(output)
    known = names if names is not None else list(range(n_outputs))
    raise ValueError(f"output={output!r} is not an output of y; the outputs are {known!r}.")


def per_output(spec, names, n_outputs, param, *, default=None, of="y", accepts="", entry=None):
    """One entry of a per-output parameter for each output, in output order.

    The one reader of every per-output parameter (``class_weight``,
    ``sample_weight``, ``target_kind``, ``classes``).  ``spec`` may be a dict
    keyed by output name (named outputs) or position (int), a list/tuple with
    one entry per output, or anything else, which is returned for every
    output; None, anywhere, stands for ``default``.

    Errors are ``ValueError`` naming ``param``: an unknown name or position, a
    name given twice, a list of the wrong length, or, for unnamed outputs, a
    dict that is not keyed by position (or whose values fail ``entry``, the
    test of what one output's entry may be).  ``of`` says whose outputs they
    are (``"y"``, ``"the target"``, ``"the model"``) and ``accepts`` adds to
    the hint of what to give.

    Examples
    --------
    >>> from skweight._outputs import per_output
    >>> per_output({"b": "ordinal"}, ["a", "b"], 2, "target_kind", default="auto")
    ['auto', 'ordinal']
    >>> per_output("balanced", None, 2, "class_weight")
    ['balanced', 'balanced']
    """
    if isinstance(spec, Mapping):
        return _from_dict(spec, names, n_outputs, param, default, of, accepts, entry)
    if isinstance(spec, (list, tuple)):
        if len(spec) != n_outputs:
            shown = f"{param}={short(spec)}" if len(repr(spec)) <= 80 else param
            raise ValueError(
                f"{shown} has {len(spec)} entries but {of} has {n_outputs} outputs; give one entry per output, "
                f"in output order, or a dict keyed by output name{accepts}."
            )
        return [default if v is None else v for v in spec]
    return [default if spec is None else spec] * n_outputs


def _from_dict(spec, names, n_outputs, param, default, of, accepts, entry):
    """:func:`per_output` of a dict keyed by output name or position."""
    if names is None and not all(_position(k, n_outputs) is not None for k in spec):
        raise ValueError(
            f"{param} is a dict with keys {list(spec)!r}, but {of} has {n_outputs} unnamed outputs; key {param} by "
            f"position (0 to {n_outputs - 1}) or give a list of {n_outputs} entries in output order (or give y as "
            "a dict keyed by output name)."
        )
    if names is None and entry is not None and not all(entry(v) for v in spec.values()):
        raise ValueError(
            f"{param} is a dict with keys {list(spec)!r}, but {of} has {n_outputs} unnamed outputs and its values "
            f"are not one entry per output; give a list of {n_outputs} entries in output order (or give y as a "
            "dict keyed by output name)."
        )
    out = [default] * n_outputs
    seen = {}
    for key, value in spec.items():
        j = names.index(key) if names is not None and isinstance(key, str) and key in names else None
        j = _position(key, n_outputs) if j is None else j
        if j is None:
            raise ValueError(
                f"{param} names output {key!r}, which is not an output of {of}: {param} is a dict with keys "
                f"{list(spec)!r}, but {of}'s outputs are {names!r}. Key {param} by output name or position"
                f"{accepts}, or give a list in output order."
            )
        if j in seen:
            raise ValueError(f"{param} gives output {output_label(names, j)!r} twice (as {seen[j]!r} and {key!r}).")
        seen[j] = key
        out[j] = default if value is None else value
    return out


def _position(key, n_outputs):
    """``key`` as an output position, or None."""
    if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return int(key) if 0 <= key < n_outputs else None
    return None


def shared_kind(target_kind):
    """``target_kind`` given as one str other than ``"auto"`` for a dict/list
    ``y``: it then applies to every output, so it must be a kind one output can
    have; returns it (None when ``target_kind`` is ``"auto"`` or per output)."""
    if not isinstance(target_kind, str) or target_kind == "auto":
        return None
    if target_kind not in OUTPUT_KINDS:
        raise ValueError(
            f"target_kind={target_kind!r} is not accepted for y given per output (a dict or list of arrays); give "
            f"'auto', one of {', '.join(OUTPUT_KINDS)} for every output, or a dict keyed by output name, e.g. "
            "target_kind={'level': 'ordinal'} (outputs left out are detected)."
        )
    return target_kind


def output_kinds(target_kind, names, n_outputs):
    """``(kinds, shared)``: ``target_kind`` for each output (``"auto"`` where
    it names none), and the one kind given for every output (None when it is
    ``"auto"`` or given per output; see :func:`shared_kind`)."""
    shared = shared_kind(target_kind)
    return per_output(target_kind, names, n_outputs, "target_kind", default="auto"), shared


def output_error(exc, names, j, shared=None):
    """The error ``exc`` of output ``j``, naming it (``y['risk']: ...``); for a
    ``target_kind`` given once for every output, the error that says to give
    it per output instead."""
    if shared is not None:
        return shared_kind_error(shared, names, j, exc)
    return prefixed_error(f"y[{output_label(names, j)!r}]", exc)


def shared_kind_error(target_kind, names, j, exc):
    """The error for output ``j`` that is not of the one ``target_kind`` given
    for every output: says to give ``target_kind`` per output instead."""
    key = output_label(names, j)
    return ValueError(
        f"target_kind={target_kind!r} applies to every output of y, but y[{key!r}] does not fit that kind: "
        f"{exc} Give target_kind per output instead, keyed like y, e.g. target_kind={{'<output>': {target_kind!r}}} "
        "(outputs left out are detected)."
    )


def is_continuous(arr):
    """A float array with a finite non-integer value: a regression output under ``"auto"``."""
    arr = np.asarray(arr)
    if arr.dtype.kind != "f" or arr.size == 0:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.any(np.isfinite(arr) & (arr != np.round(arr))))


def accuracy_per_output(kinds, y_true, y_pred, sample_weight=None):
    """Accuracy of each classification output (None for a regression output),
    in the structure of ``kinds``: the weighted share of rows predicted exactly
    (every label of a one-hot, multi-label or ordinal row), or of timesteps for
    a sequence output.  ``sample_weight`` is None, one array, or a list with
    one array (or None) per output.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._outputs import accuracy_per_output
    >>> kinds = {"a": "binary", "b": "regression"}
    >>> y = {"a": np.array([0, 1, 1, 0]), "b": np.array([0.1, 0.2, 0.3, 0.4])}
    >>> accuracy_per_output(kinds, y, {"a": np.array([0, 1, 0, 0]), "b": y["b"]})
    {'a': 0.75, 'b': None}
    """
    names, kind_list = split_outputs(kinds)
    truth = _in_order(y_true, names)
    pred = _in_order(y_pred, names)
    out = []
    for kind, t, p, w in zip(kind_list, truth, pred, broadcast(sample_weight, len(kind_list))):
        if kind == REGRESSION:
            out.append(None)
            continue
        t, p = np.asarray(t), np.asarray(p)
        if kind == "sequence":
            hit = (t == p).mean(axis=1)
        else:
            hit = (t == p).reshape(len(t), -1).all(axis=1)
        out.append(float(np.average(hit, weights=w)))
    return join_outputs(names, out)


def _in_order(y, names):
    got_names, parts = split_outputs(y)
    if names is None or got_names is None:
        return parts
    lookup = dict(zip(got_names, parts))
    return [lookup[k] for k in names]


# --------------------------------------------------------------------------- #
# the container scikit-learn's model selection can index
# --------------------------------------------------------------------------- #
class Outputs:
    """A dict/list target that scikit-learn's model selection can index.

    ``cross_validate``, ``GridSearchCV`` and ``train_test_split`` index ``y``
    by rows, which a dict of arrays does not support.  ``Outputs(y)`` holds
    the same arrays (no copy) and takes rows of every output at once;
    :class:`~skweight.WeightedKerasClassifier` reads it as the dict/list it
    wraps.  Use it with a splitter that does not need ``y`` (``KFold``) or with
    :class:`~skweight.StratifiedOn`, and score with
    :func:`~skweight.per_output_scorer`.

    Parameters
    ----------
    y : dict or list of array-like
        One target per output, all with the same number of rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight import Outputs
    >>> y = Outputs({"a": np.array([0, 1, 0, 1]), "b": np.array([0.5, 1.5, 2.5, 3.5])})
    >>> len(y), y.shape
    (4, (4, 2))
    >>> y[[1, 3]].data["b"].tolist()
    [1.5, 3.5]
    """

    def __init__(self, y):
        if isinstance(y, Outputs):
            y = y.data
        if not is_per_output(y):
            raise TypeError(
                f"Outputs takes a dict of arrays keyed by output name or a list of arrays; got {type(y).__name__}."
            )
        names, parts = split_outputs(y)
        parts = [p.to_numpy() if hasattr(p, "to_numpy") else np.asarray(p) for p in parts]
        lengths = sorted({len(p) for p in parts})
        if len(lengths) > 1:
            raise ValueError(f"the outputs of y have different numbers of rows {lengths}; give one row per sample.")
        self.data = join_outputs(names, parts)
        self._n = lengths[0]

    @property
    def shape(self):
        """``(n_samples, n_outputs)``."""
        return (self._n, len(self.data))

    def __len__(self):
        return self._n

    def __getitem__(self, rows):
        names, parts = split_outputs(self.data)
        return Outputs(join_outputs(names, [p[rows] for p in parts]))

    def output(self, name):
        """The target of one output, by name (dict) or position."""
        names, parts = split_outputs(self.data)
        return parts[index_of(name, names, len(parts))]

    def __repr__(self):
        names, parts = split_outputs(self.data)
        labels = names if names is not None else list(range(len(parts)))
        return f"Outputs({self._n} rows; outputs {labels!r})"


# --------------------------------------------------------------------------- #
# the structure a model declares for its outputs
# --------------------------------------------------------------------------- #
class OutputLayout:
    """How a Keras model declares its outputs: the nested structure its
    ``call`` returns (a dict, a list or tuple, any nesting of them, or one
    tensor) and a name for each leaf, in Keras's flatten order (dict keys
    sorted, sequences in order: the order of ``model.outputs``).

    Plain Python, no Keras object: it is pickled with the target encoder.
    :func:`skweight._model.output_layout` reads it from a model.

    Parameters
    ----------
    template : dict, list, tuple or int
        The model's output structure with each leaf replaced by its position
        in flatten order.
    names : list of str
        The name of each leaf, in flatten order.

    Examples
    --------
    >>> from skweight._outputs import OutputLayout
    >>> layout = OutputLayout({"cls": [0, 1], "reg": 2}, ["a", "b", "reg"])
    >>> layout.pack(["A", "B", "R"])
    {'cls': ['A', 'B'], 'reg': 'R'}
    >>> layout.unpack({"cls": ["A", "B"], "reg": "R"})
    ['A', 'B', 'R']
    >>> layout.is_flat
    False
    """

    def __init__(self, template, names):
        self.template = template
        self.names = list(names)

    def __repr__(self):
        return f"OutputLayout({self.template!r}, {self.names!r})"

    def __len__(self):
        return len(self.names)

    @property
    def is_flat(self):
        """True for one output, a list or tuple of outputs, or one dict of them."""
        t = self.template
        if isinstance(t, Mapping):
            return all(isinstance(v, int) for v in t.values())
        return isinstance(t, int) or all(isinstance(v, int) for v in t)

    @property
    def is_sequence(self):
        """True when the model's outputs are a (flat) list or tuple, or one tensor."""
        return not isinstance(self.template, Mapping) and self.is_flat

    def pack(self, flat):
        """One value per leaf (a list in flatten order) in the model's structure."""
        flat = list(flat)
        if len(flat) != len(self.names):
            raise ValueError(f"got {len(flat)} values for a model with {len(self.names)} outputs {self.names!r}.")
        return _pack(self.template, flat)

    def unpack(self, raw):
        """The model's outputs (in its structure) as a list in flatten order.
        A model with one output may give it bare (Keras unpacks a list of one)."""
        flat = [None] * len(self.names)
        if len(self.names) == 1 and not isinstance(raw, (Mapping, list, tuple)):
            flat[0] = raw
            return flat
        _unpack(self.template, raw, flat)
        return flat


def _pack(template, flat):
    if isinstance(template, Mapping):
        return {k: _pack(v, flat) for k, v in template.items()}
    if isinstance(template, (list, tuple)):
        return type(template)(_pack(v, flat) for v in template)
    return flat[template]


def _unpack(template, raw, flat):
    if isinstance(template, Mapping):
        if not isinstance(raw, Mapping) or set(raw) != set(template):
            raise ValueError(f"the model gave outputs {_shape_of(raw)}, not the declared {_shape_of(template)}.")
        for k, v in template.items():
            _unpack(v, raw[k], flat)
    elif isinstance(template, (list, tuple)):
        if not isinstance(raw, (list, tuple)) or len(raw) != len(template):
            raise ValueError(f"the model gave outputs {_shape_of(raw)}, not the declared {_shape_of(template)}.")
        for v, r in zip(template, raw):
            _unpack(v, r, flat)
    else:
        flat[template] = raw


def _shape_of(structure):
    """A short picture of a structure for messages: keys and lengths, leaves as ``*``."""
    if isinstance(structure, Mapping):
        return "{" + ", ".join(f"{k!r}: {_shape_of(v)}" for k, v in structure.items()) + "}"
    if isinstance(structure, (list, tuple)):
        return "[" + ", ".join(_shape_of(v) for v in structure) + "]"
    return "*"
