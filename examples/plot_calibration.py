"""
Calibrated probabilities from a weighted model with ``predict_proba_prior``
===========================================================================

Class weights shift a network's probabilities towards the up-weighted classes: trained with
``"balanced"``, a model that has seen 5 % positives predicts about 50 % on average. That is what
makes its 0.5 threshold catch the minority, but its probabilities are no longer frequencies.
``predict_proba_prior`` divides them by the class weights the fit used and renormalises, which brings
them back to the training class frequencies, while ``predict`` and the ranking stay as they were.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.datasets import make_classification
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from skweight import WeightedKerasClassifier

X, y = make_classification(n_samples=3000, weights=[0.85], class_sep=0.5, flip_y=0.02, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)

settings = dict(hidden_layer_sizes=(32,), epochs=20, batch_size=64, optimizer__learning_rate=0.003, random_state=0)
plain = WeightedKerasClassifier(**settings).fit(X_train, y_train)
balanced = WeightedKerasClassifier(class_weight="balanced", **settings).fit(X_train, y_train)
probabilities = {
    "unweighted, predict_proba": plain.predict_proba(X_test)[:, 1],
    "balanced, predict_proba": balanced.predict_proba(X_test)[:, 1],
    "balanced, predict_proba_prior": balanced.predict_proba_prior(X_test)[:, 1],
}
print(f"positives in the test rows: {y_test.mean():.3f}")
for name, p in probabilities.items():
    print(
        f"{name:31s} mean {p.mean():.3f}  log-loss {log_loss(y_test, p):.4f}  "
        f"Brier {brier_score_loss(y_test, p):.4f}  ROC AUC {roc_auc_score(y_test, p):.4f}"
    )

# %%
# The correction is monotone, so the ROC AUC of the two balanced rows is the same, and ``predict``
# is unchanged: it still decides on the weighted probabilities.
assert (balanced.predict(X_test) == (probabilities["balanced, predict_proba"] > 0.5)).all()

# %%
# A reliability diagram
# ---------------------
# Ten bins of equal width along the predicted probability; a calibrated model lies on the diagonal.
# The balanced model's own probabilities lie far below it: where it predicts about 50 %, only about
# one row in ten is positive. The corrected probabilities lie with the unweighted model's (both a
# little under-confident in the middle here: a small network, trained for few epochs). The
# histogram shows the weighted model's mass pushed towards the middle, and the correction moving it
# back.
fig, (curve, hist) = plt.subplots(1, 2, figsize=(11, 4))
curve.plot([0, 1], [0, 1], color="grey", linestyle=":", label="calibrated")
for name, p in probabilities.items():
    true_share, predicted = calibration_curve(y_test, p, n_bins=10)
    curve.plot(predicted, true_share, marker="o", label=name)
    hist.hist(p, bins=np.linspace(0, 1, 26), histtype="step", linewidth=1.5, label=name)
curve.set_xlabel("mean predicted probability in the bin")
curve.set_ylabel("share of positives in the bin")
curve.legend(fontsize=8, loc="upper left")
hist.set_yscale("log")
hist.set_xlabel("predicted probability of the positive class")
hist.set_ylabel("test rows")
fig.tight_layout()
plt.show()
