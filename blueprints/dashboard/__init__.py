"""A tenant's start page, per role."""
