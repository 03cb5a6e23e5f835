"""What every Mermaid chart gitml writes shares (report plots, monitoring histograms): colours
for the two sides and labels Mermaid's parser accepts."""

from __future__ import annotations

from typing import Any

#: The base (reference) side and the head (current) side of every chart.
BASE_COLOR, HEAD_COLOR = "#8c959f", "#0969da"


#: characters a label cannot hold as they are: quotes end it, angle brackets would let a value
#: (a category, a feature name) write HTML or a gitml marker into the posted text
_LABEL_SWAPS = str.maketrans({'"': "'", "`": "'", "<": "‹", ">": "›"})


def mermaid_label(text: Any) -> str:
    """A Mermaid quoted label: no quotes, angle brackets or newlines inside, at most 60
    characters."""
    return " ".join(str(text).translate(_LABEL_SWAPS).split())[:60]
