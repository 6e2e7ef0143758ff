"""Punch cards (strippenkaarten): prepaid hours a customer buys, written off by done help
requests. Stands above customers, help requests, hours and invoicing."""
