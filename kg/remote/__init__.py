"""Any SPARQL 1.1 endpoint as the store, and a private Virtuoso for tests and benchmarks."""
