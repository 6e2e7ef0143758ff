"""Logging in and out, two-factor codes, password reset, the user's account, invitations."""
