"""The module names of skweight 0.2 that 0.3 renamed, kept for one release as
aliases that warn when imported (a leaf module)."""

import warnings

__all__ = ["MOVED", "warn_moved"]

#: old module -> where its public names live now
MOVED = {
    "skweight.blocks": "skweight.dask",
    "skweight.outputs": "skweight.model_selection",
    "skweight.plan": "skweight._plan (internal)",
    "skweight.targets": "skweight._targets (internal)",
    "skweight.compose": "skweight._compose (internal)",
    "skweight.splits": "skweight._splits (internal)",
    "skweight.metrics": "skweight._metrics (internal)",
    "skweight.model": "skweight._model (internal)",
}


def warn_moved(old):
    """The ``DeprecationWarning`` of importing the alias ``old``, pointed at
    the import statement that imported it (``warnings`` skips the frames of
    the import machinery: 1 is this function, 2 the alias module, 3 the import)."""
    new = MOVED[old]
    hint = "" if "internal" not in new else "; it is not part of the public API (see the README for what is)"
    warnings.warn(
        f"{old} is deprecated since skweight 0.3 and will be removed in 0.4: import from {new} instead{hint}.",
        DeprecationWarning,
        stacklevel=3,
    )
