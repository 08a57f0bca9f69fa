"""Asking the store in SPARQL: the guard, killable workers, kept answers, the catalogue of named questions, results."""
