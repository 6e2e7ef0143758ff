"""The daily digest: one mail per person per day with what needs them (evaluations, VOGs,
waiting hours, trajectories; overdue invoices, old drafts, course requests; a participant's
week and tomorrow's job), each kind switchable per person, each item mentioned once.

A feature on top: it reads the features below through their models and services, and no
feature imports it (tests/kernel/test_architecture.py)."""
