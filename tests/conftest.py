import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest


@pytest.fixture
def imbalanced_binary():
    """600 rows, 10 features, about 10 % positives; fixed seed."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=600, n_features=10, n_informative=5, weights=[0.9], class_sep=0.8, random_state=0
    )
    return X.astype(np.float32), y


@pytest.fixture
def imbalanced_multiclass():
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=600,
        n_features=10,
        n_informative=6,
        n_classes=3,
        weights=[0.75, 0.2, 0.05],
        class_sep=1.0,
        random_state=1,
    )
    return X.astype(np.float32), y


@pytest.fixture
def train_spy(monkeypatch):
    """Records every training call of a fit (step 8, ``skweight._loop.train``,
    whichever loop then runs): a list of ``(TrainData, TrainPlan, History)``."""
    from skweight import _fit

    calls = []
    original = _fit.train

    def spy(model, data, plan):
        history = original(model, data, plan)
        calls.append((data, plan, history))
        return history

    monkeypatch.setattr(_fit, "train", spy)
    return calls
