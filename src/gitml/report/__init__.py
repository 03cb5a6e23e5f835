"""The PR report: data first (``model``), built by ``build``, rendered by ``markdown``, ``html`` and
``json_render``. Gates live in ``gates``; Mermaid charts for GitHub comments in ``mermaid``."""
