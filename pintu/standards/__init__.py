"""The published standard and what the public says of it: the institution profile, the Maklumat, the
standard as page, book and flowchart, and the satisfaction survey (IKM)."""
