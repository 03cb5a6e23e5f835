"""The papers of a version: the files its GitHub Release carries.

``write_papers`` writes them into one folder (the release workflow's build job, which has the
data and the image, does it): ``model-card.md`` (the card with its front matter, as Hugging
Face reads it), ``metrics.json`` (the card as data), ``report.html`` (the version against its
baseline, with the plots) and ``model.sig`` (the model's signature bundle, when it is signed).
``gitml build --sbom`` adds ``sbom.cdx.json`` beside them. ``read_papers`` reads such a folder
back as the data it is: regular files with known names, size-bounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from gitml.card import json_render, markdown
from gitml.card.model import ModelCard
from gitml.card.template import split_front_matter
from gitml.config import Settings
from gitml.errors import DataError, GitmlError
from gitml.registry.promote import resolve_version
from gitml.registry.signatures import read_signature
from gitml.report.assemble import build_report
from gitml.report.write import write_report

log = logging.getLogger(__name__)

CARD_FILE = "model-card.md"
METRICS_FILE = "metrics.json"
REPORT_FILE = "report.html"
SIGNATURE_FILE = "model.sig"
SBOM_FILE = "sbom.cdx.json"
PAPER_FILES = (CARD_FILE, METRICS_FILE, REPORT_FILE, SIGNATURE_FILE, SBOM_FILE)
#: A release asset must be under 2 GiB; papers are far smaller, so anything big is not one.
MAX_PAPER_BYTES = 200 * 1024 * 1024


def write_papers(root: Path | str, card: ModelCard, folder: Path, settings: Settings) -> list[Path]:
    """Write the card, its JSON, the HTML report and the signature into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        (CARD_FILE, markdown.render(card)),
        (METRICS_FILE, json_render.render(card)),
    ):
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    report = _write_report(root, card, folder / REPORT_FILE, settings)
    if report is not None:
        written.append(report)
    bundle = read_signature(root, card.artifact, card.version, card.commit)
    if bundle is not None:
        (folder / SIGNATURE_FILE).write_bytes(bundle)
        written.append(folder / SIGNATURE_FILE)
    return written


def _write_report(root: Path | str, card: ModelCard, path: Path, settings: Settings) -> Path | None:
    """The version against its baseline (or alone, for a first version) with the plots; a
    report that cannot be built is logged and left out, never faked."""
    base = card.commit
    if card.baseline:
        base = resolve_version(root, card.artifact, card.baseline).commit
    try:
        report = build_report(base=base, head=card.commit, root=root, settings=settings)
    except GitmlError as error:
        log.warning("no %s for %s %s: %s", REPORT_FILE, card.artifact, card.version, error)
        return None
    write_report(report, html_path=path)
    return path


@dataclass(frozen=True)
class Papers:
    """A papers folder read back: the release body and the files to attach."""

    body: str
    assets: tuple[Path, ...]


def read_papers(folder: Path) -> Papers:
    """The card's body (without front matter) and every paper file of ``folder``.

    Another job wrote the folder: only regular files of the known names count, each bounded in
    size; anything else there is an error, not an asset."""
    if not folder.is_dir():
        raise DataError(f"papers folder {folder} not found; write it with `gitml card --papers`")
    strays = sorted(p.name for p in folder.iterdir() if p.name not in PAPER_FILES)
    if strays:
        raise DataError(f"papers folder {folder} holds unexpected files: {', '.join(strays)}")
    assets = []
    for name in PAPER_FILES:
        path = folder / name
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_PAPER_BYTES:
            raise DataError(f"{path} is not a regular file under {MAX_PAPER_BYTES} bytes")
        assets.append(path)
    card = folder / CARD_FILE
    if card not in assets:
        raise DataError(f"{card} not found; write it with `gitml card --papers {folder}`")
    _, body = split_front_matter(card.read_text(encoding="utf-8"), str(card))
    return Papers(body.strip() + "\n", tuple(assets))
