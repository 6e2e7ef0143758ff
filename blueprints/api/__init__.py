"""The JSON API under /api/v1/ (bearer tokens) and the page where staff manage their tokens."""
