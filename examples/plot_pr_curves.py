"""
Precision-recall curves with and without class weights
======================================================

How much do class weights change what a classifier knows, and how much only where it decides?
On a 1:19 problem we train the same network with ``class_weight=None`` and with ``"balanced"``
and draw both precision-recall curves, with the point where each model's ``predict`` operates (the
0.5 threshold on its own ``predict_proba``).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, precision_recall_curve, precision_score, recall_score
from sklearn.model_selection import train_test_split

from skweight import WeightedKerasClassifier

X, y = make_classification(
    n_samples=3000, n_features=20, n_informative=6, weights=[0.95], class_sep=0.9, flip_y=0.02, random_state=1
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
print(f"{y_train.sum()} positives among {len(y_train)} training rows")

# %%
# Two models, the same network
# ----------------------------
fig, ax = plt.subplots(figsize=(6, 4.5))
for name, weight, colour in [("None", None, "tab:blue"), ('"balanced"', "balanced", "tab:orange")]:
    clf = WeightedKerasClassifier(
        class_weight=weight, hidden_layer_sizes=(32,), epochs=20, batch_size=64, random_state=0
    ).fit(X_train, y_train)
    proba = clf.predict_proba(X_test)[:, 1]
    precision, recall, _ = precision_recall_curve(y_test, proba)
    ap = average_precision_score(y_test, proba)
    ax.plot(recall, precision, color=colour, label=f"class_weight={name} (AP {ap:.3f})")
    pred = clf.predict(X_test)
    ax.scatter(recall_score(y_test, pred), precision_score(y_test, pred), color=colour, s=60, zorder=3, edgecolor="k")
    print(
        f"{name}: recall {recall_score(y_test, pred):.3f}, precision {precision_score(y_test, pred):.3f}, AP {ap:.3f}"
    )
ax.set_xlabel("recall")
ax.set_ylabel("precision")
ax.set_title("dots: where predict() operates")
ax.legend(loc="upper right", fontsize=8)
fig.tight_layout()

# %%
# The two curves lie close together: the weights do not give the network much that it did not know.
# What they change is where ``predict`` sits on the curve: far to the right, at a higher recall and a
# lower precision. If precision matters more, keep the weights and move the threshold (scikit-learn's
# ``TunedThresholdClassifierCV``), or use ``predict_proba_prior`` for probabilities (see the calibration
# example).
plt.show()
