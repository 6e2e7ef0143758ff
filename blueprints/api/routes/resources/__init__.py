"""The API's operations, one module per resource; importing a module adds its routes to the
API blueprint (blueprints/api/blueprint.py)."""
