"""The audit log for people: what happened in sentences with names and euros, filtered by
person, kind and period, exported as CSV. It reads the features below for the names; no
feature imports it (tests/kernel/test_architecture.py)."""
