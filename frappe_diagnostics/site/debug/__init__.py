"""Time-boxed debug sessions: Frappe's request monitor, the Recorder (requests, SQL with EXPLAIN) and log
levels for named loggers, for one site, optionally one user, switched off by themselves at expiry, and a
Debug Session report stored as a run at the end. developer_mode is never switched on."""
