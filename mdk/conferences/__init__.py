"""Conferences: the meetings of a care area's series."""
