"""Frappe side of the error knowledge base: seeded Error Solutions and Error Log grouping."""
