"""Front door: the home redirect, the health check, the language switch, the tenant chooser."""
