"""Hours (uren): logged by participants or for them, approved by supervisors, counted everywhere."""
