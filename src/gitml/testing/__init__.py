"""Test support that ships with gitml: emulations of the services gitml talks to.

They live in the package, not under ``tests/``, because ``gitml demo`` and the workflow tests start
them at runtime. They use the standard library only.
"""
