"""The escalation service: handoff texts, staff alerts on every notifier, and the staff inbox."""
