"""The nameko services. Run one with `python -m services <name>`."""
