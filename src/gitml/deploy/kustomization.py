"""Write a stage's image into its kustomization file: the ``images:`` entry kustomize uses to
rewrite the Deployment's ``image:``, pinned by digest (``newName`` and ``digest``).

``kubectl kustomize DIR`` (or Argo CD, Flux) then renders every container whose image is
``name`` as ``newName@sha256:...``: the exact image the release pushed and smoke-tested, never
a tag that can move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from gitml.errors import DataError, UsageError

IMAGE_REF = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._:/-]*)@(?P<digest>sha256:[0-9a-f]{64})$")


@dataclass(frozen=True)
class ImageRef:
    """An image by digest: ``name@sha256:...`` (``name`` without a tag)."""

    name: str
    digest: str

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        found = IMAGE_REF.match(text.strip())
        if not found:
            raise UsageError(
                f"an image reference must be NAME@sha256:<64 hex digits>, got {text!r}"
            )
        name = found["name"]
        last = name.rsplit("/", 1)[-1]
        if ":" in last:  # registry/repo:tag@sha256: the tag says nothing once pinned
            name = name[: len(name) - len(last)] + last.split(":", 1)[0]
        return cls(name, found["digest"])

    def __str__(self) -> str:
        return f"{self.name}@{self.digest}"


def _document(text: str, path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        raise DataError(f"{path} is not valid YAML ({error}); fix it, then run again") from None
    if not isinstance(data, dict):
        raise DataError(f"{path} is not a kustomization (not a YAML mapping)")
    return data


def set_image(text: str, path: str, name: str, image: ImageRef) -> str:
    """``text`` (a kustomization) with its ``images:`` entry for ``name`` pinned to ``image``;
    other entries and keys kept in their order (YAML comments are not kept)."""
    data = _document(text, path)
    images = data.get("images") or []
    if not isinstance(images, list):
        raise DataError(f"{path}: images must be a list of {{name, newName, digest}} entries")
    entry: dict[str, Any] = {"name": name}
    if image.name != name:
        entry["newName"] = image.name
    entry["digest"] = image.digest
    kept = [e for e in images if not (isinstance(e, dict) and e.get("name") == name)]
    data["images"] = [*kept, entry] if len(kept) == len(images) else [
        entry if isinstance(e, dict) and e.get("name") == name else e for e in images
    ]  # fmt: skip
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def current_image(text: str, path: str, name: str) -> str | None:
    """The image reference the kustomization pins ``name`` to now, if any."""
    for entry in _document(text, path).get("images") or []:
        if isinstance(entry, dict) and entry.get("name") == name and entry.get("digest"):
            return f"{entry.get('newName') or name}@{entry['digest']}"
    return None
