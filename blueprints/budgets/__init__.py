"""Training budgets funded from what the work earns: the allocation rule, a double-entry
append-only ledger, the course catalogue and course approvals."""
