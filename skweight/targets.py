"""Encoding of every supported target kind to what a Keras model trains on, and
of model outputs back to labels and probabilities (NumPy only)."""

import numpy as np

from .weights import KINDS, _encode, target_kind

__all__ = ["TargetEncoder"]


class TargetEncoder:
    """Fit on the user's ``y``; ``transform`` gives Keras targets;
    ``inverse_transform`` turns model outputs into labels or probabilities.

    Parameters
    ----------
    kind : str
        ``"auto"`` or one of :data:`skweight.KINDS`.
    classes : array-like, optional
        All classes (``partial_fit``'s ``classes``); by default those of ``y``.
    one_hot : bool
        Encode multiclass labels one-hot (for a categorical cross-entropy loss).
    x_shape : tuple, optional
        Shape of ``X``; a 2-D ``y`` whose width matches ``X.shape[1]`` of a 3-D
        ``X`` is read as a sequence target when ``kind="auto"`` (also when its
        labels are 0/1).
    """

    def __init__(self, kind="auto", classes=None, one_hot=False, x_shape=None):
        self.kind = kind
        self.classes = classes
        self.one_hot = one_hot
        self.x_shape = x_shape

    # ------------------------------------------------------------------ fit
    def _detect(self, y):
        if self.kind != "auto":
            return target_kind(y, self.kind)
        kind = target_kind(y)
        # one label per timestep of a 3-D X: a sequence, whatever the labels
        # (0/1 tags would otherwise read as a multi-label or one-hot target)
        if (
            kind in ("multioutput", "multilabel", "onehot")
            and self.x_shape is not None
            and len(self.x_shape) == 3
            and y.shape[1] == self.x_shape[1]
        ):
            return "sequence"
        if kind in ("binary", "multiclass") and self.classes is not None:
            kind = "binary" if len(self.classes) <= 2 else "multiclass"
        return kind

    def fit(self, y):
        if self.kind not in ("auto",) + KINDS:
            raise ValueError(f"target_kind={self.kind!r} is not accepted; give 'auto' or one of {', '.join(KINDS)}.")
        kind = self._detect(y)
        self.kind_ = kind
        self.y_shape_ = y.shape
        if kind in ("binary", "multiclass", "sequence"):
            # integer labels: the engine's np.bincount pass (no hash, no sort);
            # other labels (strings, floats, objects): np.unique; sorted either way
            flat = np.ravel(y)
            seen = _encode(flat).classes if flat.dtype.kind in "iub" else np.unique(flat)
            if self.classes is not None:
                classes = np.asarray(self.classes)
                missing = np.setdiff1d(seen, classes)
                if missing.size:
                    raise ValueError(f"y holds label {missing[0]!r}, which is not in classes={classes.tolist()!r}.")
                self.classes_ = np.unique(classes)
            else:
                self.classes_ = seen
            self.n_classes_ = len(self.classes_)
            self.n_outputs_expected_ = 1
        elif kind == "ordinal":
            self.classes_ = np.arange(y.shape[1] + 1)
            self.n_classes_ = y.shape[1] + 1
            self.n_outputs_expected_ = 1
        elif kind in ("onehot", "multilabel"):
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            self.n_outputs_expected_ = 1
        else:  # multioutput: one label column per output
            self.classes_ = [np.unique(y[:, j]) for j in range(y.shape[1])]
            self.n_classes_ = [len(c) for c in self.classes_]
            self.n_outputs_expected_ = y.shape[1]
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self

    def get_metadata(self):
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
            "target_kind_": self.kind_,
        }

    # ------------------------------------------------------------ transform
    def _codes(self, y, classes, where="y"):
        codes = np.searchsorted(classes, y)
        codes = np.minimum(codes, len(classes) - 1)
        bad = classes[codes] != y
        if np.any(bad):
            label = np.asarray(y)[bad].ravel()[0]
            raise ValueError(
                f"{where} holds label {label.item() if isinstance(label, np.generic) else label!r}, unseen in fit; "
                f"known classes are {classes.tolist()!r}."
            )
        return codes

    def transform(self, y):
        kind = self.kind_
        if kind == "binary":
            return self._codes(y.ravel(), self.classes_).astype(np.float32)
        if kind == "multiclass":
            codes = self._codes(y.ravel(), self.classes_)
            if self.one_hot:
                return np.eye(self.n_classes_, dtype=np.float32)[codes]
            return codes.astype(np.int32)
        if kind == "sequence":
            return self._codes(y, self.classes_).astype(np.int32)
        if kind in ("onehot", "multilabel", "ordinal"):
            return np.asarray(y, dtype=np.float32)
        return [self._codes(y[:, j], c, f"y[:, {j}]").astype(np.int32) for j, c in enumerate(self.classes_)]

    # ---------------------------------------------------- inverse transform
    def probabilities(self, raw):
        """Model outputs as probabilities in scikit-learn's layout."""
        kind = self.kind_
        if kind == "multioutput":
            return [_sum_to_one(np.asarray(r, dtype=np.float64).reshape(len(r), -1)) for r in raw]
        raw = np.asarray(raw, dtype=np.float64)
        if kind == "binary":
            p = raw.reshape(len(raw), -1)
            if p.shape[1] == 1:
                p = p[:, 0]
                return np.column_stack([1.0 - p, p])
            return _sum_to_one(p)
        if kind == "sequence":
            return _sum_to_one(raw)
        if kind in ("multiclass", "onehot"):
            return _sum_to_one(raw.reshape(len(raw), -1))
        return raw.reshape(len(raw), -1)

    def labels(self, proba):
        """Labels from probabilities in scikit-learn's layout."""
        kind = self.kind_
        if kind in ("binary", "multiclass"):
            return self.classes_[np.argmax(proba, axis=1)]
        if kind == "sequence":
            return self.classes_[np.argmax(proba, axis=-1)]
        if kind == "onehot":
            out = np.zeros(proba.shape, dtype=int)
            out[np.arange(len(proba)), np.argmax(proba, axis=1)] = 1
            return out
        if kind == "multilabel":
            return (proba > 0.5).astype(int)
        if kind == "ordinal":
            # the level is the number of leading thresholds passed: a valid thermometer code
            passed = np.cumprod(proba > 0.5, axis=1)
            return passed.astype(int)
        return np.column_stack([c[np.argmax(p, axis=1)] for c, p in zip(self.classes_, proba)])

    def inverse_transform(self, raw, return_proba=False):
        proba = self.probabilities(raw)
        return proba if return_proba else self.labels(proba)


def _sum_to_one(p):
    """Rows of a float32 softmax, summed in float64, are off 1 by up to ~1e-7,
    which scikit-learn's ``log_loss`` warns about; rescale such rows exactly.
    Outputs that are not probabilities (rows far from summing to 1, e.g.
    logits of a custom model) are left as they are.  Argmax is unchanged."""
    if p.size == 0:
        return p
    total = p.sum(axis=-1, keepdims=True)
    if np.all(p >= 0) and np.all(np.abs(total - 1.0) < 1e-4):
        return p / total
    return p
