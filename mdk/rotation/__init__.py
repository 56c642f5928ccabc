"""Hosting rotation: which NHV unit hosts which meeting."""
