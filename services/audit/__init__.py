"""The audit service: an append-only, hash-chained record of every tool call, and the compliance API."""
