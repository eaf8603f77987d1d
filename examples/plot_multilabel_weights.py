"""
Multi-label targets with a positive and a negative weight per label
===================================================================

A multi-label target has one 0/1 column per label, and each row may have any number of labels.
Each label has its own imbalance, so it needs its own pair of weights: one for the rows where it is
present (1) and one for the rows where it is absent (0). The sample weights are then a matrix of the
target's shape, ``(n, labels)``, and the loss has to keep the label axis to use them: skweight's
default network uses :class:`skweight.losses.ElementwiseBinaryCrossentropy` for that.
"""

# %%
# Four labels, from common to rare
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import precision_score, recall_score

from skweight import WeightedKerasClassifier, class_weights, sample_weights

rng = np.random.default_rng(0)
n = 1600
X = rng.normal(size=(n, 8)).astype("float32")
score = X[:, :4] + 0.7 * X[:, 4:] + 0.3 * rng.normal(size=(n, 4))
cuts = [np.quantile(score[:, j], q) for j, q in enumerate([0.5, 0.8, 0.92, 0.97])]  # 50, 20, 8 and 3 %
Y = (score > cuts).astype(int)
labels = ["common", "frequent", "uncommon", "rare"]
print("share of rows with each label:", dict(zip(labels, Y.mean(axis=0).round(3).tolist())))

# %%
# ``"balanced"`` gives each label ``n / (2 * count)`` for its 1s and for its 0s. A list gives the
# pairs yourself, label by label (``None`` leaves a label unweighted, and a missing 0 or 1 weighs 1).
print("balanced:", [{k: round(w, 2) for k, w in pair.items()} for pair in class_weights(Y, "balanced")])
custom = [None, {1: 2.0}, {1: 5.0}, {0: 0.8, 1: 12.0}]
print("the distinct rows of the custom sample weights:\n", np.unique(sample_weights(Y, custom), axis=0))

# %%
# Three weightings of the same network
# ------------------------------------
train, test = slice(0, 1100), slice(1100, None)
specs = {"None": None, '"balanced"': "balanced", "custom list": custom}
scores = {}
for name, spec in specs.items():
    clf = WeightedKerasClassifier(
        class_weight=spec,
        hidden_layer_sizes=(32,),
        epochs=20,
        batch_size=64,
        optimizer__learning_rate=0.01,
        random_state=0,
    ).fit(X[train], Y[train])
    pred = clf.predict(X[test])
    scores[name] = (
        recall_score(Y[test], pred, average=None, zero_division=0),
        precision_score(Y[test], pred, average=None, zero_division=0),
    )
print(clf.target_kind_, type(clf.model_.loss).__name__)

# %%
# Recall and precision per label
# ------------------------------
# Without weights the rare labels are mostly predicted absent. Both weightings raise the rare
# labels' recall; the custom list leaves the common label alone and pushes hardest on the rarest.
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
width = 0.27
for i, (name, (rec, prec)) in enumerate(scores.items()):
    offset = (i - 1) * width
    axes[0].bar(np.arange(4) + offset, rec, width=width, label=name)
    axes[1].bar(np.arange(4) + offset, prec, width=width, label=name)
for ax, title in zip(axes, ["recall", "precision"]):
    ax.set_xticks(range(4), [f"{lab}\n({share:.0%})" for lab, share in zip(labels, Y.mean(axis=0))])
    ax.set_title(f"{title} per label, test rows")
fig.legend(*axes[0].get_legend_handles_labels(), title="class_weight", loc="upper center", ncol=3, frameon=False)
fig.tight_layout(rect=(0, 0, 1, 0.84))
plt.show()
