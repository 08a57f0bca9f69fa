"""Names to entities: the index of labels and aliases, the mentions in a text, and the index kept per generation."""
