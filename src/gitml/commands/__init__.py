"""One module per CLI command; each defines a click command and nothing else."""
