"""``gitml retrain``: new labelled rows into the DVC-tracked dataset, on a branch, through a PR.

One module per operation: ``dataset`` finds the data file and reads it, ``labelled`` reads and
checks the new rows, ``append`` drops duplicates and writes the file atomically, ``branch`` does
the git side in a temporary worktree, ``pull_request`` the GitHub side, ``body`` writes the commit
message and the pull request's text, ``summary`` reads the monitoring summary, and ``retrain`` is
the whole flow as one function.
"""
