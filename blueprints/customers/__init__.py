"""Customers (debiteuren): residents, housing corporations, municipalities, schools, shops; their
rates and prepaid punch cards (strippenkaarten)."""
