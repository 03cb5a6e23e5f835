"""Text columns: a domain classifier on TF-IDF, and descriptors a reader can check.

A free-text column is never tested as categorical (every value is new, so a category test always
"drifts"). Instead, as Evidently does for text, a classifier learns to tell reference texts from
current ones: at most ``TEXT_ROWS`` texts per side (the same number from each, chosen by a seeded
hash of the text, so the choice does not depend on the order of the rows), split in halves; a
logistic regression on the TF-IDF of words and two descriptors (length in characters and in
words) is trained on one half and scores the other. Its held-out ROC AUC is the statistic; the
p-value is the one-sided Mann-Whitney test of that AUC against 0.5 (the held-out texts played no
part in the training, so under no drift the AUC is that of random scores). The bounded sample
keeps a very large window from flagging a difference nobody would call drift.

Descriptors shown with the result: the mean length, and the share of current words that the
reference never used (out of vocabulary).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import sparse, stats

from gitml.core.profile import TEXT_ROWS, by_hash
from gitml.monitor.drift import HISTOGRAM_BINS, Histogram

WORD = re.compile(r"\b\w\w+\b")  # scikit-learn's default token pattern


def _descriptors(texts: pd.Series) -> np.ndarray:
    lengths = texts.str.len().to_numpy(dtype=float)
    words = texts.str.count(WORD.pattern).to_numpy(dtype=float)
    return np.column_stack([np.log1p(lengths), np.log1p(words)])


def domain_classifier(
    reference: pd.Series, current: pd.Series, seed: int = 0
) -> tuple[float, float]:
    """(held-out ROC AUC, one-sided p-value) of a classifier telling current from reference."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    size = min(len(reference), len(current), TEXT_ROWS)
    if size < 4:
        return 0.5, 1.0
    ref, cur = by_hash(reference, size, seed), by_hash(current, size, seed)
    texts = pd.concat([ref, cur], ignore_index=True)
    labels = np.r_[np.zeros(size), np.ones(size)]
    train = np.r_[np.arange(size) % 2 == 0, np.arange(size) % 2 == 0]
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    try:
        words_train = vectorizer.fit_transform(texts[train])
    except ValueError:  # no word at all in the training half: only the descriptors speak
        words_train = sparse.csr_matrix((int(train.sum()), 0))
        vectorizer = None
    described = _descriptors(texts)
    mean, std = described[train].mean(axis=0), described[train].std(axis=0) + 1e-9
    described = (described - mean) / std
    held_out = texts[~train]
    words_test = (
        vectorizer.transform(held_out) if vectorizer else sparse.csr_matrix((len(held_out), 0))
    )
    features_train = sparse.hstack([words_train, described[train]]).tocsr()
    features_test = sparse.hstack([words_test, described[~train]]).tocsr()
    model = LogisticRegression(max_iter=500, random_state=seed).fit(features_train, labels[train])
    scores = model.decision_function(features_test)
    truth = labels[~train]
    auc = float(roc_auc_score(truth, scores))
    p_value = stats.mannwhitneyu(scores[truth == 1], scores[truth == 0], alternative="greater")
    return auc, float(p_value.pvalue)


def vocabulary(texts: pd.Series) -> set[str]:
    return {word.lower() for text in texts for word in WORD.findall(text)}


def text_summary(values: pd.Series, rows: int, known: set[str] | None = None) -> str:
    """Count, mean length, and (given the reference's words) the out-of-vocabulary share."""
    missing = rows - len(values)
    tail = f", {missing / rows:.0%} missing" if rows and missing else ""
    if values.empty:
        return "all missing" if rows else "no rows"
    parts = [f"{len(values):,} texts", f"mean length {values.str.len().mean():.1f} chars"]
    if known is not None:
        words = [word.lower() for text in values for word in WORD.findall(text)]
        if words:
            outside = sum(word not in known for word in words) / len(words)
            parts.append(f"{outside:.0%} of words not in the reference")
    return ", ".join(parts) + tail


def length_histogram(reference: pd.Series, current: pd.Series) -> Histogram:
    """Shares of text lengths (characters) in the same bins."""
    ref = reference.str.len().to_numpy(dtype=float)
    cur = current.str.len().to_numpy(dtype=float)
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins=HISTOGRAM_BINS)
    labels = [f"{edges[i]:.3g} chars" for i in range(len(edges) - 1)]
    shares_ref = np.histogram(ref, edges)[0] / max(len(ref), 1)
    shares_cur = np.histogram(cur, edges)[0] / max(len(cur), 1)
    return Histogram(labels, [float(v) for v in shares_ref], [float(v) for v in shares_cur])
