"""``class_weight`` resolved on a read target, and expanded into sample weights
(NumPy only; imports the leaf modules :mod:`skweight._forms`,
:mod:`skweight._kinds`, :mod:`skweight._outputs` and :mod:`skweight._errors`).

Every accepted form of ``class_weight`` (``None``, ``"balanced"``, a form
object, a dict, a list of dicts, one of these per output) is normalised by
:func:`resolve` into one canonical structure: a ``dict`` ``{label: weight}``
for single-label kinds, a list of ``{0: w_neg, 1: w_pos}`` dicts for
multi-label targets, and a list (or a dict keyed by output name) of such
structures for multi-output targets.  This is what
:func:`skweight.class_weights` returns.  :func:`expand` turns what
:func:`resolve` (or :func:`table`, from canonical weights) gives into sample
weights of the shape Keras needs for the target.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ._forms import WeightForm, as_form, is_spec
from ._kinds import as_array, is_binary_indicator, is_multi_output_container, read
from ._outputs import per_output
from ._params import check_param

__all__ = ["apply", "check_weight_value", "dict_to_vector", "expand", "label_key", "resolve", "table"]


def check_weight_value(key, value, param="class_weight"):
    """One class weight: a finite, non-negative real number, as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(
            f"{param}[{key!r}] = {value!r} is not a number; class weights must be finite non-negative real numbers."
        )
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{param}[{key!r}] = {value!r} is not allowed; class weights must be finite and non-negative.")
    return value


def label_key(c):
    """A hashable key under which equal labels of different NumPy types meet."""
    if isinstance(c, np.generic):
        c = c.item()
    if isinstance(c, (bool, numbers.Integral)):
        return ("n", int(c))
    if isinstance(c, numbers.Real):
        f = float(c)
        return ("n", int(f)) if f.is_integer() else ("n", f)
    if isinstance(c, bytes):
        return ("s", c.decode())
    if isinstance(c, str):
        return ("s", c)
    return ("o", c)


def dict_to_vector(class_weight, classes, param="class_weight", known=None, ignore=()):
    """Turn ``{label: weight}`` into one weight per class of ``classes``.

    Classes missing from the dict weigh 1.  A key that is no class of
    ``known`` (default: ``classes``) is an error when some class is also left
    without a weight: the keys then look like another label space (scikit-learn's
    rule; a dict naming every class may name more).  Keys in ``ignore`` (label
    keys) are allowed and skipped.
    """
    known = classes if known is None else known
    lookup = {label_key(c): c for c in (known.tolist() if hasattr(known, "tolist") else list(known))}
    given = {label_key(key): (key, check_weight_value(key, value, param)) for key, value in class_weight.items()}
    unknown = [key for k, (key, _) in given.items() if k not in lookup and k not in ignore]
    unweighted = [c for k, c in lookup.items() if k not in given and k not in ignore]
    if unknown and unweighted:
        shown = ", ".join(repr(c) for c in list(lookup.values())[:20])
        hint = ""
        if isinstance(unknown[0], str) and any(not isinstance(c, str) for c in lookup.values()):
            hint = " (the key is a string but the labels are not)"
        elif not isinstance(unknown[0], str) and any(isinstance(c, str) for c in lookup.values()):
            hint = " (the labels are strings but the key is not)"
        raise ValueError(
            f"{param} has key {unknown[0]!r}, which is not a class of y{hint}, and gives no weight to "
            f"{unweighted[0]!r}; keys must be labels of y (classes missing from the dict weigh 1). "
            f"The classes are [{shown}]."
        )
    out = np.ones(len(classes), dtype=np.float64)
    for i, c in enumerate(classes.tolist()):
        hit = given.get(label_key(c))
        if hit is not None:
            out[i] = hit[1]
    return out


def _resolve_labels(enc, spec, param, known=None, skip=None):
    """One weight per class of ``enc`` (in ``enc.classes`` order).

    ``skip`` is the position of a class that weighs 0 and is left out of the
    counts (the padding label of a sequence target).
    """
    counts = enc.counts.astype(np.float64)
    keep = np.ones(len(counts), dtype=bool)
    if skip is not None:
        keep[skip] = False
        if not keep.any():
            raise ValueError("every element of y is the padding label; there is nothing to weigh.")
    if spec is None:
        vec = np.ones(len(counts))
    elif isinstance(spec, WeightForm):
        vec = np.zeros(len(counts))
        vec[keep] = spec.from_counts(counts[keep])
    elif isinstance(spec, Mapping):
        if any(isinstance(v, (Mapping, list, tuple, str, WeightForm)) for v in spec.values()):
            raise ValueError(
                f"{param} maps keys to specs (a per-output form), but this target has a "
                "single label per sample; give {label: weight}."
            )
        ignore = () if skip is None else (label_key(enc.classes[skip]),)
        vec = dict_to_vector(spec, enc.classes, param, known, ignore)
    else:  # a list or tuple
        raise ValueError(
            f"{param} is a list (the per-label or per-output form), but this target has a "
            "single label per sample; give None, 'balanced' or a dict {label: weight}."
        )
    if skip is not None:
        vec[skip] = 0.0
    return vec


def _resolve_multilabel(y, spec, param):
    """One ``{0: w_neg, 1: w_pos}`` per label of a multi-label indicator matrix."""
    n, n_labels = y.shape
    if spec is None:
        return [{0: 1.0, 1: 1.0} for _ in range(n_labels)]
    if isinstance(spec, WeightForm):
        pos = np.count_nonzero(y, axis=0)
        return [_multilabel_form(spec, n - int(p), int(p)) for p in pos]
    if isinstance(spec, Mapping):
        raise ValueError(
            f"{param} is a single dict, but y is a multi-label target with {n_labels} labels; "
            f"give 'balanced' or a list of {n_labels} dicts {{0: w_neg, 1: w_pos}}, one per label."
        )
    if len(spec) != n_labels:
        raise ValueError(
            f"{param} has {len(spec)} entries but y has {n_labels} labels; "
            "give one {0: w_neg, 1: w_pos} dict per label."
        )
    return [multilabel_entry(entry, f"{param}[{j}]") for j, entry in enumerate(spec)]


def _multilabel_form(form, neg, pos):
    """``{0: w_neg, 1: w_pos}`` of one label from a weighting form; a side the
    label lacks weighs 1."""
    sides = [c for c in (neg, pos) if c > 0]
    w = form.from_counts(np.array(sides, dtype=np.float64), n_classes=2)
    if len(sides) == 1:
        return {0: float(w[0]) if neg > 0 else 1.0, 1: float(w[0]) if pos > 0 else 1.0}
    return {0: float(w[0]), 1: float(w[1])}


def multilabel_entry(spec, param):
    """One label's ``{0: w_neg, 1: w_pos}`` (None weighs both sides 1)."""
    if spec is None:
        return {0: 1.0, 1: 1.0}
    if not isinstance(spec, Mapping):
        raise TypeError(f"{param} = {spec!r} must be a dict {{0: w_neg, 1: w_pos}} or None.")
    entry = {0: 1.0, 1: 1.0}
    for key, value in spec.items():
        k = label_key(key)
        if k not in (("n", 0), ("n", 1)):
            raise ValueError(f"{param} has key {key!r}; a multi-label entry accepts keys 0 and 1 only.")
        entry[k[1]] = check_weight_value(key, value, param)
    return entry


def padding_position(enc, padding_label):
    """The position of ``padding_label`` among the classes of ``enc``, or None."""
    if padding_label is None:
        return None
    key = label_key(padding_label)
    for i, c in enumerate(enc.classes.tolist()):
        if label_key(c) == key:
            return i
    return None


def resolve(t, class_weight, padding_label=None, classes=None, param="class_weight"):
    """Resolve ``class_weight`` on a read target.

    Returns ``(canonical, table)``: the canonical structure
    :func:`skweight.class_weights` returns, and what :func:`expand` needs (one
    weight per encoded class, the multi-label entries, or a list of those per
    output).
    """
    spec = as_form(check_param("class_weight", class_weight, shown=param))
    if t.kind == "multioutput":
        return _resolve_outputs(t, spec, classes, param)
    if t.kind == "multilabel":
        canon = _resolve_multilabel(t.y, spec, param)
        return canon, canon
    known = None if classes is None else as_array(classes, "classes")
    skip = padding_position(t.enc, padding_label) if t.kind == "sequence" else None
    vec = _resolve_labels(t.enc, spec, param, known, skip)
    canon = {c: float(w) for c, w in zip(t.enc.classes.tolist(), vec)}
    if t.kind == "sequence" and padding_label is not None and skip is None:
        canon[padding_label] = 0.0
    return canon, vec


def _resolve_outputs(t, spec, classes, param):
    """:func:`resolve` of a multi-output target: one spec per output."""
    n = len(t.parts)
    specs = per_output(spec, t.names, n, param, of="the target", entry=is_spec)
    given = classes if classes is None or isinstance(classes, Mapping) else list(classes)
    known = per_output(given, t.names, n, "classes", of="the target")
    canon, tables = [], []
    for j, (part, entry, cls) in enumerate(zip(t.parts, specs, known)):
        c, tb = resolve(
            part, entry, None, None if cls is None else as_array(cls, "classes"), f"{param}[{t.part_label(j)!r}]"
        )
        canon.append(c)
        tables.append(tb)
    return (dict(zip(t.names, canon)) if t.names is not None else canon), tables


def expand(t, table, dtype):
    """Sample weights of ``t``'s shape from a table made by :func:`resolve` or :func:`table`."""
    if t.kind == "multioutput":
        if t.y is not None:  # a 2-D array of label columns: the product, as scikit-learn does
            out = t.parts[0].enc.gather(table[0], np.float64)
            for part, tb in zip(t.parts[1:], table[1:]):
                out *= part.enc.gather(tb, np.float64)
            return out.astype(dtype, copy=False)
        per = [expand(part, tb, dtype) for part, tb in zip(t.parts, table)]
        return dict(zip(t.names, per)) if t.names is not None else per
    if t.kind == "multilabel":
        w_neg = np.array([w[0] for w in table], dtype=dtype)
        w_pos = np.array([w[1] for w in table], dtype=dtype)
        return np.where(t.y.astype(bool, copy=False), w_pos, w_neg)
    out = t.enc.gather(table, dtype)
    return out.reshape(t.y.shape) if t.kind == "sequence" else out


def table(t, weights, padding_label, param):
    """What :func:`expand` needs, from canonical ``weights`` (as returned by
    :func:`resolve`, possibly resolved on other rows)."""
    if t.kind == "onehot" and isinstance(weights, (list, tuple)):
        t.kind = "multilabel"  # the weights say so; these rows happen to hold one 1 each
    if t.kind == "multioutput":
        if not isinstance(weights, (Mapping, list, tuple)):
            raise ValueError(f"{param} must hold one entry per output, as class_weights returns for this target.")
        specs = per_output(weights, t.names, len(t.parts), param, of="the target")
        missing = [t.part_label(j) for j, spec in enumerate(specs) if spec is None]
        if missing:
            raise ValueError(f"{param} has no entry for output {missing[0]!r}, as class_weights returns for each.")
        return [
            table(part, spec, None, f"{param}[{t.part_label(j)!r}]")
            for j, (part, spec) in enumerate(zip(t.parts, specs))
        ]
    if t.kind == "multilabel":
        if not isinstance(weights, (list, tuple)) or len(weights) != t.y.shape[1]:
            raise ValueError(
                f"{param} must be a list of {t.y.shape[1]} {{0: w_neg, 1: w_pos}} dicts for this multi-label target."
            )
        return [multilabel_entry(spec, f"{param}[{j}]") for j, spec in enumerate(weights)]
    if not isinstance(weights, Mapping):
        raise TypeError(
            f"{param} must be a dict {{label: weight}} for a {t.kind} target; got {type(weights).__name__}."
        )
    keyed = {label_key(k): check_weight_value(k, v, param) for k, v in weights.items()}
    vec = np.array([keyed.get(label_key(c), 1.0) for c in t.enc.classes.tolist()], dtype=np.float64)
    pad = padding_position(t.enc, padding_label)
    if pad is not None:
        vec[pad] = 0.0
    return vec


def apply(y, weights, kind=None, padding_label=None, dtype=np.float64):
    """Canonical ``weights`` expanded over the rows ``y`` (see
    :func:`skweight.apply_class_weights`, its public face)."""
    if kind is None and not is_multi_output_container(y) and isinstance(weights, Mapping):
        if np.ndim(as_array(y)) == 2 and all(isinstance(v, numbers.Real) for v in weights.values()):
            arr = as_array(y)
            if arr.shape[1] > 1 and not is_binary_indicator(arr):
                kind = "sequence"
    t = read(y, kind)
    return expand(t, table(t, weights, padding_label, "weights"), dtype)
