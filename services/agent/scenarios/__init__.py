"""Conversation scenarios: multi-turn client texts with expected outcomes, played against a running system.

`spec` reads and validates scenario files, `spa` the facts of the spa they run against, `checks`
judges a transcript (pure), `play` drives the gateway's signed webhook and reads the staff inbox,
`main` is `frontdesk eval conversations`.
"""
