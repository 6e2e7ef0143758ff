"""The platform kernel: database, tenancy, identity, permissions, audit.

Blueprints stand on this package; this package imports no blueprint.
"""
