"""The agent: the conversation with a client, from first text to booking or handoff."""
