"""Invoicing as a recognised learning-work company: finance settings, invoices and credit notes
numbered without gaps, PDF and UBL (SI-UBL 2.0 or Peppol BIS Billing 3.0, per customer),
payments, reminders and exports."""
