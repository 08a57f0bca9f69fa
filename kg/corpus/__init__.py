"""Reading a corpus as a whole: what ``kg conflicts`` and ``kg review`` show of figures several sources report
(the rules are in :mod:`kg.store.figures`; duplicate articles are refused by :mod:`kg.ingest.duplicates`)."""
