"""Reports: per-tenant summaries kept exact by the kernel's events, and the report pages."""
