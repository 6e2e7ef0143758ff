"""Trajectories: kind, host, coach, hours, status flow, agreement, goals, evaluations, outcome."""
