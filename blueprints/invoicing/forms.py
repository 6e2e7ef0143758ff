"""Forms of invoicing. Sections are owned by different authors: edit only your own section."""
from __future__ import annotations

# --- invoices, lines, payments, credit notes, reminders -----------------------------------

# --- finance settings ---------------------------------------------------------------------
