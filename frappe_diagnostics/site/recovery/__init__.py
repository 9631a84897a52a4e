"""Recovery inside a site: verifications and validations stored as runs, Recovery Runs with their steps,
the scheduled drill, document-recovery fixes and the audit record of restores. The work itself is in the
framework-free recovery/ package."""
