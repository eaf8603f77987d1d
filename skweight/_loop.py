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

from dataclasses import dataclass, field

from ._backend import released_with, seeded

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
    them (``validation_batch_size``, ``validation_freq``, ...).
    """

    epochs: int
    initial_epoch: int = 0
    batch_size: int | None = None
    shuffle: bool = True
    verbose: int = 0
    callbacks: list = field(default_factory=list)
    seed: int | None = None
    fit_args: dict = field(default_factory=dict)


def train(model, data, plan):
    """Train ``model`` on ``data`` as ``plan`` says; returns the ``History``.

    Runs under ``plan.seed`` (Python's, NumPy's and the backend's random state
    restored afterwards) and releases TensorFlow's per-fit gradient functions
    with the model (see :func:`skweight._backend.released_with`).
    """
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
