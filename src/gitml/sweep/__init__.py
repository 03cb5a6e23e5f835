"""``gitml sweep``: a grid of DVC experiments, run here or fanned out as a GitHub Actions matrix,
ranked in one leaderboard.

``grid`` turns ``-S`` specs or ``[tool.gitml.sweep]`` into named cells; ``execute`` runs cells as
DVC experiments and saves one result file per cell; ``leaderboard`` ranks the results against the
base revision; ``render`` writes Markdown, JSON and HTML; ``apply`` puts a run's params and outputs
into the workspace.
"""
