"""Which way the metrics common libraries log get better, by name.

The names are those scikit-learn, Keras, fastai, torchmetrics, Hugging Face ``evaluate`` and
``transformers``, ultralytics and dvclive write (``dice_multi``, ``val_loss``, ``eval/loss``,
``metrics/mAP50-95(B)``, ``rougeLsum``, ``neg_mean_squared_error``). A name is read in parts:

1. the parts of its path: DVC joins nested keys with ``.`` (``roc_auc.test``) and dvclive and
   ultralytics write ``/`` (``train/loss``, ``metrics/mAP50(B)``); every part that has a
   direction must agree (``loss.accuracy`` has none);
2. a part is normalised (lower case, ``(B)``/``(M)`` and ``@k`` suffixes dropped) and looked up
   whole (``mean_absolute_error``, ``explained_variance``), then without a split prefix such as
   ``val_``, ``eval_``, ``test_`` (``val_accuracy``), then word by word (``dice_multi`` is
   ``dice``, ``box_loss`` is ``loss``, ``mAP50`` is ``map``), the words agreeing;
3. scikit-learn's scorers ``neg_*`` are the negated error: higher is better.

``known_direction`` is the public entry point (``gitml init`` writes what it finds); the report's
precedence over ``[tool.gitml.metrics]`` is ``gitml.core.compare.resolve_direction``.
"""

from __future__ import annotations

import re

#: Names whose direction is known, whole or as a word of a longer name (``val_loss``).
KNOWN_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "higher": (
        # classification (scikit-learn, Keras, torchmetrics, fastai)
        "accuracy", "acc", "balanced_accuracy", "top_k_accuracy", "categorical_accuracy",
        "binary_accuracy", "foreground_acc", "precision", "prec", "avg_prec", "recall", "sensitivity",
        "specificity", "f1", "f1_score", "fbeta", "fbeta_score", "f2", "roc_auc", "auroc",
        "auc", "pr_auc", "auprc", "average_precision", "ap", "mcc", "matthews_corrcoef",
        "kappa", "cohen_kappa", "tpr", "hit_rate", "hits", "mrr", "ndcg",
        # segmentation and detection (fastai, torchmetrics, ultralytics, COCO)
        "dice", "dice_coeff", "dice_score", "iou", "miou", "jaccard", "jaccard_index",
        "jaccard_coeff", "jaccard_score", "map", "mar", "fitness", "ssim", "psnr",
        # regression (scikit-learn, torchmetrics)
        "r2", "r2_score", "explained_variance", "explained_variance_score", "d2",
        "pearson", "pearsonr", "spearman", "spearmanr", "concordance", "cosine_similarity",
        # text (Hugging Face evaluate)
        "bleu", "sacrebleu", "google_bleu", "rouge", "rougel", "rougelsum", "meteor", "chrf", "bertscore",
        "bleurt", "exact_match", "em", "wip", "squad",
        # clustering, generative
        "silhouette", "calinski_harabasz", "adjusted_rand", "rand", "nmi",
        "mutual_info", "inception_score",
    ),
    "lower": (
        "loss", "log_loss", "logloss", "nll", "crossentropy", "cross_entropy",
        "binary_crossentropy", "categorical_crossentropy", "hinge", "brier_score",
        "brier_score_loss", "zero_one_loss", "hamming_loss", "hamming", "error",
        "error_rate", "err", "fpr", "fnr", "eer",
        "mae", "mse", "rmse", "msle", "rmsle", "mape", "smape", "wape", "mase", "medae",
        "max_error", "mean_absolute_error", "mean_squared_error",
        "root_mean_squared_error", "mean_squared_log_error", "mean_absolute_percentage_error",
        "median_absolute_error", "huber", "logcosh", "kl_divergence", "kld", "poisson",
        "perplexity", "ppl", "bpc", "wer", "cer", "mer", "wil", "ter",
        "fid", "kid", "lpips", "davies_bouldin", "latency",
    ),
}  # fmt: skip

BY_NAME = {name: direction for direction, names in KNOWN_DIRECTIONS.items() for name in names}
#: Words that only say where a value was measured: they never decide a direction.
_SPLITS = (
    "val", "valid", "validation", "eval", "test", "train", "training", "dev", "holdout",
    "best", "final", "avg", "mean", "overall", "micro", "macro", "weighted", "epoch", "step",
)  # fmt: skip
_SPLIT_PREFIX = re.compile(rf"^(?:(?:{'|'.join(_SPLITS)})_)+")
_SUFFIX = re.compile(r"(\([A-Za-z]\)|@[^/]*)$")  # ultralytics' (B), (M); ranking's @10
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _one(directions: list[str]) -> str | None:
    """The direction every match agrees on; None when there is none or they disagree."""
    return directions[0] if directions and len(set(directions)) == 1 else None


def _word(word: str) -> str | None:
    """A word's direction, also without trailing digits or dashes (``map50``, ``rouge1``)."""
    return BY_NAME.get(word) or BY_NAME.get(word.rstrip("0123456789-.")) or None


def part_direction(part: str) -> str | None:
    """The direction of one part of a name (no ``.`` or ``/`` in it), or None."""
    text = _SUFFIX.sub("", part.strip())
    lower, snake = text.lower(), _CAMEL.sub("_", text).lower()  # MeanSquaredError, too
    for name in dict.fromkeys((lower, snake)):
        if name.startswith("neg_") and BY_NAME.get(name[4:]) == "lower":
            return "higher"  # scikit-learn's scorers negate errors: higher is better
        for candidate in (name, _SPLIT_PREFIX.sub("", name)):
            if candidate in BY_NAME:
                return BY_NAME[candidate]
    words = re.split(r"[_\-\s]+", snake)
    return _one([found for word in words if word and (found := _word(word))])


def name_parts(name: str) -> list[str]:
    """A metric name's parts: DVC's ``.`` between nested keys and the ``/`` of dvclive and
    ultralytics."""
    return [part for part in re.split(r"[./]", name) if part]


def known_direction(name: str) -> str | None:
    """``"higher"`` or ``"lower"`` for a metric name common libraries log, else None.

    >>> known_direction("dice_multi"), known_direction("eval/loss"), known_direction("mAP50-95")
    ('higher', 'lower', 'higher')
    >>> known_direction("metrics/mAP50(B)"), known_direction("roc_auc.test")
    ('higher', 'higher')
    >>> known_direction("loss.accuracy") is None, known_direction("lr") is None
    (True, True)
    """
    return _one([found for part in name_parts(name) if (found := part_direction(part))])
