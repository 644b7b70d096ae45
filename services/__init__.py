"""The five frontdesk services, each deployable alone."""
