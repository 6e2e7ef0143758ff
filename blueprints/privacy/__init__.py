"""Privacy (AVG): a participant's audit trail, export (inzage), erasure, and the retention setting."""
