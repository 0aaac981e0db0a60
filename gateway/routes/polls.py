"""Staff pages for polls (issue #4): being written."""

routes: list = []
