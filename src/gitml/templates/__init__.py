"""Files gitml writes into other repositories: the reference project (``gitml demo``) and the
starting points of ``gitml init``. Read them with :func:`read`, never by path: they ship inside the
package."""

from __future__ import annotations

from importlib.resources import files


def read(*parts: str) -> str:
    """The text of one template, e.g. ``read("reference", "dvc.yaml")``."""
    return files(__name__).joinpath(*parts).read_text(encoding="utf-8")
