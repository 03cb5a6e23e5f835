"""``gitml init``: add gitml to an existing git repository.

``init.init_repository`` does the work and returns an ``InitResult`` (what was written or skipped,
the secrets to set, the next steps); ``gitml.commands.init`` only renders it.
"""
