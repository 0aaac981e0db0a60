"""Resident pages for ballots (issue #4): being written."""

routes: list = []
