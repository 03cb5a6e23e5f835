"""What every Mermaid chart gitml writes shares (report plots, monitoring histograms): colours
for the two sides and labels Mermaid's parser accepts."""

from __future__ import annotations

from typing import Any

#: The base (reference) side and the head (current) side of every chart.
BASE_COLOR, HEAD_COLOR = "#8c959f", "#0969da"


def mermaid_label(text: Any) -> str:
    """A Mermaid quoted label: no quotes, brackets or newlines inside."""
    return " ".join(str(text).replace('"', "'").replace("`", "'").split())[:60]
