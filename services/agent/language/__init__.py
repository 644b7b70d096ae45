"""The agent's language handling: time preferences, intents and the escalation guard (pure)."""
