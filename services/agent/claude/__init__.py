"""The Claude brain: Anthropic Messages API tool use behind the `Brain` protocol (AGENT_BRAIN=claude)."""
