"""The hand-off to a deployment: ``gitml deploy`` writes a stage's image, by digest, into its
kustomization file (``kustomization``) and commits it (``handoff``); ``proposal`` opens a rollback
as an issue for a person to act on."""
