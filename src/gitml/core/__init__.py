"""The core every feature imports and that imports no feature (only ``gitml.config``,
``gitml.errors`` and the standard library).

- ``model``: the report's data (metric rows, gate results, data changes, plots, stages, load
  errors) and the closed sets of values as ``str`` enums;
- ``compare`` and ``gates``: metric comparison and quality gates;
- ``git``: the one way to run git, local failures told from a remote's;
- ``artifacts``: artifact names and versions;
- ``github_output``: the one ``$GITHUB_OUTPUT`` writer;
- ``markdown`` and ``text``: table cells, code spans, tables and value formatting;
- ``limits``, ``wording``, ``project_files``: GitHub's size limits, shared words, gitml's files;
- ``renderings``: writing a report's Markdown, JSON and HTML files.
"""
