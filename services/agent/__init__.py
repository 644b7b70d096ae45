"""The agent: event-sourced conversations, the booking flow, the escalation guard, the brains."""
