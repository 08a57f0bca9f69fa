"""Offline HTML views: the graph page, the focused view read around an entity, the map, and their assets."""
