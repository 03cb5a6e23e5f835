"""Reusable, params-driven scikit-learn pipeline stages: prepare -> train -> evaluate.

Each stage reads its section of ``params.yaml`` and writes plain files, so DVC can cache and compare
them. A project swaps the estimator (any scikit-learn classifier by import path) and its parameters
in ``params.yaml`` with no code change, or replaces these stages with its own commands in ``dvc.yaml``.
"""

STAGES = ("prepare", "train", "evaluate")
