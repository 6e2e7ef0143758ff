"""Neighbourhood help requests (hulpvragen / klussen): from a resident's question to a job done."""
