"""The static-site builder: read → model → render → write, every error collected."""
