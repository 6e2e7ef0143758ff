"""Customers (debiteuren): residents, housing corporations, municipalities, schools, shops; and
their rates. Their prepaid punch cards (strippenkaarten) are blueprints.punchcards."""
