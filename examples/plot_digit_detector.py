"""
An "8 or not 8" image detector, fold by fold
=============================================

A detector answers one question about each image: is the thing there or not? Here the images are
scikit-learn's 8x8 handwritten digits and the question is "is this an 8?". Only about one image in
ten is an 8, so a network trained without weights can do well on the accuracy it minimises by
saying "not 8" too often. ``class_weight="balanced"`` makes a missed 8 cost as much, in total, as
all the other mistakes together.

The weights are computed inside every ``fit``, from that fit's training rows only, so in
cross-validation each fold gets its own weights and no test image leaks into them.
"""

# %%
# The images and the question
# ---------------------------
# Each image is 64 pixel intensities from 0 to 16. The default network standardises its inputs
# itself, so the pixels go in as they are.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, cross_validate

from skweight import WeightedKerasClassifier, class_weights

digits = load_digits()
X = digits.data.astype("float32")
y = (digits.target == 8).astype(int)  # 1: an 8
print(f"{len(y)} images, {y.sum()} of them 8s ({y.mean():.1%})")
print("balanced weights on all rows:", class_weights(y, "balanced"))

# %%
# Three folds, with and without weights
# -------------------------------------
# The same folds for both settings. ``return_estimator`` keeps each fold's fitted classifier, so
# we can read the weights it used, and ``return_indices`` its test rows. A small network and a fixed
# number of epochs keep the example quick.
cv = StratifiedKFold(3, shuffle=True, random_state=0)
scoring = ["recall", "precision", "balanced_accuracy"]
results = {}
for name, weight in [("None", None), ('"balanced"', "balanced")]:
    clf = WeightedKerasClassifier(
        class_weight=weight,
        hidden_layer_sizes=(32,),
        epochs=10,
        batch_size=64,
        optimizer__learning_rate=0.003,
        random_state=0,
    )
    results[name] = cross_validate(clf, X, y, cv=cv, scoring=scoring, return_estimator=True, return_indices=True)

for fold, est in enumerate(results['"balanced"']["estimator"]):
    print(f"fold {fold}: class_weight_ = {{0: {est.class_weight_[0]:.3f}, 1: {est.class_weight_[1]:.3f}}}")

# %%
# Recall and precision of the 8s, fold by fold
# --------------------------------------------
# Weighting moves the detector along the recall-precision trade-off: in every fold it finds more
# of the 8s, and pays for it with some false alarms.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True)
folds = np.arange(cv.get_n_splits())
for ax, metric in zip(axes, scoring):
    for offset, (name, res) in zip([-0.2, 0.2], results.items()):
        ax.bar(folds + offset, res[f"test_{metric}"], width=0.4, label=f"class_weight={name}")
    ax.set_title(metric.replace("_", " "))
    ax.set_xticks(folds, [f"fold {f}" for f in folds])
    ax.set_ylim(0, 1.05)
axes[0].set_ylabel("score on the fold's test images")
fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2, frameon=False)
fig.tight_layout(rect=(0, 0, 1, 0.9))

# %%
# The 8s that only the weighted detector found
# --------------------------------------------
# Each fold's two classifiers saw the same training images; these are test images of 8s that the
# unweighted one called "not 8" and the weighted one caught.
found = []
for fold in folds:
    test = results["None"]["indices"]["test"][fold]
    plain = results["None"]["estimator"][fold].predict(X[test])
    weighted = results['"balanced"']["estimator"][fold].predict(X[test])
    found.extend(test[(y[test] == 1) & (plain == 0) & (weighted == 1)])
print(f"8s missed without weights but found with them: {len(found)}")

shown = found[:8]
fig, axes = plt.subplots(1, max(len(shown), 1), figsize=(1.4 * max(len(shown), 1), 1.8), squeeze=False)
for ax, row in zip(axes[0], shown):
    ax.imshow(digits.images[row], cmap="gray_r")
for ax in axes[0]:
    ax.set_axis_off()
fig.suptitle("8s found only with class_weight='balanced'", fontsize=10)
fig.tight_layout()
plt.show()
