"""Files gitml writes into other repositories: the reference project (``gitml demo``) and the
starting points of ``gitml init``. Read them with :func:`read`, never by path: they ship inside the
package."""

from __future__ import annotations

from importlib.resources import files

#: Every template file ends with this, so DVC never mistakes a shipped ``dvc.yaml`` for a pipeline
#: (gitml installed in a virtualenv inside a project, or this repository's own ``src/``).
SUFFIX = ".tmpl"


def read(*parts: str) -> str:
    """The text of one template, e.g. ``read("reference", "dvc.yaml")``."""
    *folders, name = parts
    return files(__name__).joinpath("/".join([*folders, name + SUFFIX])).read_text(encoding="utf-8")
