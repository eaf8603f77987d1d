"""How skweight words its errors: values cut short, the output or argument an
error concerns put in front of its message, and the one error class of its own
(a leaf module: it imports nothing of skweight, nor Keras)."""

from contextlib import contextmanager

__all__ = ["BackendNotInstalledError", "prefixed", "prefixed_error", "short"]


class BackendNotInstalledError(ImportError):
    """Keras is installed but the backend it is set to run on is not.

    Raised on the first import of the estimator (``skweight.WeightedKerasClassifier``);
    the NumPy-only weight engine (``skweight.class_weights``, ``skweight.sample_weights``)
    works without any backend.
    """


def short(value, limit=80):
    """``repr(value)``, cut to ``limit`` characters for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def prefixed_error(prefix, exc):
    """A new error of ``exc``'s type whose message is ``"{prefix}: {exc}"``
    (a ``ValueError`` or ``TypeError`` where that type cannot be built from a
    message alone)."""
    message = f"{prefix}: {exc}"
    try:
        return type(exc)(message)
    except Exception:  # an error type whose constructor wants more than a message
        return (TypeError if isinstance(exc, TypeError) else ValueError)(message)


@contextmanager
def prefixed(prefix):
    """A ``ValueError`` or ``TypeError`` raised in the block is raised again
    with ``prefix`` (the output or argument it concerns) in front of its message.

    Examples
    --------
    >>> from skweight._errors import prefixed
    >>> try:
    ...     with prefixed("y['risk']"):
    ...         raise ValueError("y is empty")
    ... except ValueError as exc:
    ...     print(exc)
    y['risk']: y is empty
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise prefixed_error(prefix, exc) from None
