"""Error solutions and matching, traceback fingerprints, log and slow-query-log parsers. Framework-free.

solutions      the knowledge base (solutions.json) and match(text)
tracebacks     fingerprint_error(text): one key per bug (messages.py normalises the variable parts)
errorgroups    ErrorGroups, and group_key(text, site): the one key an Error Group is stored and found under
sqlfingerprint pt-query-digest's fingerprint() and query_id()
slowlog        MariaDB slow log: iter_queries() and digest() (slowheader.py reads an entry's header lines,
               slowstats.py keeps the groups)
logfiles       a bench's logs/ folder: analyze(), discover(), monitor_stats() (monitorlog.py)
sources        safe line reading of plain/gzip files and streams; quantiles, timewindow: helpers
"""
