"""Article texts in: their bytes read safely, their sentences and offsets, their metadata as RDF."""
