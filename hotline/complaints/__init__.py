"""A complaint's life: intake, triage, routing, handling, supervision, citizen feedback. workflow.py is the one place a complaint changes state."""
