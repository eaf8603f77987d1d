"""The training itself: :func:`train`, the one place where a fit's model is
trained (step 8 of :func:`skweight._fit.fit`).

Everything a fit decided before it (the rows, the weights, the validation
data, the epochs, early stopping, the batch size, the seed) arrives here as
two plain objects, :class:`TrainData` and :class:`TrainPlan`; :func:`train`
returns Keras's ``History``.  Today it is one ``keras.Model.fit`` call.  A
training loop of skweight's own replaces the body of :func:`train` (and keeps
``Model.fit`` as its fallback): the contract is what Keras's ``fit`` gives, a
history entry per epoch, callbacks at epoch boundaries (``EarlyStopping``
restoring the best weights), seeded results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._backend import keras, released_with, seeded

__all__ = ["TrainData", "TrainPlan", "train"]


@dataclass
class TrainData:
    """The rows one fit trains on, in the structure the model declares.

    ``x``: the features (an array, or the list or dict of arrays a feature
    encoder gives a multi-input model); ``y``: the encoded targets (an array,
    or a list in the model's output order); ``sample_weight``: Keras sample
    weights in the structure of ``y`` (None when nothing weighs the rows);
    ``validation``: ``(x_val, y_val, w_val)`` in the same structures, or None.
    """

    x: object
    y: object
    sample_weight: object = None
    validation: tuple | None = None


@dataclass
class TrainPlan:
    """How one fit trains.

    ``epochs`` is the epoch to stop at (Keras's ``epochs``: the fit's
    ``initial_epoch`` plus the epochs it trains); ``callbacks`` are the
    user's followed by the ones skweight adds (early stopping); ``seed``
    (None: unseeded) seeds the block as :func:`skweight._backend.seeded`
    does; ``fit_args`` are the other arguments of ``keras.Model.fit``, routed
    from the estimator's parameters and ``fit``'s keywords as SciKeras routes
    them (``validation_batch_size``, ``validation_freq``, ...); ``order``
    is the *epoch order provider*, ``order(epoch) -> row indices`` (the rows
    an epoch visits, in order; its length may differ from the row count and
    is the same every epoch), or None for Keras's own (shuffled) order.
    """

    epochs: int
    initial_epoch: int = 0
    batch_size: int | None = None
    shuffle: bool = True
    verbose: int = 0
    callbacks: list = field(default_factory=list)
    seed: int | None = None
    fit_args: dict = field(default_factory=dict)
    order: object = None


def train(model, data, plan):
    """Train ``model`` on ``data`` as ``plan`` says; returns the ``History``.

    Runs under ``plan.seed`` (Python's, NumPy's and the backend's random state
    restored afterwards) and releases TensorFlow's per-fit gradient functions
    with the model (see :func:`skweight._backend.released_with`).
    """
    if plan.order is not None:
        return _train_in_order(model, data, plan)
    with seeded(plan.seed), released_with(model):
        return model.fit(
            x=data.x,
            y=data.y,
            sample_weight=data.sample_weight,
            validation_data=data.validation,
            epochs=plan.epochs,
            initial_epoch=plan.initial_epoch,
            batch_size=plan.batch_size,
            shuffle=plan.shuffle,
            verbose=plan.verbose,
            callbacks=plan.callbacks,
            **plan.fit_args,
        )


def _train_in_order(model, data, plan):
    """``Model.fit`` on the batches of ``plan.order`` (see :class:`OrderedBatches`)."""
    batches = OrderedBatches(data.x, data.y, data.sample_weight, plan.order, plan.batch_size or 32, plan.initial_epoch)
    args = {k: v for k, v in plan.fit_args.items() if k not in ("batch_size", "shuffle")}
    with seeded(plan.seed), released_with(model):
        return model.fit(
            batches,
            validation_data=data.validation,
            epochs=plan.epochs,
            initial_epoch=plan.initial_epoch,
            shuffle=False,  # the order is the provider's (Keras 3.15 would shuffle a PyDataset's batches)
            verbose=plan.verbose,
            callbacks=list(plan.callbacks) + [batches.epoch_callback()],
            **args,
        )


class OrderedBatches(keras.utils.PyDataset):
    """The batches of an epoch order provider, for ``Model.fit``: ``len()`` is
    the steps per epoch; batch ``i`` of an epoch holds the rows
    ``order(epoch)[i * batch_size:(i + 1) * batch_size]`` of ``x``, ``y`` and
    ``sample_weight``.  The epoch is set by the callback of
    :meth:`epoch_callback`, and each epoch's order is drawn once."""

    def __init__(self, x, y, sample_weight, order, batch_size, initial_epoch=0):
        super().__init__()
        self._data = tuple(v for v in (x, y, sample_weight) if v is not None)
        self._order = order
        self._batch_size = int(batch_size)
        self._drawn = (None, None)
        self.epoch = int(initial_epoch)

    def __len__(self):
        return math.ceil(len(self._order) / self._batch_size)

    def rows(self, epoch):
        """The rows of ``epoch`` (drawn once per epoch)."""
        if self._drawn[0] != epoch:
            self._drawn = (epoch, np.asarray(self._order(epoch)))
        return self._drawn[1]

    def __getitem__(self, index):
        rows = self.rows(self.epoch)[index * self._batch_size : (index + 1) * self._batch_size]
        return keras.tree.map_structure(lambda a: np.asarray(a)[rows], self._data)

    def epoch_callback(self):
        """A callback that tells this dataset which epoch ``Model.fit`` is in."""
        dataset = self

        class _SetEpoch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                dataset.epoch = epoch

        return _SetEpoch()
