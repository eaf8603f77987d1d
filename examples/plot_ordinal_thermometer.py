"""
Ordinal levels as a 4-threshold thermometer
===========================================

Ordered levels (none < mild < moderate < severe < critical) are often trained as a *thermometer*:
one sigmoid per threshold, answering "is the level above k?", and the target row of level 3 is
``[1, 1, 1, 0]``. The thresholds share the network, and the row sum of the answers is the level.

When the top levels are rare, weighting the four bits on their own would be wrong: the bit
"above 0" is 1 for most rows even when "critical" is rare. With ``target_kind="ordinal"``,
``class_weight="balanced"`` balances the **levels** (the row sums), one weight per row.
"""

# %%
# Five levels from a latent severity
# ----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix, recall_score

from skweight import WeightedKerasClassifier, class_weights

rng = np.random.default_rng(0)
n = 1500
X = rng.normal(size=(n, 6)).astype("float32")
signal = X[:, 0] + 0.6 * X[:, 1] - 0.4 * X[:, 2]  # what the features can tell
severity = signal + 0.4 * rng.normal(size=n)
cuts = np.quantile(severity, [0.45, 0.75, 0.90, 0.97])  # 45 %, 30 %, 15 %, 7 %, 3 %
level = np.digitize(severity, cuts)  # 0..4
T = (np.arange(4) < level[:, None]).astype(int)  # thermometer codes, 4 thresholds
names = ["none", "mild", "moderate", "severe", "critical"]
print("rows per level:", dict(zip(names, np.bincount(level).tolist())))
print("level 3 is coded", T[level == 3][0])

# %%
# The weights are those of the levels, not of the bits: the same as for the integer levels.
weights = class_weights(T, "balanced", kind="ordinal")
print({names[k]: round(w, 2) for k, w in weights.items()})
print("same as for the integer levels:", weights == class_weights(level, "balanced"))

# %%
# Train with and without weights
# ------------------------------
# The first 1,000 rows train, the last 500 test. The default network gets one sigmoid per
# threshold and binary cross-entropy over the four bits.
train, test = slice(0, 1000), slice(1000, None)
models = {}
for name, weight in [("None", None), ('"balanced"', "balanced")]:
    models[name] = WeightedKerasClassifier(
        class_weight=weight,
        target_kind="ordinal",
        hidden_layer_sizes=(16,),
        epochs=25,
        batch_size=64,
        optimizer__learning_rate=0.01,
        random_state=0,
    ).fit(X[train], T[train])

# %%
# Each threshold's probability along the severity
# -----------------------------------------------
# ``predict_proba`` gives one probability per threshold: one dot per test row and threshold, along
# the part of the severity that the features carry. The four clouds rise one after the other, near
# the true cut points. In the weighted model the two upper thresholds (the rare levels) rise earlier
# and higher, so those levels are predicted more often.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(X[test])
    for k in range(4):
        ax.scatter(signal[test], proba[:, k], s=3, label=f"P(level > {names[k]})")
    for c in cuts:
        ax.axvline(c, color="grey", linewidth=0.5)
    ax.set_title(f"class_weight={name}")
    ax.set_xlabel("severity from the features (grey: the levels' cut points)")
axes[0].set_ylabel("probability")
fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=4, markerscale=4, frameon=False)
fig.tight_layout(rect=(0, 0, 1, 0.9))

# %%
# Recall per level
# ----------------
# ``predict`` returns thermometer rows; their sum is the predicted level.
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), gridspec_kw={"width_ratios": [1.3, 1, 1]})
per_level = {}
for i, (name, model) in enumerate(models.items()):
    predicted = model.predict(X[test]).sum(axis=1)
    per_level[name] = recall_score(level[test], predicted, labels=range(5), average=None, zero_division=0)
    cm = confusion_matrix(level[test], predicted, labels=range(5))
    axes[i + 1].imshow(cm, cmap="Blues")
    for (r, c), v in np.ndenumerate(cm):
        axes[i + 1].text(c, r, v, ha="center", va="center", fontsize=8)
    axes[i + 1].set_title(f"class_weight={name}")
    axes[i + 1].set_xlabel("predicted level")
    axes[i + 1].set_ylabel("true level")
for offset, (name, rec) in zip([-0.2, 0.2], per_level.items()):
    axes[0].bar(np.arange(5) + offset, rec, width=0.4, label=f"class_weight={name}")
axes[0].set_xticks(range(5), names, fontsize=8)
axes[0].set_ylabel("recall on the test rows")
axes[0].legend(fontsize=8)
fig.tight_layout()

# %%
# The weighted model finds more of the rare upper levels (and mistakes more of the common middle
# ones for their neighbours); its mistakes stay next to the diagonal, one level off, as the
# ordinal structure intends.
plt.show()
