"""Participants (deelnemers) and host organisations: the file a job coach keeps per person."""
