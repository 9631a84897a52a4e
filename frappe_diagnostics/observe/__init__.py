"""Observability, framework-free: what a scrape reads (stored results and cheap counters, never the checks),
its Prometheus exposition, the bench-wide collector, alert rules and webhook formats.

Frappe-level callers (site/metrics.py, site/alerts.py) pass in a query function and the site's time zone;
the standalone `frappe-diagnostics metrics --bench` passes a pymysql connection's.
"""
