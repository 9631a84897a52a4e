"""Every site of a bench, framework-free: checks run for all sites within one budget (bench-level services
once), and the scheduled runs of many sites spread over their interval."""
