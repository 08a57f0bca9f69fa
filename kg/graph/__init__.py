"""The entity graph for networkx: neighbourhoods, explained paths and rankings."""
