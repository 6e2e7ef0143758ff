"""Platform operator (beheer): creates tenants, sees their subscription state, no personal data."""
