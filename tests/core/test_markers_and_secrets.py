"""gitml's markers kept apart from content, and secrets masked in what gitml posts or prints."""

from __future__ import annotations

import io

from gitml.core import markers, secrets
from gitml.core.github_output import format_output
from gitml.core.mermaid import mermaid_label

MARKER = "<!-- gitml:monitor id=classifier.prod -->"


def test_content_markers_become_visible_text_and_only_whole_lines_match() -> None:
    content = f"a {MARKER} b\n{MARKER}\n<!--gitml:report id=x-->\n<!-- /GITML:retrain-summary -->"
    body = markers.attach(content, "<!-- gitml:monitor id=classifier.staging -->")
    assert "<!-- gitml:monitor id=classifier.prod" not in body
    assert "<!--gitml" not in body and "<!-- /GITML" not in body
    assert body.count("&lt;!--") == 4
    assert markers.holds(body, "<!-- gitml:monitor id=classifier.staging -->")
    assert not markers.holds(body, MARKER)
    assert not markers.holds(f"quoting {MARKER}", MARKER)
    assert not markers.holds(MARKER.replace("prod", "production"), MARKER)
    assert markers.holds(f"text\n  {MARKER}  \n", MARKER)  # surrounding blanks are no matter


def test_every_secret_gitml_holds_is_masked_longest_first(monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_abcdef123456")
    monkeypatch.setenv("REGISTRY_PASSWORD", "ghs_abcdef123456-and-more")
    monkeypatch.setenv("MY_OWN_SECRET", "hunter2hunter2")
    monkeypatch.setenv("GITML_SECRET_VARIABLES", "MY_OWN_SECRET, OTHER")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "abc")  # too short to mask without garbling text
    text = "a ghs_abcdef123456-and-more b ghs_abcdef123456 c hunter2hunter2 abc"
    assert secrets.mask(text) == "a *** b *** c *** abc"
    secrets.hold("from-a-token-file-000")
    assert secrets.mask("x from-a-token-file-000") == "x ***"
    assert format_output("body", "line ghs_abcdef123456\nnext").count("***") == 1
    stream = io.StringIO()
    secrets.MaskedStream(stream).write("printed ghs_abcdef123456\n")
    assert stream.getvalue() == "printed ***\n"


def test_mermaid_labels_hold_no_html_and_no_marker() -> None:
    label = mermaid_label(f'{MARKER} "quoted" `x`\nnext')
    assert "<" not in label and ">" not in label and '"' not in label and "\n" not in label
    assert label.startswith("‹!-- gitml:monitor id=classifier.prod --›")
