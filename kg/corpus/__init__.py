"""Keeping a corpus right as articles pile up: duplicate articles, the same figure from two sources, conflicts."""
