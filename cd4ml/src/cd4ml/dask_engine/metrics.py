"""scoring.score's metrics as sums over partitions of predictions, merged pairwise.

Exact: accuracy, precision, recall, f1 (from the summed confusion matrix), log loss, R², RMSE and
MAE. ROC AUC comes from histograms of the scores' log-odds, in AUC_BINS bins between -LOGIT_LIMIT
and LOGIT_LIMIT (boosted models put many probabilities within 1e-6 of 0 or 1, which bins of the
probability itself would tie): two scores whose log-odds differ by less than 0.0008 count as tied,
as do those past +-40 (probabilities within 4e-18 of 0 or 1).
"""

import numpy as np
import pandas as pd

AUC_BINS = 100_000
LOGIT_LIMIT = 40.0
DIGITS = 6


def classification_partial(labels: pd.Series, probabilities: np.ndarray, classes) -> dict:
    """A partition's confusion counts, log loss and score histograms (per class, one-vs-rest)."""
    actual = pd.Categorical(labels, categories=classes).codes  # -1: a class the model never saw
    known = actual >= 0
    predicted = probabilities.argmax(axis=1)
    size = len(classes)
    confusion = np.bincount(actual[known] * size + predicted[known], minlength=size * size).reshape(
        size, size
    )
    eps = np.finfo(probabilities.dtype).eps
    truth = np.clip(probabilities[known, actual[known]], eps, 1 - eps)
    bins = logit_bins(probabilities)
    positive = np.zeros((size, AUC_BINS), dtype=np.int64)
    negative = np.zeros((size, AUC_BINS), dtype=np.int64)
    for index in range(size):
        is_class = actual == index
        positive[index] = np.bincount(bins[is_class, index], minlength=AUC_BINS)
        negative[index] = np.bincount(bins[~is_class, index], minlength=AUC_BINS)
    return {
        "rows": len(labels),
        "confusion": confusion,
        "log_loss": float(-np.log(truth).sum()),
        "positive": positive,
        "negative": negative,
    }


def logit_bins(probabilities: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        logits = np.log(probabilities) - np.log1p(-probabilities)
    scaled = (np.clip(logits, -LOGIT_LIMIT, LOGIT_LIMIT) + LOGIT_LIMIT) / (2 * LOGIT_LIMIT)
    return np.minimum((scaled * AUC_BINS).astype(np.int64), AUC_BINS - 1)


def regression_partial(labels: pd.Series, predicted: np.ndarray) -> dict:
    actual = labels.to_numpy(dtype=float)
    errors = actual - predicted
    mean = float(actual.mean()) if len(actual) else 0.0
    return {
        "rows": len(actual),
        "mean": mean,
        "m2": float(np.sum((actual - mean) ** 2)),
        "squared_error": float(np.sum(errors**2)),
        "absolute_error": float(np.sum(np.abs(errors))),
    }


def merge(first: dict, second: dict) -> dict:
    """Two partitions' sums as one; the labels' spread (m2) merges as Chan et al. do."""
    merged = {key: first[key] + second[key] for key in first if key not in ("mean", "m2")}
    if "m2" in first:
        a, b = first["rows"], second["rows"]
        count = a + b
        delta = second["mean"] - first["mean"]
        merged["mean"] = first["mean"] + delta * b / count if count else 0.0
        merged["m2"] = first["m2"] + second["m2"] + (delta**2 * a * b / count if count else 0.0)
    return merged


def scores(total: dict) -> dict[str, float]:
    """scoring.score's metrics, by name, rounded as it rounds them."""
    values = _classification(total) if "confusion" in total else _regression(total)
    return {name: round(float(value), DIGITS) for name, value in values.items()}


def _regression(total: dict) -> dict:
    rows = total["rows"]
    return {
        "r2": 1 - total["squared_error"] / total["m2"] if total["m2"] else 0.0,
        "rmse": np.sqrt(total["squared_error"] / rows),
        "mae": total["absolute_error"] / rows,
    }


def _classification(total: dict) -> dict:
    confusion = total["confusion"]
    hits = np.diag(confusion)
    truths, guesses = confusion.sum(axis=1), confusion.sum(axis=0)
    precision = np.divide(hits, guesses, out=np.zeros(len(hits)), where=guesses > 0)
    recall = np.divide(hits, truths, out=np.zeros(len(hits)), where=truths > 0)
    doubled = 2 * hits + (guesses - hits) + (truths - hits)
    f1 = np.divide(2 * hits, doubled, out=np.zeros(len(hits)), where=doubled > 0)
    aucs = [_auc(total["positive"][index], total["negative"][index]) for index in range(len(hits))]
    if len(hits) == 2:  # binary: the second class is the positive one, as scikit-learn's pos_label
        chosen = [precision[1], recall[1], f1[1], aucs[1]]
    else:  # macro averages over the classes seen, as scikit-learn's over the labels present
        seen = (truths + guesses) > 0
        chosen = [*(values[seen].mean() for values in (precision, recall, f1)), np.mean(aucs)]
    return {
        "accuracy": hits.sum() / total["rows"],
        "precision": chosen[0],
        "recall": chosen[1],
        "f1": chosen[2],
        "roc_auc": chosen[3],
        "log_loss": total["log_loss"] / confusion.sum(),
    }


def _auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """The area under the ROC curve: the chance a positive outscores a negative, ties half."""
    below = np.cumsum(negative) - negative
    pairs = positive.sum() * negative.sum()
    return float((positive * (below + negative / 2)).sum() / pairs) if pairs else float("nan")
