"""Feedback to inspection (Sở Nội vụ): indicators, risk, plans, findings, yearly evaluation, exports."""
