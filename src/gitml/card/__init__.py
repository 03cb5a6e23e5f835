"""A model card per version: what gitml knows of it (registry, DVC, GitHub) with the intended
use, limitations and contacts the project wrote once in ``MODEL_CARD.md``; Markdown with the
YAML front matter Hugging Face model cards use, and the files a GitHub Release of the version
carries (:mod:`gitml.card.papers`)."""
