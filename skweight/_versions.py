"""``skweight.show_versions()``: what a bug report needs to know about the
installation (importing this module imports nothing heavy; Keras is imported
only when :func:`show_versions` runs)."""

import platform
import sys
from importlib import metadata

__all__ = ["__version__", "show_versions"]

#: skweight's version (also ``skweight.__version__``).
__version__ = "0.3.0"

# distribution names to report, in order (the first installed of each group)
_PACKAGES = {
    "numpy": ("numpy",),
    "scikit-learn": ("scikit-learn",),
    "scikeras": ("scikeras",),
    "keras": ("keras",),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "jax": ("jax",),
    "torch": ("torch",),
}


def _installed(names):
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _backend_report():
    """``(backend name, {private feature: used})``, or the one-line reason Keras
    does not import (then the private features are unknown: None)."""
    try:
        from . import _backend
    except ImportError as exc:  # BackendNotInstalledError included
        return f"not importable: {exc}", None
    return _backend.backend_name(), _backend.private_features()


def show_versions(*, as_dict=False):
    """Print (or return) the versions of Python, skweight and the libraries it
    runs on, the Keras backend, and which private Keras/TensorFlow features
    skweight uses here: paste its output into a bug report.

    Each private feature is either used (True) or replaced by its public
    fallback (False); the README's "Supported versions" section says what
    each fallback costs.

    Parameters
    ----------
    as_dict : bool, default False
        Return the report as a dict instead of printing it.

    Returns
    -------
    None or dict
        With ``as_dict=True``: ``{"python", "platform", "skweight", "numpy",
        "scikit-learn", "scikeras", "keras", "keras_backend", "tensorflow",
        "jax", "torch", "private_features"}``; a package that is not
        installed is None, and ``private_features`` maps each feature to True
        (used) or False (public fallback active), or is None when Keras does
        not import.

    Examples
    --------
    >>> import skweight
    >>> info = skweight.show_versions(as_dict=True)
    >>> info["skweight"] == skweight.__version__, sorted(info["private_features"])[:2]
    (True, ['keras_global_state', 'keras_python_random'])
    """
    backend, features = _backend_report()
    report = {
        "python": sys.version.replace("\n", " "),
        "platform": platform.platform(),
        "skweight": __version__,
        **{label: _installed(names) for label, names in _PACKAGES.items()},
        "keras_backend": backend,
        "private_features": features,
    }
    if as_dict:
        return report
    for key, value in report.items():
        if key != "private_features":
            print(f"{key:>14}: {'not installed' if value is None else value}")
    print("private Keras/TensorFlow features (used, or the public fallback is active):")
    for name, used in (features or {}).items():
        print(f"{name:>22}: {'used' if used else 'public fallback'}")
    return None
