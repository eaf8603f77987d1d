"""``metrics`` and their weighted twins: fresh copies of metric objects for
``weighted_metrics``, and the per-output form Keras takes for a model with one
output per part of a dict/list ``y``.

Keras 3 takes the metrics of a multi-output model per output: a dict keyed by
output name or a list in output order.  :func:`per_output_metrics` turns the
flat list that scikit-learn users write (``metrics=["accuracy"]``) into that
form, for the classification outputs only.
"""

import inspect
import warnings
from collections.abc import Mapping

from ._backend import keras
from ._outputs import REGRESSION, join_outputs, split_outputs

__all__ = ["copy_metrics", "per_output_metrics"]

# outputs with one sigmoid per label or threshold: "accuracy" is the share of
# labels right (Keras would pick categorical accuracy for a head wider than 1)
_PER_LABEL = ("multilabel", "ordinal")


def per_output_metrics(metrics, kinds):
    """The metrics of each output of a per-output target, in the form Keras takes.

    Parameters
    ----------
    metrics : list, dict or None
        A flat list of metrics (names or ``keras.metrics.Metric`` objects)
        applies to every classification output; regression outputs get none
        (give them their own with a dict keyed by output name, or a list with
        one list of metrics, or None, per output).  A dict or a list of lists
        is kept as given.  ``"accuracy"`` on a multi-label or ordinal output
        is binary accuracy, the share of labels (thresholds) right.
    kinds : dict or list
        ``target_kind_`` of the fit: the kind of each output, keyed like ``y``.

    Returns
    -------
    dict or list
        Keyed like ``kinds`` (a dict by output name, a list in output order),
        with new metric objects: a ``Metric`` object in ``metrics`` is copied
        for each output, so that no two outputs (and not ``metrics`` and
        ``weighted_metrics``) share its state.

    Examples
    --------
    >>> from skweight._metrics import per_output_metrics
    >>> out = per_output_metrics(["accuracy"], {"risk": "binary", "price": "regression"})
    >>> out
    {'risk': ['accuracy'], 'price': None}
    """
    if metrics is None:
        return None
    names, kind_list = split_outputs(kinds)
    if isinstance(metrics, (list, tuple)) and not any(_is_group(m) for m in metrics):
        parts = [None if k == REGRESSION else [_for_kind(m, k) for m in metrics] for k in kind_list]
        return join_outputs(names, parts)
    return copy_metrics(metrics, keep_none=True)


def _is_group(m):
    return m is None or isinstance(m, (list, tuple, Mapping))


def _for_kind(metric, kind):
    if kind in _PER_LABEL and isinstance(metric, str) and metric.lower() in ("accuracy", "acc"):
        return keras.metrics.BinaryAccuracy(name=metric)
    return copy_metrics(metric, keep_none=True)


def copy_metrics(metrics, keep_none=False):
    """Fresh copies of ``metrics`` (one metric, a list, or a dict or list per
    output) for ``weighted_metrics``: metric objects hold state, so the
    weighted and the plain metric cannot share one.  Strings and functions are
    kept as they are.  A metric that cannot be copied (and a None) is left out
    of a list or dict, unless ``keep_none`` (where None marks an output with no
    metrics).

    Examples
    --------
    >>> import keras
    >>> from skweight._metrics import copy_metrics
    >>> auc = keras.metrics.AUC(num_thresholds=50)
    >>> twin, name = copy_metrics([auc, "accuracy"])
    >>> twin is not auc, twin.num_thresholds, name
    (True, 50, 'accuracy')
    """
    if not isinstance(metrics, (list, tuple, Mapping)):
        return _copy_metric(metrics)
    items = metrics.items() if isinstance(metrics, Mapping) else enumerate(metrics)
    copied = [(k, copy_metrics(m, keep_none)) for k, m in items]
    copied = [(k, c) for k, c in copied if keep_none or c is not None]
    return dict(copied) if isinstance(metrics, Mapping) else [c for _, c in copied]


def _copy_metric(m):
    """A new metric of ``m``'s class and configuration: from ``get_config``
    (what Keras itself does), else by calling the class with the ``__init__``
    arguments that ``m`` keeps as attributes of the same name (a custom metric
    whose ``get_config`` does not list them).  Pickling is not used: it needs
    the class registered for Keras serialization.  A metric that cannot be
    copied gets no weighted twin (a warning says so)."""
    if not isinstance(m, keras.metrics.Metric):
        return m
    try:
        return type(m).from_config(m.get_config())
    except (TypeError, ValueError, KeyError, AttributeError):
        pass
    params = inspect.signature(type(m).__init__).parameters
    kwargs = {
        p.name: getattr(m, p.name)
        for p in list(params.values())[1:]
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and hasattr(m, p.name)
    }
    try:
        return type(m)(**kwargs)
    except (TypeError, ValueError):
        warnings.warn(
            f"metrics: cannot make a second {type(m).__name__} for weighted_metrics (neither from its get_config nor "
            "from its attributes); it is reported unweighted only. Give it a get_config listing its __init__ "
            "arguments, or pass the metric class with routed parameters (metrics__0__...).",
            UserWarning,
            stacklevel=2,
        )
        return None
