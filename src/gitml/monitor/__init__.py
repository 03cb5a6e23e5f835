"""``gitml monitor``: data drift, prediction drift and performance of the served model.

sources (where data is) -> reading (chunks, window, sample, feedback) -> reference (file or stage)
-> drift and compare (tests) -> performance -> gates -> model (the report as data) -> markdown,
json_render, html (renderings) -> write; export (labelled rows); issue (the sticky issue).
"""
