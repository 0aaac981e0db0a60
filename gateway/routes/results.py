"""Results pages (issue #4): being written."""

routes: list = []
