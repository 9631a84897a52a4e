"""Error solutions and matching, traceback fingerprints, log and slow-query-log parsers. Framework-free."""
