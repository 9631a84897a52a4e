"""Troubleshooters: take a question (a site, a query, a user) and return a Diagnosis. Framework-free."""
