"""Municipality accounts and client progress: the officers' colleagues page, accepting an
invitation, the consulent's client list and progress pages, and the cooperative's and the
participant's side of the ground for sharing (routes in `routes.py`)."""
