"""The model registry: GTO-format git tags for versions and stages, read and written by gitml.

``versions`` reads the registry through ``gto.api`` (never DVC's resolver, which ignores
deregister and unassign tags); ``promote`` registers a commit and assigns a stage after the quality
gates; ``assign`` moves a version between stages; ``tags`` pushes tags to the shared remote with
bounded retries; ``lock`` serializes promotions inside one clone.
"""
