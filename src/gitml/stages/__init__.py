"""Reusable, params-driven scikit-learn pipeline stages: prepare -> train -> evaluate.

Each stage reads its section of ``params.yaml`` and writes plain files, so DVC can cache and compare
them. A project swaps the estimator (any scikit-learn classifier by import path) and its parameters
in ``params.yaml`` with no code change, or replaces these stages with its own commands in ``dvc.yaml``.
"""

STAGES = ("prepare", "train", "evaluate")

#: stage -> "module:function", imported only when that stage runs: a stage's start-up pays for
#: its own imports, not its siblings' (measured by bench/stages.py).
ENTRY_POINTS = {
    "prepare": "gitml.stages.prepare:prepare",
    "train": "gitml.stages.train:train",
    "evaluate": "gitml.stages.evaluate:evaluate",
}


def load_stage(name: str):
    """The function that runs stage ``name`` (its module imported now)."""
    import importlib

    module_name, function = ENTRY_POINTS[name].split(":")
    return getattr(importlib.import_module(module_name), function)
