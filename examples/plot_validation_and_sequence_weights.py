"""
Weighting the validation rows too, and sequences timestep by timestep
=====================================================================

Two things that Keras leaves to you when the classes are imbalanced:

* **the validation rows.** Keras's own ``validation_split`` takes the last rows unweighted, so
  ``val_loss`` is not the quantity the network minimises, and early stopping watches the wrong
  number. skweight splits stratified, and weights the validation rows with the class weights of the
  training rows (times your own ``sample_weight``), so ``loss`` and ``val_loss`` are the same
  weighted quantity.
* **sequences.** For a tag per timestep (``y`` of shape ``(n, timesteps)`` with a 3-D ``X``), the
  weights are per timestep: a rare tag weighs more wherever it occurs, and padding weighs 0.
"""

# %%
# Training and validation rows, with weights of your own
# ------------------------------------------------------
# Each row also carries a weight of its own: here, rows from the latest batch of data count twice.
# ``class_weight`` and ``sample_weight`` multiply, on the training rows and on the validation rows.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from sklearn.datasets import make_classification
from sklearn.metrics import precision_score, recall_score

from skweight import WeightedKerasClassifier, sample_weights

X, y = make_classification(n_samples=1200, weights=[0.9], class_sep=0.8, random_state=0)
recent = np.random.default_rng(0).random(len(y)) < 0.3
row_weight = np.where(recent, 2.0, 1.0)

clf = WeightedKerasClassifier(
    class_weight="balanced",
    validation_split=0.25,  # stratified, shuffled, seeded; weighted like the training rows
    early_stopping=True,  # watch the weighted val_loss; epochs is then a cap
    n_iter_no_change=5,
    epochs=40,
    metrics=["accuracy"],  # reported plain and class-weighted
    hidden_layer_sizes=(16,),
    batch_size=64,
    optimizer__learning_rate=0.003,
    random_state=0,
).fit(X, y, sample_weight=row_weight)
history = clf.history_
print("class weights of the training rows:", clf.class_weight_)
print("history keys:", sorted(history))

# %%
# ``val_loss`` is weighted as ``loss`` is, so the two curves can be compared, and early stopping
# keeps the epoch where the weighted validation loss was lowest. The plain validation accuracy
# mostly counts the majority class; its weighted twin gives the minority its share.
best = int(np.argmin(history["val_loss"]))
epochs = np.arange(1, len(history["loss"]) + 1)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
left.plot(epochs, history["loss"], label="loss (training rows, weighted)")
left.plot(epochs, history["val_loss"], label="val_loss (validation rows, weighted)")
left.axvline(best + 1, color="grey", linestyle=":", label=f"best epoch ({best + 1}), restored")
left.set_xlabel("epoch")
left.legend(fontsize=8)
right.plot(epochs, history["val_accuracy"], label="val_accuracy")
right.plot(epochs, history["val_weighted_accuracy"], label="val_weighted_accuracy")
right.set_xlabel("epoch")
right.legend(fontsize=8)
fig.tight_layout()

# %%
# A validation set of your own is weighted the same way: ``validation_data=(X_val, y_val, w_val)``
# gets the class weights of the training rows, times ``w_val``.
X_val, y_val = X[:300], y[:300]
own = WeightedKerasClassifier(class_weight="balanced", epochs=5, hidden_layer_sizes=(16,), random_state=0)
own.fit(X[300:], y[300:], validation_data=(X_val, y_val, row_weight[:300]))
print("val_loss with validation_data, epoch by epoch:", np.round(own.history_["val_loss"], 3))

# %%
# Sequences: one weight per timestep
# ----------------------------------
# Sequences of 12 timesteps with 3 features each. Tag 1 ("event") is rare, tag 2 ("background")
# common, and 0 pads the end of the shorter sequences.
rng = np.random.default_rng(1)
n, steps = 500, 12
X_seq = rng.normal(size=(n, steps, 3)).astype("float32")
tags = np.where(X_seq[:, :, 0] + 0.5 * X_seq[:, :, 1] > 1.6, 1, 2)
length = rng.integers(6, steps + 1, size=n)
tags[np.arange(steps) >= length[:, None]] = 0
print("share of event tags among real timesteps:", round(float((tags == 1).sum() / (tags > 0).sum()), 3))

weights = sample_weights(tags, "balanced", kind="sequence", padding_label=0)
print("weights have the shape of the tags:", weights.shape)

fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
a.imshow(tags[:30], cmap=ListedColormap(["white", "tab:red", "lightsteelblue"]), aspect="auto", interpolation="nearest")
a.set_title("tags: padding (white), event (red), background")
image = b.imshow(weights[:30], cmap="magma", aspect="auto", interpolation="nearest")
b.set_title('sample weights from class_weight="balanced"')
fig.colorbar(image, ax=b)
for ax in (a, b):
    ax.set_xlabel("timestep")
a.set_ylabel("sequence")
fig.tight_layout()

# %%
# The estimator computes these weights itself, from the training sequences of each fit, and the
# validation sequences get the same per-timestep weights. We compare the rare tag's recall and
# precision on held-out sequences, leaving the padding out: the weights trade some precision for
# finding (nearly) every event.
train, test = slice(0, 400), slice(400, None)
scores = {}
for name, weight in [("None", None), ('"balanced"', "balanced")]:
    seq = WeightedKerasClassifier(
        class_weight=weight,
        padding_label=0,
        validation_split=0.2,
        epochs=15,
        batch_size=50,
        optimizer__learning_rate=0.01,  # few epochs: a larger step than Adam's default 0.001
        hidden_layer_sizes=(16,),
        random_state=0,
    ).fit(X_seq[train], tags[train])
    real = tags[test] > 0
    pred = seq.predict(X_seq[test])[real]
    true = tags[test][real]
    scores[name] = (
        recall_score(true, pred, labels=[1], average="macro"),
        precision_score(true, pred, labels=[1], average="macro"),
    )
    print(f"class_weight={name}: class_weight_={seq.class_weight_}")

fig, ax = plt.subplots(figsize=(5, 3.2))
for offset, (name, (rec, prec)) in zip([-0.2, 0.2], scores.items()):
    ax.bar(np.array([0, 1]) + offset, [rec, prec], width=0.4, label=f"class_weight={name}")
ax.set_xticks([0, 1], ["recall of tag 1", "precision of tag 1"])
ax.set_ylim(0, 1.2)
ax.legend(fontsize=8, ncol=2, loc="upper center")
fig.tight_layout()
plt.show()
