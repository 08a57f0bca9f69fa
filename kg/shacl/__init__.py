"""SHACL validation inside the store: shapes compiled to SPARQL, run where the data lies, reported by name."""
