"""Feature packages, one per blueprint; each stands on the kernel in tenants/."""
