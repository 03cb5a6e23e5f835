"""gitml's GitHub layer: one module per operation, all through PyGithub.

``context`` resolves where to post from the Actions environment and flags; ``client`` builds the
PyGithub client with bounded retries; ``api`` is the client the features call (``GitHubApi``:
failures as one-line ``errors.ApiError``s); ``sticky`` upserts the one comment per pull request
and id; ``checks`` turns the gates' verdict into a check run or commit status; ``summary`` writes
the step summary and step outputs; ``artifact`` writes the report for the fork-safe workflow;
``request`` reads and validates what ``gitml comment`` posts and where, ``dry_run`` says what it
would do, and ``publish`` does all of it.
"""
