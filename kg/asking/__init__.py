"""Questions in Chinese or English answered from the graph, with the sentences behind every answer."""
