"""``metrics`` for a model with one output per part of a dict/list ``y``.

Keras 3 takes the metrics of a multi-output model per output: a dict keyed by
output name or a list in output order.  :func:`per_output_metrics` turns the
flat list that scikit-learn users write (``metrics=["accuracy"]``) into that
form, for the classification outputs only.
"""

from collections.abc import Mapping

from ._backend import keras
from .compose import _copy_metric
from .outputs import REGRESSION, join_outputs, split_outputs

__all__ = ["per_output_metrics"]

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
    >>> from skweight.metrics import per_output_metrics
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
    return _copy(metrics)


def _is_group(m):
    return m is None or isinstance(m, (list, tuple, Mapping))


def _for_kind(metric, kind):
    if kind in _PER_LABEL and isinstance(metric, str) and metric.lower() in ("accuracy", "acc"):
        return keras.metrics.BinaryAccuracy(name=metric)
    return _copy(metric)


def _copy(metric):
    if isinstance(metric, Mapping):
        return {k: _copy(v) for k, v in metric.items()}
    if isinstance(metric, (list, tuple)):
        return [_copy(m) for m in metric]
    return _copy_metric(metric)  # a metric object: a fresh one of its class (strings/functions as they are)
