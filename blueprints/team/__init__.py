"""A tenant's team: members, their roles, invitations, and the tenant's audit log."""
